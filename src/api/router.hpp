// Matches method and path to a handler; knows every route, for 404/405 answers, metrics and the OpenAPI check.
#pragma once

#include "api/http_types.hpp"

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::api {

struct route_match {
  std::map<std::string, std::string> params;
  std::int64_t id(const std::string& name) const;  // -1 when not a positive integer
};

using handler = std::function<void(const request&, const route_match&, responder)>;

struct route {
  std::string method;
  std::string pattern;  // e.g. /api/v1/events/{id}/registrations, /api/v1/events/{id}.ics
  handler fn;
  // Whether the handler may wait for the store's reads (on PostgreSQL it then runs off the I/O threads:
  // http::options::offload). False only for handlers that read nothing from the database.
  bool waits_on_store = true;
};

// Which route a request goes to, found once (router::resolve) and then dispatched.
struct resolution {
  const route* found = nullptr;  // method and path match
  route_match match;             // its parameters
  std::string allowed;           // no route found: the methods of those whose pattern takes the path (405)
  // Whether the handler may wait for the store's reads; false when no route matches (404/405 and static files need
  // no database).
  bool waits_on_store() const { return found && found->waits_on_store; }
};

class router {
public:
  void add(std::string method, std::string pattern, handler fn, bool waits_on_store = true);
  resolution resolve(const request&) const;
  // The matching route's waits_on_store (resolve(req).waits_on_store()).
  bool waits_on_store(const request& req) const { return resolve(req).waits_on_store(); }
  // Calls the resolved route's handler; otherwise answers 404 or 405 with a problem. The response carries the route
  // pattern. `r` must come from resolve(req), of this router.
  void dispatch(const request& req, resolution r, responder) const;
  void dispatch(const request& req, responder done) const { dispatch(req, resolve(req), std::move(done)); }
  const std::vector<route>& routes() const { return routes_; }
  // Fallback for GET/HEAD paths no route takes (static files).
  void fallback(handler fn) { fallback_ = std::move(fn); }

private:
  static bool match(std::string_view pattern, std::string_view path, route_match& out);
  std::vector<route> routes_;
  handler fallback_;
};

}  // namespace eventd::api
