// RFC 3339 timestamps and plain dates, as they come in bodies (starts_at, attended_at) and queries (from, to).
// Checks: whatever parses formats back into a string that parses to the same instant and offset, also in Swedish
// time from the tz database; a date is the midnight its text names; any instant of years 1900-9999 formats and
// parses back, at any offset.
#include "domain/time.hpp"

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

using namespace eventd;

namespace {

const std::int64_t lo = -2208988800 + 86400, hi = 253402300799 - 86400;  // a day inside 1900..9999

[[noreturn]] void fail(const char* why, const std::string& text) {
  std::fprintf(stderr, "fuzz check failed: %s: \"%.200s\"\n", why, text.c_str());
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string in(reinterpret_cast<const char*>(data), size);
  if (auto t = domain::parse_rfc3339(in)) {
    if (t->utc_offset_minutes <= -24 * 60 || t->utc_offset_minutes >= 24 * 60) fail("offset out of range", in);
    const auto text = domain::format_rfc3339(t->at, t->utc_offset_minutes);
    auto again = domain::parse_rfc3339(text);
    if (!again) fail("a parsed time formats into text that does not parse", text);
    if (again->at != t->at || again->utc_offset_minutes != t->utc_offset_minutes) fail("format and parse disagree", text);
    if (text.compare(0, 10, in, 0, 10) != 0) fail("the date changed on the way", text);
    const int so = domain::stockholm_offset_minutes(t->at);
    if (so != 60 && so != 120) fail("Stockholm is not at +01:00 or +02:00", text);
    // Shown in Swedish time (the tz database's offset), the instant still reads back as itself (a day off the ends
    // of 1900-9999, where Swedish time would leave the years the parser takes).
    if (t->at >= lo && t->at < hi) {
      const auto swedish = domain::format_rfc3339(t->at, so);
      auto local = domain::parse_rfc3339(swedish);
      if (!local || local->at != t->at || local->utc_offset_minutes != so) fail("Swedish time does not read back", swedish);
    }
  }
  if (auto d = domain::parse_date(in)) {
    if (*d % 86400 != 0) fail("a date is not a midnight", in);
    if (domain::format_rfc3339(*d) != in + "T00:00:00Z") fail("a date formats to another day", in);
  }
  // Any instant in the years the parser accepts, at any offset a client may send.
  if (size >= 10) {
    std::uint64_t raw;
    std::memcpy(&raw, data, 8);
    const std::int64_t at = lo + static_cast<std::int64_t>(raw % static_cast<std::uint64_t>(hi - lo));
    const int offset = static_cast<int>((data[8] << 8 | data[9]) % (2 * 1439 + 1)) - 1439;
    const auto text = domain::format_rfc3339(at, offset);
    auto back = domain::parse_rfc3339(text);
    if (!back || back->at != at || back->utc_offset_minutes != offset) fail("an instant does not survive format and parse", text);
  }
  return 0;
}
