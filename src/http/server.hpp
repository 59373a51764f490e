// The HTTP server: listener, per-connection sessions and graceful shutdown. Beast stays behind this interface.
#pragma once

#include "api/metrics.hpp"
#include "api/router.hpp"
#include "http/websocket.hpp"

#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace eventd::http {

struct options {
  std::string host = "127.0.0.1";
  unsigned short port = 8080;
  int threads = 2;
  std::uint64_t body_limit = 1024 * 1024;
  std::uint32_t header_limit = 16 * 1024;
  int header_timeout_seconds = 10;
  int idle_timeout_seconds = 60;
  int max_connections = 2048;
  // One address may hold at most this many connections, so one client cannot take every slot.
  int max_connections_per_address = 128;
  // Peers whose connections are not capped per address (a reverse proxy carries every client on its own address).
  std::function<bool(const std::string& address)> uncapped_peer;
  // Drain deadline at shutdown: in-flight requests get this long to finish.
  int drain_seconds = 10;
  bool log_requests = true;
  // Serves `GET /ws` (live updates); none: /ws is an ordinary path.
  live_gateway* live = nullptr;
  // Runs a request's handler elsewhere (false: it could not be queued; the request is answered 503). Set when the
  // store's reads wait on a network round trip (PostgreSQL), so that no I/O thread waits with them: every route
  // whose handler may read (api::route::waits_on_store) goes there; static files, /healthz, /metrics and the public
  // registration (which only hands its job to the writer) stay on the I/O threads.
  std::function<bool(std::function<void()>)> offload;
  // Instead of `offload`: every route whose handler may read runs as a stackful fiber on the I/O threads. Its waits for
  // PostgreSQL (support::wait_fd) suspend the fiber, and the thread serves other requests meanwhile. At most
  // `max_fibers` run at once (the read connections: more would only wait for one); the next wait in order, up to
  // 4096, then 503. Each has a stack of `fiber_stack_bytes` with a guard page.
  bool fibers = false;
  int max_fibers = 32;
  std::size_t fiber_stack_bytes = 256 * 1024;
};

class server {
public:
  virtual ~server() = default;
  // Binds and listens; returns the address actually bound, e.g. "http://127.0.0.1:41234".
  virtual std::string listen() = 0;
  // Serves until SIGTERM/SIGINT: then stops accepting, closes live sockets with 1001, lets in-flight requests finish
  // (drain_seconds at most),
  // stops its threads and returns. Work still queued elsewhere may post answers afterwards: they wait, unrun, until
  // the server is destroyed, which must therefore come after the writer and the pools have stopped.
  virtual void run() = 0;
};

std::unique_ptr<server> make_server(const options&, const api::router&, api::metrics&);

}  // namespace eventd::http
