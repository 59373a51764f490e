// RFC 3339 timestamps to and from seconds since the epoch, keeping the offset the client used.
#pragma once

#include "domain/types.hpp"

#include <optional>
#include <string>
#include <string_view>

namespace eventd::domain {

struct parsed_time {
  time_point at = 0;
  int utc_offset_minutes = 0;
};

// Accepts "YYYY-MM-DDTHH:MM:SS[.fff](Z|+HH:MM|-HH:MM)" (a space instead of T too); nothing else.
std::optional<parsed_time> parse_rfc3339(std::string_view);
// Accepts "YYYY-MM-DD" as midnight UTC.
std::optional<time_point> parse_date(std::string_view);
std::string format_rfc3339(time_point, int utc_offset_minutes = 0);
// Offset of Europe/Stockholm at that instant, from the tz database, so the UI shows Swedish time by default.
// Beyond the last change the database's file lists (2037 in Debian's) it stays at that change's offset: date/tz
// 3.0.1 does not read the rule for later years.
int stockholm_offset_minutes(time_point);
// Finds Europe/Stockholm in the tz database, once; throws std::runtime_error saying what is missing. Called at
// start, so that a machine without tzdata fails there rather than at its first request.
void load_time_zone();
time_point now();

}  // namespace eventd::domain
