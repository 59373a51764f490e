#include "api/router.hpp"

#include "api/json.hpp"
#include "store/sql.hpp"

namespace eventd::api {

const std::string& request::header(const std::string& name) const {
  static const std::string empty;
  auto it = headers.find(name);
  return it == headers.end() ? empty : it->second;
}

std::int64_t route_match::id(const std::string& name) const {
  auto it = params.find(name);
  if (it == params.end() || it->second.empty() || it->second.size() > 15) return -1;
  std::int64_t v = 0;
  for (char c : it->second) {
    if (c < '0' || c > '9') return -1;
    v = v * 10 + (c - '0');
  }
  return v > 0 ? v : -1;
}

void router::add(std::string method, std::string pattern, handler fn, bool waits_on_store) {
  routes_.push_back({std::move(method), std::move(pattern), std::move(fn), waits_on_store});
}

resolution router::resolve(const request& req) const {
  resolution out;
  const std::string_view method = req.method == "HEAD" ? std::string_view("GET") : std::string_view(req.method);
  route_match m;
  for (const auto& r : routes_) {
    if (!match(r.pattern, req.path, m)) continue;
    if (r.method == method) {
      out.found = &r;
      out.match = std::move(m);
      return out;
    }
    if (!out.allowed.empty()) out.allowed += ", ";
    out.allowed += r.method;
  }
  return out;
}

bool router::match(std::string_view pattern, std::string_view path, route_match& out) {
  out.params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pe = pattern.find('/');
    const auto se = path.find('/');
    std::string_view pseg = pattern.substr(0, pe), seg = path.substr(0, se);
    pattern = pe == std::string_view::npos ? std::string_view{} : pattern.substr(pe);
    path = se == std::string_view::npos ? std::string_view{} : path.substr(se);
    if (!pseg.empty() && pseg.front() == '{') {
      const auto close = pseg.find('}');
      const auto name = pseg.substr(1, close - 1);
      const auto suffix = pseg.substr(close + 1);  // e.g. ".ics"
      if (seg.size() <= suffix.size() || seg.substr(seg.size() - suffix.size()) != suffix) return false;
      const auto value = seg.substr(0, seg.size() - suffix.size());
      // Parameters (ids, tokens) never hold a dot, so /events/1.ics is left to the {id}.ics route.
      if (value.empty() || value.find('.') != std::string_view::npos) return false;
      out.params[std::string(name)] = std::string(value);
    } else if (pseg != seg) {
      return false;
    }
  }
  return true;
}

void router::dispatch(const request& req, resolution found, responder done) const {
  const std::string method = req.method == "HEAD" ? "GET" : req.method;
  if (const route* r = found.found) {
    auto answer = std::make_shared<responder>(std::move(done));
    try {
      r->fn(req, found.match, [answer, pattern = r->pattern](response res) {
        res.route = pattern;
        (*answer)(std::move(res));
      });
    } catch (const store::unavailable_error&) {
      // A read on the way found the database down: try again shortly, as for a write the writer could not save.
      auto res = problem(503, "Database unavailable", "the database cannot be reached just now; please try again");
      res.headers.emplace_back("Retry-After", "2");
      res.route = r->pattern;
      (*answer)(std::move(res));
    }
    return;
  }
  const bool path_known = !found.allowed.empty();
  const std::string& allowed = found.allowed;
  if (path_known) {
    auto res = problem(405, "Method not allowed", "this resource allows " + allowed);
    res.headers.emplace_back("Allow", allowed);
    res.route = "(method not allowed)";
    done(std::move(res));
    return;
  }
  if (fallback_ && (method == "GET") && req.path.rfind("/api/", 0) != 0) {
    fallback_(req, found.match, [done = std::move(done)](response res) {
      res.route = "(static)";
      done(std::move(res));
    });
    return;
  }
  auto res = problem(404, "Not found", "there is nothing at this address");
  res.route = "(unknown)";
  done(std::move(res));
}

}  // namespace eventd::api
