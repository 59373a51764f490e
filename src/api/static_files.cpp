// The browser client: files under web/, with content types, ETags and no way out of the folder.
#include "api/services.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>

namespace eventd::api {
namespace {

std::string content_type(const std::filesystem::path& p) {
  static const std::map<std::string, std::string> types{
      {".html", "text/html; charset=utf-8"}, {".css", "text/css; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"}, {".mjs", "text/javascript; charset=utf-8"},
      {".json", "application/json"}, {".webmanifest", "application/manifest+json"},
      {".svg", "image/svg+xml"}, {".png", "image/png"}, {".ico", "image/x-icon"}, {".jpg", "image/jpeg"},
      {".woff2", "font/woff2"}, {".txt", "text/plain; charset=utf-8"}, {".wasm", "application/wasm"}};
  auto it = types.find(p.extension().string());
  return it == types.end() ? "application/octet-stream" : it->second;
}

}  // namespace

// True when `p` is `root` or lies below it, compared component by component ("/srv/web" does not contain
// "/srv/webx/a" nor "/srv/web.bak/a", which a plain string prefix would allow).
static bool contains(const std::filesystem::path& root, const std::filesystem::path& p) {
  auto r = root.begin(), q = p.begin();
  for (; r != root.end(); ++r, ++q) {
    if (r->empty() && std::next(r) == root.end()) break;  // a trailing separator on the root
    if (q == p.end() || *r != *q) return false;
  }
  return true;
}

void add_static_files(router& r, services& s) {
  std::error_code ec;
  auto root = std::filesystem::canonical(s.cfg.web, ec);
  if (ec) root = std::filesystem::weakly_canonical(s.cfg.web, ec);
  r.fallback([root](const request& req, const route_match&, responder done) {
    // The segments arrive decoded and checked by the HTTP layer (no "..", ".", '/', NUL or inner empty segment);
    // checked again here, since this is where a path turns into a file.
    std::filesystem::path file = root;
    for (std::size_t i = 0; i < req.segments.size(); ++i) {
      const auto& seg = req.segments[i];
      const bool last = i + 1 == req.segments.size();
      if ((seg.empty() && !last) || seg == "." || seg == ".." || seg.find_first_of(std::string("/\\\0", 3)) != std::string::npos)
        return done(problem(404, "Not found", "there is nothing at this address"));
      if (!seg.empty()) file /= seg;
    }
    const bool folder_asked = req.segments.empty() || req.segments.back().empty();
    std::error_code fec;
    auto canonical = std::filesystem::canonical(file, fec);
    if (fec || !contains(root, canonical)) return done(problem(404, "Not found", "there is nothing at this address"));
    if (std::filesystem::is_directory(canonical, fec)) {
      const bool plain = req.path.find_first_not_of(
                             "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-._~/") == std::string::npos;
      if (!folder_asked && !plain) return done(problem(404, "Not found", "there is nothing at this address"));
      if (!folder_asked) {
        // /checkin -> /checkin/, so the page's relative links resolve inside its folder. The Location is the
        // checked path, never the raw target.
        response moved = problem(301, "Moved permanently", "this folder lives at " + req.path + "/");
        moved.headers.emplace_back("Location", req.path + "/");
        return done(moved);
      }
      canonical = std::filesystem::canonical(canonical / "index.html", fec);
      if (fec || !contains(root, canonical)) return done(problem(404, "Not found", "there is nothing at this address"));
    }
    if (!std::filesystem::is_regular_file(canonical, fec))
      return done(problem(404, "Not found", "there is nothing at this address"));
    const auto size = std::filesystem::file_size(canonical, fec);
    const auto mtime = std::filesystem::last_write_time(canonical, fec).time_since_epoch().count();
    std::ostringstream tag;
    tag << "\"" << std::hex << size << "-" << mtime << "\"";
    response res;
    res.content_type = content_type(canonical);
    res.headers.emplace_back("ETag", tag.str());
    // Pages and scripts change with each release: revalidate every time (a 304 is cheap).
    res.headers.emplace_back("Cache-Control", "no-cache");
    if (req.header("if-none-match") == tag.str()) {
      res.status = 304;
      return done(res);
    }
    std::ifstream in(canonical, std::ios::binary);
    std::ostringstream body;
    body << in.rdbuf();
    res.body = body.str();
    done(res);
  });
}

}  // namespace eventd::api
