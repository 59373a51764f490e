#include "auth/rate_limit.hpp"

#include <arpa/inet.h>

#include <algorithm>
#include <cmath>

namespace eventd::auth {

token_buckets::token_buckets(int burst, std::int64_t refill_ms, std::size_t max_keys)
    : burst_(burst), refill_ms_(std::max<std::int64_t>(refill_ms, 1)), max_keys_(std::max<std::size_t>(max_keys, 1)) {}

std::int64_t token_buckets::take(const std::string& key, std::int64_t now_ms) {
  if (burst_ <= 0) return 0;
  std::lock_guard lock(mutex_);
  auto it = buckets_.find(key);
  if (it == buckets_.end()) {
    if (buckets_.size() >= max_keys_) make_room(now_ms);
    it = buckets_.emplace(key, bucket{static_cast<double>(burst_), now_ms}).first;
  }
  auto& b = it->second;
  if (now_ms > b.at_ms) {
    b.tokens = std::min<double>(burst_, b.tokens + static_cast<double>(now_ms - b.at_ms) / static_cast<double>(refill_ms_));
    b.at_ms = now_ms;
  }
  if (b.tokens >= 1.0) {
    b.tokens -= 1.0;
    return 0;
  }
  const double wait_ms = (1.0 - b.tokens) * static_cast<double>(refill_ms_);
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait_ms / 1000.0)));
}

std::size_t token_buckets::size() {
  std::lock_guard lock(mutex_);
  return buckets_.size();
}

void token_buckets::make_room(std::int64_t now_ms) {
  // Buckets that have refilled by now hold no memory worth keeping.
  const double full_after_ms = static_cast<double>(burst_) * static_cast<double>(refill_ms_);
  for (auto it = buckets_.begin(); it != buckets_.end();) {
    const double refilled = it->second.tokens * static_cast<double>(refill_ms_) + static_cast<double>(now_ms - it->second.at_ms);
    if (refilled >= full_after_ms) it = buckets_.erase(it); else ++it;
  }
  // Still full (many clients busy at once): forget one arbitrary bucket rather than refuse or grow.
  if (buckets_.size() >= max_keys_) buckets_.erase(buckets_.begin());
}

std::optional<ip_address> parse_ip(std::string_view text) {
  if (text.empty() || text.size() > 45) return std::nullopt;
  std::string s(text);
  ip_address a;
  in_addr v4{};
  if (inet_pton(AF_INET, s.c_str(), &v4) == 1) {
    a.v4 = true;
    a.bytes[10] = a.bytes[11] = 0xff;
    const auto* p = reinterpret_cast<const std::uint8_t*>(&v4.s_addr);
    std::copy(p, p + 4, a.bytes.begin() + 12);
    return a;
  }
  in6_addr v6{};
  if (inet_pton(AF_INET6, s.c_str(), &v6) == 1) {
    std::copy(v6.s6_addr, v6.s6_addr + 16, a.bytes.begin());
    // An IPv4-mapped IPv6 address (a dual-stack socket's view of an IPv4 client) is that IPv4 client.
    a.v4 = std::all_of(a.bytes.begin(), a.bytes.begin() + 10, [](auto b) { return b == 0; }) && a.bytes[10] == 0xff &&
           a.bytes[11] == 0xff;
    return a;
  }
  return std::nullopt;
}

namespace {

bool same_prefix(const std::array<std::uint8_t, 16>& x, const std::array<std::uint8_t, 16>& y, int bits) {
  for (int i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const std::uint8_t mask = bits >= 8 ? 0xff : static_cast<std::uint8_t>(0xff << (8 - bits));
    if ((x[static_cast<std::size_t>(i)] & mask) != (y[static_cast<std::size_t>(i)] & mask)) return false;
  }
  return true;
}

ip_address masked(ip_address a, int bits) {
  for (int i = 0; i < 16; ++i) {
    const int keep = std::clamp(bits - i * 8, 0, 8);
    a.bytes[static_cast<std::size_t>(i)] &= static_cast<std::uint8_t>(keep == 8 ? 0xff : (0xff << (8 - keep)) & 0xff);
  }
  return a;
}

std::string to_text(const ip_address& a) {
  char out[INET6_ADDRSTRLEN] = {};
  if (a.v4) {
    in_addr v4{};
    std::copy(a.bytes.begin() + 12, a.bytes.end(), reinterpret_cast<std::uint8_t*>(&v4.s_addr));
    inet_ntop(AF_INET, &v4, out, sizeof out);
  } else {
    in6_addr v6{};
    std::copy(a.bytes.begin(), a.bytes.end(), v6.s6_addr);
    inet_ntop(AF_INET6, &v6, out, sizeof out);
  }
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool ip_network::contains(const ip_address& a) const { return same_prefix(base.bytes, a.bytes, prefix); }

std::optional<ip_network> parse_network(std::string_view text) {
  text = trim(text);
  const auto slash = text.find('/');
  auto ip = parse_ip(text.substr(0, slash));
  if (!ip) return std::nullopt;
  ip_network n;
  n.base = *ip;
  if (slash == std::string_view::npos) return n;
  const auto bits = text.substr(slash + 1);
  if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string_view::npos) return std::nullopt;
  const int prefix = std::stoi(std::string(bits));
  if (prefix > (ip->v4 ? 32 : 128)) return std::nullopt;
  n.prefix = ip->v4 ? prefix + 96 : prefix;
  n.base = masked(*ip, n.prefix);
  return n;
}

std::string client_address(const std::string& peer, const std::string& forwarded_for, const std::vector<ip_network>& trusted) {
  auto is_trusted = [&](const ip_address& a) {
    return std::any_of(trusted.begin(), trusted.end(), [&](const ip_network& n) { return n.contains(a); });
  };
  auto peer_ip = parse_ip(peer);
  if (!peer_ip || trusted.empty() || !is_trusted(*peer_ip)) return peer;
  std::string client = peer;
  std::string_view rest = forwarded_for;
  while (!rest.empty()) {
    const auto comma = rest.rfind(',');
    const auto hop = trim(comma == std::string_view::npos ? rest : rest.substr(comma + 1));
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(0, comma);
    auto ip = parse_ip(hop);
    if (!ip) break;  // garbage left of a trusted hop: the last good address is the client
    client = to_text(*ip);
    if (!is_trusted(*ip)) break;
  }
  return client;
}

std::string limit_key(const std::string& address) {
  auto ip = parse_ip(address);
  if (!ip) return address;
  return ip->v4 ? to_text(*ip) : to_text(masked(*ip, 64)) + "/64";
}

std::string coarse_network(const std::string& address) {
  auto ip = parse_ip(address);
  if (!ip) return {};
  return ip->v4 ? to_text(masked(*ip, 120)) + "/24" : to_text(masked(*ip, 48)) + "/48";
}

}  // namespace eventd::auth
