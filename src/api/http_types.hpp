// Plain request and response types between the HTTP layer and the handlers, so handlers know nothing of Beast.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace eventd::api {

struct request {
  std::string method;
  std::string target;                          // as received
  std::string path;                            // percent-decoded, without the query
  std::map<std::string, std::string> query;    // decoded; the last value wins
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  std::string request_id;
  std::string remote_address;                  // the peer's IP address, as text

  const std::string& header(const std::string& name) const;
};

struct response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by the router: the route pattern, for metrics and logs (never the raw path, which may hold a token).
  std::string route;
  // When set, fills in this response on the connection's thread before it is sent (see api::reply).
  std::function<void(response&)> finish;

  // Runs `finish`, if any, once.
  void complete() {
    if (!finish) return;
    auto f = std::move(finish);
    finish = nullptr;
    f(*this);
  }
};

using responder = std::function<void(response)>;

}  // namespace eventd::api
