#include "support/log.hpp"

#include <cstdio>
#include <string>

namespace eventd::support {

std::string json_escape(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (const char ch : text) {
    const auto c = static_cast<unsigned char>(ch);
    if (c == '"' || c == '\\') {
      out += '\\';
      out += ch;
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\u%04x", c);
      out += buf;
    } else {
      out += ch;
    }
  }
  return out;
}

void log_fault(std::string_view level, std::string_view msg, std::string_view error) {
  const std::string line = "{\"level\":\"" + json_escape(level) + "\",\"msg\":\"" + json_escape(msg) +
                           "\",\"error\":\"" + json_escape(error) + "\"}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace eventd::support
