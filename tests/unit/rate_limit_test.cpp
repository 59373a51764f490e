#include "api/blocking.hpp"
#include "auth/rate_limit.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>

using namespace eventd;

TEST(token_buckets, allows_the_burst_then_refuses_with_the_wait_until_the_next_token) {
  auth::token_buckets b(3, 2000);
  for (int i = 0; i < 3; ++i) EXPECT_EQ(b.take("a", 0), 0);
  EXPECT_EQ(b.take("a", 0), 2);
  EXPECT_EQ(b.take("a", 1500), 1);  // half a second left, rounded up
  EXPECT_EQ(b.take("a", 2000), 0);  // one token back
  EXPECT_EQ(b.take("a", 2000), 2);
}

TEST(token_buckets, keys_are_independent_and_refill_stops_at_the_burst) {
  auth::token_buckets b(2, 1000);
  EXPECT_EQ(b.take("a", 0), 0);
  EXPECT_EQ(b.take("a", 0), 0);
  EXPECT_GT(b.take("a", 0), 0);
  EXPECT_EQ(b.take("b", 0), 0);
  // An hour idle gives back the burst, not 3600 tokens.
  EXPECT_EQ(b.take("a", 3'600'000), 0);
  EXPECT_EQ(b.take("a", 3'600'000), 0);
  EXPECT_GT(b.take("a", 3'600'000), 0);
}

TEST(token_buckets, a_burst_of_zero_means_no_limit) {
  auth::token_buckets b(0, 1000);
  for (int i = 0; i < 1000; ++i) EXPECT_EQ(b.take("a", 0), 0);
  EXPECT_EQ(b.size(), 0u);
}

TEST(token_buckets, memory_stays_bounded_and_refilled_buckets_go_first) {
  auth::token_buckets b(2, 1000, 100);
  EXPECT_EQ(b.take("busy", 0), 0);
  EXPECT_EQ(b.take("busy", 0), 0);
  for (int i = 0; i < 1000; ++i) b.take(std::to_string(i) + "k", 0);
  EXPECT_LE(b.size(), 100u);
  // Later, every one-off key has refilled and is dropped before anything else.
  for (int i = 0; i < 1000; ++i) b.take(std::to_string(i) + "later", 1500);
  EXPECT_LE(b.size(), 100u);
}

TEST(client_address, is_the_peer_unless_the_peer_is_a_trusted_proxy) {
  const std::vector<auth::ip_network> none;
  EXPECT_EQ(auth::client_address("127.0.0.1", "203.0.113.9", none), "127.0.0.1");
  std::vector<auth::ip_network> trusted{*auth::parse_network("10.0.0.0/8"), *auth::parse_network("127.0.0.1")};
  EXPECT_EQ(auth::client_address("192.0.2.1", "203.0.113.9", trusted), "192.0.2.1");
  EXPECT_EQ(auth::client_address("127.0.0.1", "203.0.113.9", trusted), "203.0.113.9");
  // The client may forge the left part; the right-most untrusted hop is what our proxies saw.
  EXPECT_EQ(auth::client_address("127.0.0.1", "1.2.3.4, 203.0.113.9, 10.1.2.3", trusted), "203.0.113.9");
  EXPECT_EQ(auth::client_address("127.0.0.1", "", trusted), "127.0.0.1");
  EXPECT_EQ(auth::client_address("127.0.0.1", "not-an-ip, 203.0.113.9", trusted), "203.0.113.9");
  EXPECT_EQ(auth::client_address("127.0.0.1", "203.0.113.9, garbage", trusted), "127.0.0.1");
}

TEST(ip_network, parses_addresses_and_prefixes_of_both_families) {
  auto n = auth::parse_network("192.168.1.0/24");
  ASSERT_TRUE(n);
  EXPECT_TRUE(n->contains(*auth::parse_ip("192.168.1.77")));
  EXPECT_FALSE(n->contains(*auth::parse_ip("192.168.2.1")));
  EXPECT_TRUE(n->contains(*auth::parse_ip("::ffff:192.168.1.5")));
  auto v6 = auth::parse_network("2001:db8::/32");
  ASSERT_TRUE(v6);
  EXPECT_TRUE(v6->contains(*auth::parse_ip("2001:db8:1::5")));
  EXPECT_FALSE(v6->contains(*auth::parse_ip("192.168.1.5")));
  EXPECT_FALSE(auth::parse_network("10.0.0.0/33"));
  EXPECT_FALSE(auth::parse_network("10.0.0/8"));
  EXPECT_FALSE(auth::parse_network("10.0.0.0/"));
  EXPECT_FALSE(auth::parse_network("example.org"));
}

TEST(ip_network, limit_keys_and_stored_networks_are_coarse) {
  EXPECT_EQ(auth::limit_key("203.0.113.9"), "203.0.113.9");
  EXPECT_EQ(auth::limit_key("2001:db8:1:2:3:4:5:6"), "2001:db8:1:2::/64");
  EXPECT_EQ(auth::coarse_network("203.0.113.9"), "203.0.113.0/24");
  EXPECT_EQ(auth::coarse_network("::ffff:203.0.113.9"), "203.0.113.0/24");
  EXPECT_EQ(auth::coarse_network("2001:db8:1:2:3:4:5:6"), "2001:db8:1::/48");
  EXPECT_EQ(auth::coarse_network("nonsense"), "");
}

TEST(read_pool, refuses_work_beyond_its_queue_instead_of_queueing_without_end) {
  std::mutex gate;
  std::unique_lock hold(gate);
  std::atomic<int> ran{0};
  {
    api::read_pool pool(1, 2);
    std::atomic<bool> started{false};
    ASSERT_TRUE(pool.try_post([&] { started = true; std::lock_guard wait(gate); ++ran; }));
    while (!started) std::this_thread::yield();  // the one thread is busy now
    EXPECT_TRUE(pool.try_post([&] { ++ran; }));
    EXPECT_TRUE(pool.try_post([&] { ++ran; }));
    EXPECT_FALSE(pool.try_post([&] { ++ran; }));
    hold.unlock();
  }
  EXPECT_EQ(ran.load(), 3);  // everything accepted ran before the pool went
}
