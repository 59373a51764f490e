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

}  // namespace eventd::auth
