// The WebSocket end of the live hub: `GET /ws` upgraded in the HTTP server's own port (../shared/API.md, Live
// updates). The protocol is live::client's; this file only moves its messages over Beast's websocket stream.
#pragma once

#include "domain/types.hpp"
#include "live/hub.hpp"

#include <boost/asio/awaitable.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace eventd::api {
struct request;
}

namespace eventd::http {

struct live_settings {
  live::hub* hub = nullptr;  // none: /ws answers 404
  // The upgrade request's session (its cookie or bearer token), and a token sent in an auth message.
  std::function<std::optional<domain::role>(const api::request&)> role_of;
  std::function<std::optional<domain::role>(const std::string& token)> role_of_token;
  // The registration a participant's private link names (auth with manage_token), or nullopt.
  std::function<std::optional<domain::id_t>(const std::string& manage_token)> registration_of;
  // The session token of the upgrade request (its bearer or cookie), empty when none.
  std::function<std::string(const api::request&)> token_of;
  // Browser origins allowed besides the server's own.
  std::vector<std::string> allowed_origins;
  int max_connections = 10000;
  int max_connections_per_address = 256;
  // Nothing heard for this long closes the socket; a ping goes out halfway.
  int idle_timeout_seconds = 40;
  // How often a connection's session is checked again (signed out, expired, another role): private topics it no
  // longer reaches end with error forbidden.
  int recheck_seconds = 30;
};

// Live connections: their caps, and closing them all at shutdown.
class live_gateway {
public:
  explicit live_gateway(live_settings);
  ~live_gateway();
  // Whether an upgrade from this page origin may proceed (Origin and Host of the upgrade request).
  bool origin_allowed(std::string_view origin, std::string_view host) const;
  // Takes a place for a connection from `address` within the caps (the per-address one unless `per_address_cap` is
  // false: a trusted proxy carries many clients); false when there is none.
  bool admit(const std::string& address, bool per_address_cap = true);
  // Serves one admitted connection until it ends, then gives its place back. `req` is the upgrade request; `role`
  // what its session holds.
  boost::asio::awaitable<void> serve(boost::beast::tcp_stream stream, boost::beast::http::request<boost::beast::http::string_body> req,
                                     std::string address, std::optional<domain::role> role,
                                     std::string credential = {});
  // Shutdown: every connection gets a close frame with 1001 (going away).
  void close_all();
  std::size_t open() const;
  const live_settings& settings() const { return settings_; }

  struct connection;  // defined in websocket.cpp

private:
  void release(const std::string& address);
  // Every recheck_seconds: each connection with a credential rechecks it on its strand. One coroutine for all,
  // started with the first connection, ended by close_all.
  boost::asio::awaitable<void> recheck_loop();

  live_settings settings_;
  struct registry;
  std::unique_ptr<registry> registry_;
};

}  // namespace eventd::http
