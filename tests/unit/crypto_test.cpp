#include "auth/crypto.hpp"

#include "domain/types.hpp"

#include <gtest/gtest.h>

#include <set>

using namespace eventd;

namespace {
struct crypto_env : ::testing::Test {
  void SetUp() override { auth::init_crypto(); }
};
}  // namespace

TEST_F(crypto_env, ticket_codes_round_trip_and_never_collide) {
  auth::ticket_cipher cipher(auth::ticket_cipher::new_key_hex());
  std::set<std::string> seen;
  for (std::uint64_t id = 1; id <= 20000; ++id) {
    const auto code = cipher.encode(id);
    ASSERT_EQ(code.size(), domain::ticket_length);
    for (char c : code) ASSERT_NE(domain::ticket_alphabet.find(c), std::string_view::npos) << code;
    ASSERT_EQ(cipher.decode(code), id);
    ASSERT_TRUE(seen.insert(code).second) << "collision at " << id;
  }
}

TEST_F(crypto_env, ticket_codes_of_neighbours_look_unrelated_and_depend_on_the_key) {
  auth::ticket_cipher a(auth::ticket_cipher::new_key_hex()), b(auth::ticket_cipher::new_key_hex());
  // Consecutive ids share no long prefix, so a code does not betray its neighbours.
  int shared_prefix = 0;
  for (std::uint64_t id = 1; id < 1000; ++id)
    if (a.encode(id).substr(0, 4) == a.encode(id + 1).substr(0, 4)) ++shared_prefix;
  EXPECT_LT(shared_prefix, 5);
  int same = 0;
  for (std::uint64_t id = 1; id < 1000; ++id) same += a.encode(id) == b.encode(id);
  EXPECT_EQ(same, 0);
}

TEST_F(crypto_env, malformed_ticket_codes_decode_to_nothing) {
  auth::ticket_cipher cipher(auth::ticket_cipher::new_key_hex());
  EXPECT_FALSE(cipher.decode(""));
  EXPECT_FALSE(cipher.decode("ABCDEFG"));     // too short
  EXPECT_FALSE(cipher.decode("ABCDEFGHJ"));   // too long
  EXPECT_FALSE(cipher.decode("ABCDEFG0"));    // 0 is not in the alphabet
  EXPECT_FALSE(cipher.decode("abcdefgh"));    // normalise first
  EXPECT_THROW(auth::ticket_cipher("short"), std::runtime_error);
}

TEST_F(crypto_env, passwords_hash_with_argon2id_and_verify) {
  const auto hash = auth::hash_password("correct horse battery staple");
  EXPECT_EQ(hash.rfind("$argon2id$", 0), 0u);
  EXPECT_TRUE(auth::verify_password("correct horse battery staple", hash));
  EXPECT_FALSE(auth::verify_password("correct horse battery stapl", hash));
}

TEST_F(crypto_env, tokens_are_long_random_and_url_safe) {
  const auto t = auth::random_token(32);
  EXPECT_EQ(t.size(), 43u);
  EXPECT_EQ(t.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"), std::string::npos);
  EXPECT_NE(t, auth::random_token(32));
  EXPECT_EQ(auth::sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

#include "auth/auth.hpp"

TEST(session_cache, keeps_a_session_briefly_and_forgets_it_on_sign_out) {
  auth::session_cache<std::string> cache(5);
  cache.put("h1", "alice", /*expires_at=*/1000, /*now=*/100);
  EXPECT_EQ(cache.find("h1", 104), "alice");
  EXPECT_FALSE(cache.find("h1", 105)) << "cached for 5 s only, so a change in the database shows soon";
  cache.put("h2", "bob", 1000, 100);
  cache.forget("h2");
  EXPECT_FALSE(cache.find("h2", 101)) << "signing out takes effect at once";
  cache.put("h3", "carol", 102, 100);
  EXPECT_FALSE(cache.find("h3", 102)) << "never beyond the session's own expiry";
}

TEST(throttle, blocks_an_address_after_repeated_failures_until_the_window_ends) {
  auth::throttle t(3, 60);
  for (int i = 0; i < 3; ++i) {
    EXPECT_FALSE(t.blocked_for("a@example.org", 100 + i));
    t.failed("a@example.org", 100 + i);
  }
  auto wait = t.blocked_for("a@example.org", 110);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 50);
  EXPECT_FALSE(t.blocked_for("b@example.org", 110)) << "other addresses are not affected";
  EXPECT_FALSE(t.blocked_for("a@example.org", 160)) << "the window has passed";
  t.failed("c@example.org", 100);
  t.succeeded("c@example.org");
  t.failed("c@example.org", 101);
  t.failed("c@example.org", 102);
  EXPECT_FALSE(t.blocked_for("c@example.org", 103)) << "a success starts the count afresh";
}
