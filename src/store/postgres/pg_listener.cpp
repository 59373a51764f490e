#include "store/postgres/pg_listener.hpp"

#include "support/log.hpp"
#include "support/suspend.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <stdexcept>

namespace eventd::store {

namespace {

// The listener thread's waits (support::wait_fd, inside pg_connection too): poll() on the socket and on the wake
// pipe at once, so that stopping interrupts a connection attempt or a statement instead of waiting it out.
class wakeable final : public support::suspender {
public:
  wakeable(int wake_fd, const std::atomic<bool>& stopping) : wake_(wake_fd), stopping_(stopping) {}
  bool wait_fd(int fd, bool read, bool write, int timeout_ms) override {
    if (stopping_) return false;
    pollfd p[2] = {{fd, static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0)), 0}, {wake_, POLLIN, 0}};
    const int n = ::poll(p, 2, timeout_ms);
    return n > 0 && p[0].revents != 0 && !stopping_;
  }
  void sleep_ms(int ms) override {
    pollfd p{wake_, POLLIN, 0};
    ::poll(&p, 1, ms);
  }

private:
  int wake_;
  const std::atomic<bool>& stopping_;
};

// The channel's name as an SQL identifier, quoted.
std::string quote_identifier(pg_connection& c, const std::string& name) {
  char* quoted = PQescapeIdentifier(c.native(), name.c_str(), name.size());
  if (!quoted) throw std::runtime_error("cannot quote the channel's name");
  std::string out = quoted;
  PQfreemem(quoted);
  return out;
}

}  // namespace

pg_listener::pg_listener(std::string url, std::string channel, std::function<void(const std::string&)> heard,
                         std::function<void()> resync, pg_limits limits)
    : url_(std::move(url)), channel_(std::move(channel)), heard_(std::move(heard)), resync_(std::move(resync)),
      limits_(limits) {
  if (::pipe(wake_) != 0) throw std::runtime_error("pg_listener: pipe failed");
  thread_ = std::thread([this] { run(); });
}

pg_listener::~pg_listener() {
  stopping_ = true;
  const char b = 1;
  [[maybe_unused]] const auto n = ::write(wake_[1], &b, 1);
  if (thread_.joinable()) thread_.join();
  ::close(wake_[0]);
  ::close(wake_[1]);
}

void pg_listener::run() {
  wakeable waits(wake_[0], stopping_);
  auto backoff = std::chrono::milliseconds(200);
  while (!stopping_) {
    try {
      // Connecting and the LISTEN wait through `waits`, so that stopping interrupts them. The callbacks below do not:
      // they may read the store, whose waits are its own.
      auto c = [&] {
        support::suspender_scope scope(waits);
        auto made = std::make_unique<pg_connection>(url_, limits_);
        made->execute("LISTEN " + quote_identifier(*made, channel_));
        return made;
      }();
      backoff = std::chrono::milliseconds(200);
      listening_ = true;
      ++connects_;
      // Listening from here on: anything committed before may have been missed, so every watcher's view is read
      // again.
      try {
        if (resync_) resync_();
      } catch (const std::exception& e) {
        support::log_fault("error", "resynchronising after (re)connecting failed", e.what());
      }
      listen(*c);
      listening_ = false;
      if (stopping_) break;
      support::log_fault("warn", "lost the connection that listens for other nodes' changes", "reconnecting");
    } catch (const std::exception& e) {
      listening_ = false;
      if (stopping_) break;
      support::log_fault("warn", "listening for other nodes' changes failed; trying again", e.what());
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
    }
    waits.sleep_ms(static_cast<int>(backoff.count()));
  }
}

void pg_listener::listen(pg_connection& c) {
  PGconn* conn = c.native();
  using clock = std::chrono::steady_clock;
  // While nothing comes, a question every so often: an empty query, answered at once by a live server.
  const auto limit = std::chrono::milliseconds(limits_.answer_limit_ms() > 0 ? limits_.answer_limit_ms() : 35000);
  const auto quiet = std::min<std::chrono::milliseconds>(limit / 2, std::chrono::seconds(10));
  auto heard_at = clock::now();
  std::optional<clock::time_point> asked_at;
  while (!stopping_) {
    const auto now = clock::now();
    if (asked_at && now - *asked_at > limit) {
      support::log_fault("warn", "the connection that listens for other nodes' changes gave no answer in time",
                         "nothing heard for " + std::to_string(limit.count()) + " ms");
      return;
    }
    if (!asked_at && now - heard_at > quiet) {
      if (PQsendQuery(conn, "") != 1 || PQflush(conn) < 0) return;
      asked_at = now;
    }
    pollfd p[2] = {{PQsocket(conn), POLLIN, 0}, {wake_[0], POLLIN, 0}};
    if (::poll(p, 2, 500) < 0) continue;
    if (stopping_) return;
    if (p[0].revents == 0) continue;
    if (!PQconsumeInput(conn) || PQstatus(conn) != CONNECTION_OK) return;  // lost: reconnect
    heard_at = clock::now();
    // The answer to the question, if that is what came (an empty query's result, then the end of it).
    while (asked_at && !PQisBusy(conn)) {
      PGresult* r = PQgetResult(conn);
      if (!r) {
        asked_at.reset();
        break;
      }
      PQclear(r);
    }
    while (PGnotify* n = PQnotifies(conn)) {
      std::string payload = n->extra ? n->extra : "";
      PQfreemem(n);
      try {
        if (heard_) heard_(payload);
      } catch (const std::exception& e) {
        support::log_fault("error", "handling another node's change failed", e.what());
      }
    }
  }
}

}  // namespace eventd::store
