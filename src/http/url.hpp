// Request targets (RFC 9112 origin-form and absolute-form) decoded into path segments and query parameters.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::http {

struct decoded_target {
  // Each segment percent-decoded. None holds '/', a NUL, or is "." or ".."; only the last may be empty (a
  // trailing slash). So joining them again cannot name another path than the one the client sent.
  std::vector<std::string> segments;
  std::string path;                         // "/" + segments joined with "/"
  std::map<std::string, std::string> query; // decoded, '+' as space; the last value of a key wins
};

// The decoded target, or nullopt with `why` saying what is wrong (for a 400 answer).
std::optional<decoded_target> decode_target(std::string_view target, std::string& why);

}  // namespace eventd::http
