#include "domain/time.hpp"

#include <date/date.h>
#include <date/tz.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>

namespace eventd::domain {
namespace {

using std::chrono::seconds;

// The text's shape is checked here, character by character, rather than by date::parse, which also takes a
// one-digit month, a sign before the year, "+2" or "+25:00" as an offset, and stops without a word before
// trailing text. Which dates exist is date's to say.
bool digits(std::string_view s, std::size_t pos, std::size_t n, int& out) {
  if (pos + n > s.size()) return false;
  int v = 0;
  for (std::size_t i = pos; i < pos + n; ++i) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  out = v;
  return true;
}

// The day a date of the years 1900-9999 names; nothing for one that does not exist (30 February, 2100-02-29).
std::optional<date::sys_days> civil_day(int y, int m, int d) {
  if (y < 1900 || y > 9999 || m < 1 || d < 1) return std::nullopt;
  const date::year_month_day day{date::year{y}, date::month{static_cast<unsigned>(m)}, date::day{static_cast<unsigned>(d)}};
  if (!day.ok()) return std::nullopt;
  return date::sys_days{day};
}

std::optional<date::sys_days> read_date(std::string_view s) {
  int y, mo, d;
  if (s.size() != 10 || !digits(s, 0, 4, y) || s[4] != '-' || !digits(s, 5, 2, mo) || s[7] != '-' || !digits(s, 8, 2, d))
    return std::nullopt;
  return civil_day(y, mo, d);
}

// Europe/Stockholm in the system's tz database (Debian's date/tz reads /usr/share/zoneinfo), found once.
const date::time_zone& locate_stockholm() {
  const date::time_zone* zone = nullptr;
  date::sys_info current;
  try {
    zone = date::locate_zone("Europe/Stockholm");
    // The zone's file is read on its first use: use it now, so that a broken database fails here.
    current = zone->get_info(date::floor<seconds>(std::chrono::system_clock::now()));
  } catch (const std::exception& e) {
    std::string why = e.what();
    while (!why.empty() && why.back() == '\n') why.pop_back();
    throw std::runtime_error("Europe/Stockholm is missing from the tz database (install tzdata into /usr/share/zoneinfo): " + why);
  }
  // date/tz 3.0.1 keeps the last offset the zone's file lists for ever after, without the rule that follows the
  // list (HowardHinnant/date#794). A file that lists no change ahead of today ("zic -b slim") would give every
  // summer CET: refuse it rather than show wrong times.
  if (current.end >= date::sys_days{date::year{9999} / date::dec / 31})
    throw std::runtime_error("the tz database lists no change of Europe/Stockholm after " +
                             format_rfc3339(current.begin.time_since_epoch().count()) +
                             ": install tzdata built with zic -b fat (as Debian's is)");
  return *zone;
}

const date::time_zone& stockholm() {
  static const date::time_zone& zone = locate_stockholm();
  return zone;
}

}  // namespace

std::optional<time_point> parse_date(std::string_view s) {
  const auto day = read_date(s);
  if (!day) return std::nullopt;
  return seconds{day->time_since_epoch()}.count();
}

std::optional<parsed_time> parse_rfc3339(std::string_view s) {
  if (s.size() < 20) return std::nullopt;
  const auto day = read_date(s.substr(0, 10));
  if (!day || (s[10] != 'T' && s[10] != 't' && s[10] != ' ')) return std::nullopt;
  int h, mi, sec;
  if (!digits(s, 11, 2, h) || s[13] != ':' || !digits(s, 14, 2, mi) || s[16] != ':' || !digits(s, 17, 2, sec))
    return std::nullopt;
  if (h > 23 || mi > 59 || sec > 60) return std::nullopt;
  std::size_t pos = 19;
  // Fractions of a second: up to nanoseconds, dropped (times are whole seconds).
  if (pos < s.size() && s[pos] == '.') {
    ++pos;
    const std::size_t start = pos;
    while (pos < s.size() && s[pos] >= '0' && s[pos] <= '9') ++pos;
    if (pos == start || pos - start > 9) return std::nullopt;
  }
  if (pos >= s.size()) return std::nullopt;
  int offset = 0;
  if (s[pos] == 'Z' || s[pos] == 'z') {
    ++pos;
  } else if (s[pos] == '+' || s[pos] == '-') {
    int oh, om;
    if (!digits(s, pos + 1, 2, oh) || pos + 3 >= s.size() || s[pos + 3] != ':' || !digits(s, pos + 4, 2, om)) return std::nullopt;
    if (oh > 23 || om > 59) return std::nullopt;
    offset = (oh * 60 + om) * (s[pos] == '-' ? -1 : 1);
    pos += 6;
  } else {
    return std::nullopt;
  }
  if (pos != s.size()) return std::nullopt;
  // A leap second (:60) counts as :59: the epoch's seconds have none.
  const date::sys_seconds local =
      *day + std::chrono::hours{h} + std::chrono::minutes{mi} + seconds{sec == 60 ? 59 : sec};
  return parsed_time{(local - std::chrono::minutes{offset}).time_since_epoch().count(), offset};
}

std::string format_rfc3339(time_point t, int offset_minutes) {
  const date::sys_seconds local{seconds{t + offset_minutes * 60}};
  const auto day = date::floor<date::days>(local);
  const date::year_month_day ymd{day};
  const date::hh_mm_ss<seconds> time{local - day};
  const int y = static_cast<int>(ymd.year());
  const unsigned m = static_cast<unsigned>(ymd.month()), d = static_cast<unsigned>(ymd.day());
  const int hh = static_cast<int>(time.hours().count()), mm = static_cast<int>(time.minutes().count()),
            ss = static_cast<int>(time.seconds().count());
  char buf[40];
  if (offset_minutes == 0) {
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02dZ", y, m, d, hh, mm, ss);
  } else {
    const int a = offset_minutes < 0 ? -offset_minutes : offset_minutes;
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", y, m, d, hh, mm, ss,
                  offset_minutes < 0 ? '-' : '+', a / 60, a % 60);
  }
  return buf;
}

void load_time_zone() { (void)stockholm(); }

int stockholm_offset_minutes(time_point t) {
  const auto info = stockholm().get_info(date::sys_seconds{seconds{t}});
  return static_cast<int>(std::chrono::duration_cast<std::chrono::minutes>(info.offset).count());
}

time_point now() {
  return std::chrono::duration_cast<seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

}  // namespace eventd::domain
