// Abuse limits for the public form: a token bucket per key (client address, mail recipient), and working out
// which address a request came from when reverse proxies stand in front.
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace eventd::auth {

// Each key may spend `burst` tokens at once; one token comes back every `refill_ms`. Holds at most `max_keys`
// buckets: a full bucket is the same as no bucket, so those go first when the map is full.
class token_buckets {
public:
  token_buckets(int burst, std::int64_t refill_ms, std::size_t max_keys = 100000);
  // Takes a token for `key` at `now_ms` (any monotonic clock): 0 when allowed, otherwise the whole seconds to
  // wait for the next token (at least 1). A burst of 0 turns the limit off.
  std::int64_t take(const std::string& key, std::int64_t now_ms);
  bool enabled() const { return burst_ > 0; }
  std::size_t size();

private:
  struct bucket {
    double tokens = 0;
    std::int64_t at_ms = 0;
  };
  void make_room(std::int64_t now_ms);

  int burst_;
  std::int64_t refill_ms_;
  std::size_t max_keys_;
  std::mutex mutex_;
  std::unordered_map<std::string, bucket> buckets_;
};

// An IPv4 or IPv6 address, IPv4 held as IPv4-mapped IPv6 so one comparison serves both.
struct ip_address {
  std::array<std::uint8_t, 16> bytes{};
  bool v4 = false;
};
std::optional<ip_address> parse_ip(std::string_view text);

struct ip_network {
  ip_address base;
  int prefix = 128;  // in IPv6 bits (an IPv4 /24 is 120)
  bool contains(const ip_address&) const;
};
// "10.0.0.1", "10.0.0.0/8", "::1", "fd00::/8"; nullopt when it is none of these.
std::optional<ip_network> parse_network(std::string_view text);

// The client's address: the socket's peer, unless the peer is a trusted proxy; then the right-most address in
// X-Forwarded-For that is not itself trusted (what a proxy appended; anything further left the client could forge).
std::string client_address(const std::string& peer, const std::string& forwarded_for, const std::vector<ip_network>& trusted);

// What one limit counts as one client: the IPv4 address, or the IPv6 /64 (one host usually holds a whole /64).
std::string limit_key(const std::string& address);
// The coarse network kept with a registration so organisers can find a burst: IPv4 /24, IPv6 /48. Text such as
// "203.0.113.0/24"; empty when the address does not parse.
std::string coarse_network(const std::string& address);

}  // namespace eventd::auth
