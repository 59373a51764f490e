// Sign-in throttling: repeated failures for one address earn a pause.
#pragma once

#include "domain/types.hpp"

#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace eventd::auth {

class throttle {
public:
  throttle(int max_failures, int window_seconds) : max_failures_(max_failures), window_(window_seconds) {}
  // Seconds to wait when this address is throttled now; nullopt when it may try.
  std::optional<std::int64_t> blocked_for(const std::string& key, domain::time_point now);
  void failed(const std::string& key, domain::time_point now);
  void succeeded(const std::string& key);

private:
  struct entry {
    int failures = 0;
    domain::time_point window_start = 0;
  };
  int max_failures_;
  std::int64_t window_;
  std::mutex mutex_;
  std::map<std::string, entry> entries_;
};

// Recently seen sessions, so a scanner's stream of check-ins does not read the sessions table for every scan.
// Entries live a few seconds at most; signing out removes the entry at once.
template <class Session>
class session_cache {
public:
  explicit session_cache(std::int64_t ttl_seconds, std::size_t max_entries = 10000) : ttl_(ttl_seconds), max_(max_entries) {}

  std::optional<Session> find(const std::string& token_hash, domain::time_point now) {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(token_hash);
    if (it == entries_.end()) return std::nullopt;
    if (now >= it->second.cached_until || now >= it->second.expires_at) {
      entries_.erase(it);
      return std::nullopt;
    }
    return it->second.session;
  }

  void put(const std::string& token_hash, Session s, domain::time_point expires_at, domain::time_point now) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= max_) entries_.clear();  // rare: start afresh rather than track ages
    entries_[token_hash] = entry{std::move(s), now + ttl_, expires_at};
  }

  void forget(const std::string& token_hash) {
    std::lock_guard lock(mutex_);
    entries_.erase(token_hash);
  }

private:
  struct entry {
    Session session;
    domain::time_point cached_until = 0;
    domain::time_point expires_at = 0;
  };
  std::int64_t ttl_;
  std::size_t max_;
  std::mutex mutex_;
  std::map<std::string, entry> entries_;
};

}  // namespace eventd::auth
