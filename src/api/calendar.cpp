#include "api/calendar.hpp"

#include "domain/time.hpp"

namespace eventd::api {
namespace {

// TEXT values (RFC 5545 3.3.11): backslash, semicolon, comma and line breaks escaped; other control characters,
// which the format does not allow, left out.
std::string ics_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ';' || c == ',') {
      out += '\\';
      out += c;
    } else if (c == '\n') {
      out += "\\n";
    } else if ((static_cast<unsigned char>(c) >= 0x20 && c != 0x7f) || c == '\t') {
      out += c;
    }
  }
  return out;
}

// Folds a content line at 75 octets without splitting a UTF-8 sequence (RFC 5545 3.1).
std::string ics_line(const std::string& line) {
  std::string out;
  std::size_t col = 0;
  for (char ch : line) {
    const auto c = static_cast<unsigned char>(ch);
    if (col >= 74 && (c & 0xC0) != 0x80) {
      out += "\r\n ";
      col = 1;
    }
    out += ch;
    ++col;
  }
  return out + "\r\n";
}

// 20260301T090000Z
std::string ics_time(domain::time_point t) {
  std::string out;
  for (char c : domain::format_rfc3339(t, 0))
    if (c != '-' && c != ':') out += c;
  return out;
}

}  // namespace

// The calendar's opening lines, the same for an event and an agenda.
static std::string calendar_start() {
  std::string out;
  out += ics_line("BEGIN:VCALENDAR");
  out += ics_line("VERSION:2.0");
  out += ics_line("PRODID:-//Networking Europe//eventd//EN");
  out += ics_line("CALSCALE:GREGORIAN");
  out += ics_line("METHOD:PUBLISH");
  return out;
}

std::string event_calendar(const domain::event& e, std::string_view host) {
  std::string out = calendar_start();
  out += ics_line("BEGIN:VEVENT");
  out += ics_line("UID:event-" + std::to_string(e.id) + "@" + std::string(host));
  // With a METHOD, DTSTAMP is when this copy was made (RFC 5545 3.8.7.2); the event's own last change is
  // LAST-MODIFIED. SEQUENCE starts at 0 with the first version and goes up with every change.
  out += ics_line("DTSTAMP:" + ics_time(domain::now()));
  out += ics_line("LAST-MODIFIED:" + ics_time(e.updated_at));
  out += ics_line("SEQUENCE:" + std::to_string(e.version > 1 ? e.version - 1 : 0));
  out += ics_line("DTSTART:" + ics_time(e.starts_at));
  out += ics_line("DTEND:" + ics_time(e.ends_at));
  out += ics_line("SUMMARY:" + ics_text(e.title));
  if (!e.description.empty()) out += ics_line("DESCRIPTION:" + ics_text(e.description));
  if (e.place) {
    auto where = e.place->name;
    if (!e.place->address.empty()) where += (where.empty() ? "" : ", ") + e.place->address;
    if (!where.empty()) out += ics_line("LOCATION:" + ics_text(where));
  }
  out += ics_line(std::string("STATUS:") + (e.status == domain::event_status::cancelled ? "CANCELLED" : "CONFIRMED"));
  out += ics_line("END:VEVENT");
  out += ics_line("END:VCALENDAR");
  return out;
}

std::string agenda_calendar(const domain::event& e, const std::vector<agenda_entry>& entries, std::string_view host,
                            std::string_view language) {
  const bool sv = language == "sv";
  std::string out = calendar_start();
  for (const auto& a : entries) {
    out += ics_line("BEGIN:VEVENT");
    out += ics_line("UID:meeting-" + std::to_string(a.meeting_id) + "@" + std::string(host));
    out += ics_line("DTSTAMP:" + ics_time(domain::now()));
    out += ics_line("DTSTART:" + ics_time(a.starts_at));
    out += ics_line("DTEND:" + ics_time(a.ends_at));
    const auto table = std::to_string(a.table);
    const auto who = a.counterpart.empty() ? std::string(sv ? "ett möte" : "a meeting") : a.counterpart;
    out += ics_line("SUMMARY:" + ics_text((sv ? "Bord " : "Table ") + table + ": " + who));
    auto description = std::string(sv ? "Partnersökningsforum: " : "Partner-search forum: ") + e.title;
    if (!a.summary.empty()) description += "\n\n" + a.summary;
    out += ics_line("DESCRIPTION:" + ics_text(description));
    if (e.place) {
      auto where = e.place->name;
      if (!e.place->address.empty()) where += (where.empty() ? "" : ", ") + e.place->address;
      where += std::string(where.empty() ? "" : ", ") + (sv ? "bord " : "table ") + table;
      out += ics_line("LOCATION:" + ics_text(where));
    }
    out += ics_line("STATUS:CONFIRMED");
    out += ics_line("END:VEVENT");
  }
  out += ics_line("END:VCALENDAR");
  return out;
}

}  // namespace eventd::api
