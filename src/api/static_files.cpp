// The browser client: files under web/, with content types, ETags and no way out of the folder.
#include "api/services.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
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

// True when `p` is `root` or lies under it, compared component by component: a string prefix would let
// /srv/web.bak pass for /srv/web.
bool within(const std::filesystem::path& root, const std::filesystem::path& p) {
  return std::mismatch(root.begin(), root.end(), p.begin(), p.end()).first == root.end();
}

}  // namespace

void add_static_files(router& r, services& s) {
  std::error_code ec;
  auto root = std::filesystem::weakly_canonical(s.cfg.web, ec);
  if (!root.has_filename()) root = root.parent_path();  // "web/" -> "web", so components compare
  r.fallback([root](const request& req, const route_match&, responder done) {
    std::string rel = req.path;
    // Reject anything that could climb out: dot segments, backslashes, NULs. The path is already percent-decoded.
    if (rel.empty() || rel.front() != '/' || rel.find('\0') != std::string::npos || rel.find('\\') != std::string::npos)
      return done(problem(400, "Bad path", "the path is not allowed"));
    // An empty segment too: "//etc" would be joined as the absolute path /etc (found by fuzz_router).
    std::stringstream segs(rel);
    std::string seg;
    for (bool first = true; std::getline(segs, seg, '/'); first = false)
      if (seg == ".." || seg == "." || (seg.empty() && !first)) return done(problem(404, "Not found", "there is nothing at this address"));
    if (rel.back() == '/') rel += "index.html";
    std::filesystem::path file = root / rel.substr(1);
    std::error_code fec;
    // Contained before anything about the file is told, a folder's existence included.
    const auto canonical = std::filesystem::weakly_canonical(file, fec);
    if (fec || !within(root, canonical)) return done(problem(404, "Not found", "there is nothing at this address"));
    if (std::filesystem::is_directory(canonical, fec)) {
      // /checkin -> /checkin/, so the page's relative links resolve inside its folder.
      response moved = problem(301, "Moved permanently", "this folder lives at " + rel + "/");
      moved.headers.emplace_back("Location", rel + "/");
      return done(moved);
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
