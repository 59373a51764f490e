#include "http/url.hpp"

#include <boost/url/parse.hpp>
#include <boost/url/url_view.hpp>

namespace eventd::http {

namespace urls = boost::urls;

std::optional<decoded_target> decode_target(std::string_view target, std::string& why) {
  urls::url_view u;
  if (!target.empty() && target.front() == '/') {
    auto r = urls::parse_origin_form(target);
    if (!r) {
      why = "the address is not a valid path and query";
      return std::nullopt;
    }
    u = *r;
  } else {
    // Absolute-form (RFC 9112 3.2.2): servers must accept it; only its path and query matter here.
    auto r = urls::parse_absolute_uri(target);
    if (!r || (r->scheme_id() != urls::scheme::http && r->scheme_id() != urls::scheme::https)) {
      why = "the address must be a path, or an absolute http(s) URL";
      return std::nullopt;
    }
    u = *r;
    if (!u.encoded_path().empty() && u.encoded_path().front() != '/') {
      why = "the address has no absolute path";
      return std::nullopt;
    }
  }

  decoded_target out;
  const auto segs = u.segments();
  const auto count = static_cast<std::size_t>(segs.size());
  std::size_t i = 0;
  for (auto it = segs.begin(); it != segs.end(); ++it, ++i) {
    std::string seg = *it;  // decoded
    if (seg.find('/') != std::string::npos || seg.find('\0') != std::string::npos) {
      why = "a path segment holds an encoded slash or NUL";
      return std::nullopt;
    }
    if (seg == "." || seg == "..") {
      why = "the path holds a dot segment";
      return std::nullopt;
    }
    if (seg.empty() && i + 1 != count) {
      why = "the path holds an empty segment";
      return std::nullopt;
    }
    out.path += '/';
    out.path += seg;
    out.segments.push_back(std::move(seg));
  }
  if (out.path.empty()) out.path = "/";

  if (u.has_query()) {
    for (const auto& p : u.params(urls::encoding_opts(true, false, false))) {
      if (p.key.empty() && !p.has_value) continue;  // "a=1&&b=2"
      out.query[p.key] = p.has_value ? p.value : std::string();
    }
  }
  return out;
}

}  // namespace eventd::http
