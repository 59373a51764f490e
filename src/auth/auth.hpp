// Sign-in throttling and the session cache.
#pragma once

#include "domain/types.hpp"

#include <cstddef>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>

namespace eventd::auth {

// Counts attempts per key within a fixed window and refuses them once `max_attempts` are used up. An attempt is
// counted when it starts (reserved), so a burst of concurrent guesses cannot all pass before the first one fails;
// a success gives its reservation back. At most `max_entries` keys are kept: expired ones go first, then the oldest.
class throttle {
public:
  throttle(int max_attempts, int window_seconds, std::size_t max_entries = 10000)
      : max_attempts_(max_attempts), window_(window_seconds), max_entries_(max_entries) {}
  // Counts an attempt for `key`; returns the seconds to wait instead when its attempts are used up.
  std::optional<std::int64_t> reserve(const std::string& key, domain::time_point now);
  // Gives back one reserved attempt (the attempt succeeded or was never made).
  void release(const std::string& key);
  // Forgets every attempt for `key`.
  void clear(const std::string& key);
  std::size_t size();

private:
  struct entry {
    int attempts = 0;
    domain::time_point window_start = 0;
  };
  void make_room(domain::time_point now);
  int max_attempts_;
  std::int64_t window_;
  std::size_t max_entries_;
  std::mutex mutex_;
  std::map<std::string, entry> entries_;
};

// Sign-in guessing: `max_failures` per (client address, account) pair, so an attacker elsewhere cannot lock out the
// account's owner, and ten times that per client address over all accounts, so one address cannot spray many
// accounts (or flush the pair map to start afresh).
class signin_throttle {
public:
  signin_throttle(int max_failures, int window_seconds, std::size_t max_entries = 10000)
      : pairs_(max_failures, window_seconds, max_entries), clients_(max_failures * 10, window_seconds, max_entries) {}
  // Reserves an attempt; the seconds to wait when the pair or the client address has none left.
  std::optional<std::int64_t> begin(const std::string& client, const std::string& account, domain::time_point now);
  // (A wrong password needs no call: its reserved attempt simply stays counted.)
  // The password was right: the pair starts afresh and the client's reservation is returned.
  void succeeded(const std::string& client, const std::string& account);

private:
  static std::string pair_key(const std::string& client, const std::string& account);
  throttle pairs_;
  throttle clients_;
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

  // Drops every entry `of` says belongs to someone (a user deactivated, reset or given a new password): their
  // sessions stop working on this node at once, not when the entries would have aged out.
  template <class Pred>
  void forget_if(Pred of) {
    std::lock_guard lock(mutex_);
    std::erase_if(entries_, [&](const auto& kv) { return of(kv.second.session); });
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
