#include "store/postgres/pg_listener.hpp"

#include "support/log.hpp"

#include <libpq-fe.h>
#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <stdexcept>

namespace eventd::store {

pg_listener::pg_listener(std::string url, std::string channel, std::function<void(const std::string&)> heard,
                         std::function<void()> resync)
    : url_(std::move(url)), channel_(std::move(channel)), heard_(std::move(heard)), resync_(std::move(resync)) {
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
  auto backoff = std::chrono::milliseconds(200);
  // Waits `ms` or until the destructor writes to the pipe; false when stopping.
  const auto pause = [this](std::chrono::milliseconds ms) {
    pollfd p{wake_[0], POLLIN, 0};
    ::poll(&p, 1, static_cast<int>(ms.count()));
    return !stopping_;
  };
  while (!stopping_) {
    PGconn* c = PQconnectdb(url_.c_str());
    bool ok = c && PQstatus(c) == CONNECTION_OK;
    if (ok) {
      char* quoted = PQescapeIdentifier(c, channel_.c_str(), channel_.size());
      PGresult* r = quoted ? PQexec(c, ("LISTEN " + std::string(quoted)).c_str()) : nullptr;
      ok = r && PQresultStatus(r) == PGRES_COMMAND_OK;
      PQclear(r);
      PQfreemem(quoted);
    }
    if (!ok) {
      if (c) {
        support::log_fault("warn", "listening for other nodes' changes failed; trying again", PQerrorMessage(c));
        PQfinish(c);
      }
      if (!pause(backoff)) return;
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(200);
    listening_ = true;
    ++connects_;
    // Listening from here on: anything committed before may have been missed, so every watcher's view is read again.
    try {
      if (resync_) resync_();
    } catch (const std::exception& e) {
      support::log_fault("error", "resynchronising after (re)connecting failed", e.what());
    }
    while (!stopping_) {
      pollfd p[2] = {{PQsocket(c), POLLIN, 0}, {wake_[0], POLLIN, 0}};
      if (::poll(p, 2, 1000) < 0) continue;
      if (stopping_) break;
      if (p[0].revents == 0) continue;
      if (!PQconsumeInput(c) || PQstatus(c) != CONNECTION_OK) break;  // lost: reconnect
      while (PGnotify* n = PQnotifies(c)) {
        std::string payload = n->extra ? n->extra : "";
        PQfreemem(n);
        try {
          if (heard_) heard_(payload);
        } catch (const std::exception& e) {
          support::log_fault("error", "handling another node's change failed", e.what());
        }
      }
    }
    listening_ = false;
    PQfinish(c);
    if (!stopping_) {
      support::log_fault("warn", "lost the connection that listens for other nodes' changes", "reconnecting");
      if (!pause(backoff)) return;
    }
  }
}

}  // namespace eventd::store
