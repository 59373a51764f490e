#include "auth/auth.hpp"

#include <algorithm>

namespace eventd::auth {

void throttle::make_room(domain::time_point now) {
  if (entries_.size() < max_entries_) return;
  std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.window_start >= window_; });
  while (entries_.size() >= max_entries_) {
    auto oldest = std::min_element(entries_.begin(), entries_.end(),
                                   [](const auto& a, const auto& b) { return a.second.window_start < b.second.window_start; });
    entries_.erase(oldest);
  }
}

std::optional<std::int64_t> throttle::reserve(const std::string& key, domain::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) {
    make_room(now);
    it = entries_.emplace(key, entry{0, now}).first;
  } else if (now - it->second.window_start >= window_) {
    it->second = entry{0, now};
  }
  auto& e = it->second;
  if (e.attempts >= max_attempts_) return std::max<std::int64_t>(1, window_ - (now - e.window_start));
  ++e.attempts;
  return std::nullopt;
}

void throttle::release(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (--it->second.attempts <= 0) entries_.erase(it);
}

void throttle::clear(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

std::size_t throttle::size() {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

std::string signin_throttle::pair_key(const std::string& client, const std::string& account) {
  // A NUL cannot occur in either part (addresses are printable, e-mail addresses refuse control characters).
  return client + '\0' + account;
}

std::optional<std::int64_t> signin_throttle::begin(const std::string& client, const std::string& account,
                                                   domain::time_point now) {
  const auto pair = pair_key(client, account);
  if (auto wait = pairs_.reserve(pair, now)) return wait;
  if (auto wait = clients_.reserve(client, now)) {
    pairs_.release(pair);
    return wait;
  }
  return std::nullopt;
}

void signin_throttle::succeeded(const std::string& client, const std::string& account) {
  pairs_.clear(pair_key(client, account));
  clients_.release(client);
}

}  // namespace eventd::auth
