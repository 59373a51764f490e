// The router's path matching and parameter extraction over every real route pattern, and the static-file fallback
// over a small web root. Input: "METHOD\nPATH" (or just a path, sent as GET); the path is what the HTTP layer hands
// over after percent-decoding, so any byte may be in it.
//
// Checks: a matched route's parameters put back into its pattern give the path again, hold no '/' or '.', and
// route_match::id agrees with them; a 405 names what is allowed; the static files never answer with a file or a
// folder outside the web root (siblings whose names start with the root's name hold a marker that must not leak).
#include "harness.hpp"
#include "http/url.hpp"

#include <cstddef>
#include <cstdint>
#include <algorithm>
#include <fstream>

using namespace eventd;

namespace {

// Fixed, so the dictionary can name it; the same content is written by every process that uses it.
const std::filesystem::path fixed_root = "/tmp/eventd-fuzz";
constexpr std::string_view secret = "FUZZ-SECRET-OUTSIDE-WEB-ROOT";

void write_file(const std::filesystem::path& p, std::string_view text) {
  std::filesystem::create_directories(p.parent_path());
  auto tmp = p;
  tmp += "." + std::to_string(::getpid());
  std::ofstream(tmp, std::ios::binary) << text;
  std::filesystem::rename(tmp, p);
}

struct fixtures {
  std::unique_ptr<fuzz::app> a = std::make_unique<fuzz::app>(fuzz::scratch_dir("router"));
  api::router r;
  std::filesystem::path web = fixed_root / "web";

  fixtures() {
    write_file(web / "index.html", "<!doctype html><title>eventd</title>");
    write_file(web / "app.js", "console.log('eventd');");
    write_file(web / "checkin" / "index.html", "<!doctype html><title>check-in</title>");
    write_file(web / "admin" / "style.css", "body{}");
    for (const char* sibling : {"webx", "web.bak", "web-old"}) {
      write_file(fixed_root / sibling / "secret.txt", secret);
      write_file(fixed_root / sibling / "index.html", secret);
    }
    write_file(fixed_root / "secret.txt", secret);
    for (const auto& rt : a->router.routes()) {
      r.add(rt.method, rt.pattern, [pattern = rt.pattern, method = rt.method](const api::request& req, const api::route_match& m,
                                                                               api::responder done) {
        check_match(pattern, method, req, m);
        api::response res;
        res.body = "{}";
        done(res);
      });
    }
    a->services->cfg.web = web.string();
    api::add_static_files(r, *a->services);
  }

  static void check_match(const std::string& pattern, const std::string& method, const api::request& req,
                          const api::route_match& m) {
    api::response none;
    const std::string asked = req.method == "HEAD" ? "GET" : req.method;
    if (asked != method) fuzz::fail("handler of " + method + " " + pattern + " called for " + req.method, req, none);
    std::string rebuilt;
    for (std::size_t i = 0; i < pattern.size();) {
      if (pattern[i] != '{') {
        rebuilt += pattern[i++];
        continue;
      }
      const auto close = pattern.find('}', i);
      const auto name = pattern.substr(i + 1, close - i - 1);
      auto it = m.params.find(name);
      if (it == m.params.end()) fuzz::fail("parameter " + name + " missing for " + pattern, req, none);
      const auto& v = it->second;
      if (v.empty() || v.find('/') != std::string::npos || v.find('.') != std::string::npos)
        fuzz::fail("parameter " + name + " is empty or holds '/' or '.'", req, none);
      const auto id = m.id(name);
      if (id != -1) {
        if (id <= 0 || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 15)
          fuzz::fail("id() accepted a parameter that is no positive number", req, none);
        if (std::to_string(id) != v.substr(std::min(v.find_first_not_of('0'), v.size())))
          fuzz::fail("id() disagrees with the digits", req, none);
      } else if (!v.empty() && v.size() <= 15 && v.find_first_not_of("0123456789") == std::string::npos &&
                 v.find_first_not_of('0') != std::string::npos) {
        fuzz::fail("id() refused a positive number", req, none);
      }
      rebuilt += v;
      i = close + 1;
    }
    if (m.params.size() != static_cast<std::size_t>(std::count(pattern.begin(), pattern.end(), '{')))
      fuzz::fail("extra parameters for " + pattern, req, none);
    if (rebuilt != req.path) fuzz::fail("parameters put back into " + pattern + " give " + rebuilt, req, none);
  }
};

fixtures& state() {
  static fixtures f;
  return f;
}

bool inside_web_root(const std::filesystem::path& web, const std::string& location) {
  // The folder a 301 points to must exist under the root, read as the root plus the path.
  std::error_code ec;
  return std::filesystem::is_directory(web.string() + location, ec);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  auto& f = state();
  std::string in(reinterpret_cast<const char*>(data), size);
  api::request req;
  if (auto nl = in.find('\n'); nl != std::string::npos && nl <= 16) {
    req.method = in.substr(0, nl);
    req.target = in.substr(nl + 1);
  } else {
    req.method = "GET";
    req.target = std::move(in);
  }
  // The target goes through the HTTP layer's own decoding (Boost.URL), as a request on the wire would.
  std::string why;
  auto decoded = http::decode_target(req.target, why);
  if (!decoded) {
    if (why.empty()) fuzz::fail("a refused target without a reason", req, {});
    return 0;
  }
  for (std::size_t i = 0; i < decoded->segments.size(); ++i) {
    const auto& seg = decoded->segments[i];
    if (seg == "." || seg == ".." || seg.find('/') != std::string::npos || seg.find('\0') != std::string::npos ||
        (seg.empty() && i + 1 != decoded->segments.size()))
      fuzz::fail("the decoder let through a segment that names another path: " + seg, req, {});
  }
  req.path = decoded->path;
  req.segments = decoded->segments;
  req.query = decoded->query;
  const auto res = fuzz::call(f.r, req);
  fuzz::check_response(req, res);
  if (res.status == 405) {
    bool allow = false;
    for (const auto& [k, v] : res.headers) allow = allow || (k == "Allow" && !v.empty());
    if (!allow) fuzz::fail("a 405 without Allow", req, res);
  }
  if (res.route == "(static)") {
    if (res.body.find(secret) != std::string::npos) fuzz::fail("a file outside the web root was served", req, res);
    if (res.status == 301) {
      std::string location;
      for (const auto& [k, v] : res.headers)
        if (k == "Location") location = v;
      if (location.empty() || location.front() != '/' || !inside_web_root(f.web, location))
        fuzz::fail("a redirect to a folder outside the web root: " + location, req, res);
    }
  }
  return 0;
}
