#include "auth/auth.hpp"

namespace eventd::auth {

std::optional<std::int64_t> throttle::blocked_for(const std::string& key, domain::time_point now) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(key);
  if (it == entries_.end()) return std::nullopt;
  if (now - it->second.window_start >= window_) {
    entries_.erase(it);
    return std::nullopt;
  }
  if (it->second.failures < max_failures_) return std::nullopt;
  return window_ - (now - it->second.window_start);
}

void throttle::failed(const std::string& key, domain::time_point now) {
  std::lock_guard lock(mutex_);
  // Bound memory under a flood of made-up addresses: forget expired entries when the map grows.
  if (entries_.size() > 100000) std::erase_if(entries_, [&](const auto& kv) { return now - kv.second.window_start >= window_; });
  auto& e = entries_[key];
  if (e.failures == 0 || now - e.window_start >= window_) {
    e.failures = 0;
    e.window_start = now;
  }
  ++e.failures;
}

void throttle::succeeded(const std::string& key) {
  std::lock_guard lock(mutex_);
  entries_.erase(key);
}

}  // namespace eventd::auth
