// One node's ear on the shared database (issue 11): a connection of its own that LISTENs on a channel and hands
// every notification's payload to a callback, on a thread of its own. When the connection is lost it reconnects with
// backoff and, once listening again, calls `resync`: whatever was notified meanwhile was missed.
// A connection can also die without a word (the database's host gone, the network split): while nothing is heard the
// listener asks the server a trivial question now and then, and takes the connection for lost when no answer comes
// within the connection's limit (pg_limits). Connecting is bounded too, and the destructor interrupts every wait.
#pragma once

#include "store/postgres/pg_connection.hpp"

#include <atomic>
#include <functional>
#include <string>
#include <thread>

namespace eventd::store {

class pg_listener {
public:
  pg_listener(std::string url, std::string channel, std::function<void(const std::string& payload)> heard,
              std::function<void()> resync, pg_limits limits = {});
  ~pg_listener();
  pg_listener(const pg_listener&) = delete;
  pg_listener& operator=(const pg_listener&) = delete;

  // Whether it is listening now (for /metrics and tests).
  bool listening() const { return listening_; }
  // Times it (re)connected and started listening.
  std::uint64_t connects() const { return connects_; }

private:
  void run();
  // Listens on `c` until the connection is lost or the listener stops.
  void listen(pg_connection& c);
  std::string url_, channel_;
  std::function<void(const std::string&)> heard_;
  std::function<void()> resync_;
  pg_limits limits_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> listening_{false};
  std::atomic<std::uint64_t> connects_{0};
  int wake_[2] = {-1, -1};  // a pipe: the destructor writes to it to end the wait at once
  std::thread thread_;
};

}  // namespace eventd::store
