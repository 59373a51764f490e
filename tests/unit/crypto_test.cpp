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

TEST_F(crypto_env, the_sha256_scheme_round_trips_and_matches_its_published_vectors) {
  // The vectors were computed apart from this code (Python's hashlib, the same Feistel network); PostgreSQL's
  // eventd_ticket_code must give the same (pg_test).
  const auth::ticket_cipher v2("000102030405060708090a0b0c0d0e0f", auth::ticket_cipher::scheme::sha256);
  EXPECT_EQ(v2.encode(1), "24FUQP6C");
  EXPECT_EQ(v2.encode(2), "P555FS9B");
  EXPECT_EQ(v2.encode(1000), "NS5UFQZN");
  EXPECT_EQ(v2.encode(123456789), "WWB5LK6B");
  const auth::ticket_cipher v1("000102030405060708090a0b0c0d0e0f");
  int same = 0;
  std::set<std::string> seen;
  for (std::uint64_t id = 1; id <= 20000; ++id) {
    const auto code = v2.encode(id);
    ASSERT_EQ(v2.decode(code), id);
    ASSERT_TRUE(seen.insert(code).second) << "collision at " << id;
    same += code == v1.encode(id);
  }
  EXPECT_LT(same, 3);  // the schemes are different permutations: a code of one means nothing to the other
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

TEST(throttle, counts_an_attempt_when_it_starts_and_blocks_until_the_window_ends) {
  auth::throttle t(3, 60);
  // Three attempts in flight at once use up the allowance before any of them has failed.
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.reserve("a", 100 + i));
  auto wait = t.reserve("a", 110);
  ASSERT_TRUE(wait);
  EXPECT_EQ(*wait, 50);
  EXPECT_FALSE(t.reserve("b", 110)) << "other keys are not affected";
  EXPECT_FALSE(t.reserve("a", 160)) << "the window has passed";
  EXPECT_FALSE(t.reserve("c", 100));
  t.release("c");
  EXPECT_FALSE(t.reserve("c", 101));
  EXPECT_FALSE(t.reserve("c", 102));
  EXPECT_FALSE(t.reserve("c", 103)) << "a released attempt is given back";
  EXPECT_TRUE(t.reserve("c", 104));
  t.clear("c");
  EXPECT_FALSE(t.reserve("c", 105)) << "cleared: the count starts afresh";
}

TEST(throttle, keeps_a_bounded_number_of_keys_dropping_expired_then_oldest) {
  auth::throttle t(2, 60, 100);
  for (int i = 0; i < 1000; ++i) (void)t.reserve("flood-" + std::to_string(i), 100 + i / 100);
  EXPECT_LE(t.size(), 100u);
  // The newest keys are still counted; the oldest were dropped.
  EXPECT_FALSE(t.reserve("flood-999", 110));
  EXPECT_TRUE(t.reserve("flood-999", 110));
  EXPECT_FALSE(t.reserve("flood-0", 110));
  EXPECT_LE(t.size(), 100u);
  // Expired keys go before live ones.
  auth::throttle u(1, 60, 3);
  (void)u.reserve("old", 0);
  (void)u.reserve("live1", 50);
  (void)u.reserve("live2", 55);
  (void)u.reserve("new", 70);  // "old" has expired and makes room
  EXPECT_TRUE(u.reserve("live1", 71)) << "a live key survives while an expired one can go";
  EXPECT_TRUE(u.reserve("new", 71));
}

TEST(signin_throttle, limits_each_client_and_account_pair_separately) {
  auth::signin_throttle t(3, 900);
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.begin("203.0.113.9", "admin@example.org", 100));
  EXPECT_TRUE(t.begin("203.0.113.9", "admin@example.org", 101)) << "the guesser is throttled";
  EXPECT_FALSE(t.begin("198.51.100.1", "admin@example.org", 101)) << "the admin at another address is not locked out";
  t.succeeded("198.51.100.1", "admin@example.org");
  EXPECT_FALSE(t.begin("203.0.113.9", "someone@example.org", 101)) << "the same client may try another account";
  EXPECT_TRUE(t.begin("203.0.113.9", "admin@example.org", 102));
  // A success at one pair starts that pair afresh.
  for (int i = 0; i < 2; ++i) EXPECT_FALSE(t.begin("192.0.2.5", "b@example.org", 100));
  t.succeeded("192.0.2.5", "b@example.org");
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(t.begin("192.0.2.5", "b@example.org", 100));
}

TEST(signin_throttle, limits_one_client_spraying_many_accounts) {
  auth::signin_throttle t(3, 900);
  int allowed = 0;
  for (int i = 0; i < 100; ++i)
    if (!t.begin("203.0.113.9", "user" + std::to_string(i) + "@example.org", 100)) ++allowed;
  EXPECT_EQ(allowed, 30) << "ten times the per-pair allowance over all accounts";
  EXPECT_FALSE(t.begin("198.51.100.1", "user1@example.org", 100)) << "other clients are not affected";
}
