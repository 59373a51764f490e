#include "support/log.hpp"

#include <cstdio>
#include <string>

namespace eventd::support {
namespace {

void append_escaped(std::string& out, std::string_view text) {
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
}

}  // namespace

void log_fault(std::string_view level, std::string_view msg, std::string_view error) {
  std::string line = "{\"level\":\"";
  append_escaped(line, level);
  line += "\",\"msg\":\"";
  append_escaped(line, msg);
  line += "\",\"error\":\"";
  append_escaped(line, error);
  line += "\"}\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace eventd::support
