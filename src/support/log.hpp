// One JSON line on stderr for a fault inside the server: the level, a fixed message, and the error's text escaped
// (it may come from SQLite, the file system or libcurl and hold quotes, backslashes or control characters).
#pragma once

#include <string>
#include <string_view>

namespace eventd::support {

// JSON string contents: quotes, backslashes and control characters escaped (other bytes as they are).
std::string json_escape(std::string_view);

void log_fault(std::string_view level, std::string_view msg, std::string_view error);

}  // namespace eventd::support
