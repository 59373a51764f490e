// The event's calendar entry (the .ics download and the mail's attachment) and the host that makes its UID unique.
#include "api/calendar.hpp"

#include "support/host.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace {

using eventd::api::event_calendar;

eventd::domain::event meeting() {
  eventd::domain::event e;
  e.id = 7;
  e.title = "Möte i Göteborg";
  e.description = "Line one\nline two; with, punctuation";
  e.starts_at = 1'899'878'400;  // 2030-03-16T08:00:00Z
  e.ends_at = e.starts_at + 3 * 3600;
  e.updated_at = 1'899'000'000;
  e.version = 1;
  e.place = eventd::domain::venue{"Stadshuset", "Hantverkargatan 1, Stockholm", {}};
  return e;
}

// The content lines, unfolded (RFC 5545 3.1).
std::vector<std::string> lines(const std::string& ics) {
  std::vector<std::string> out;
  for (std::size_t at = 0; at < ics.size();) {
    const auto end = ics.find("\r\n", at);
    EXPECT_NE(end, std::string::npos) << "every line ends in CRLF";
    if (end == std::string::npos) break;
    const auto line = ics.substr(at, end - at);
    if (!line.empty() && line.front() == ' ' && !out.empty()) out.back() += line.substr(1);
    else out.push_back(line);
    at = end + 2;
  }
  return out;
}

bool has(const std::vector<std::string>& lines, const std::string& line) {
  for (const auto& l : lines)
    if (l == line) return true;
  return false;
}

TEST(calendar, the_uid_names_the_installation_and_the_entry_holds_the_event) {
  const auto ics = lines(event_calendar(meeting(), "events.example.org"));
  EXPECT_EQ(ics.front(), "BEGIN:VCALENDAR");
  EXPECT_EQ(ics.back(), "END:VCALENDAR");
  EXPECT_TRUE(has(ics, "METHOD:PUBLISH"));
  EXPECT_TRUE(has(ics, "UID:event-7@events.example.org"));
  EXPECT_TRUE(has(ics, "DTSTART:20300316T080000Z"));
  EXPECT_TRUE(has(ics, "DTEND:20300316T110000Z"));
  EXPECT_TRUE(has(ics, "SUMMARY:Möte i Göteborg"));
  EXPECT_TRUE(has(ics, "DESCRIPTION:Line one\\nline two\\; with\\, punctuation"));
  EXPECT_TRUE(has(ics, "LOCATION:Stadshuset\\, Hantverkargatan 1\\, Stockholm"));
  EXPECT_TRUE(has(ics, "LAST-MODIFIED:20300306T040000Z"));
  EXPECT_TRUE(has(ics, "STATUS:CONFIRMED"));
}

TEST(calendar, a_changed_event_has_a_higher_sequence_so_calendars_update_the_entry) {
  auto e = meeting();
  EXPECT_TRUE(has(lines(event_calendar(e, "h.example")), "SEQUENCE:0")) << "the first version";
  e.version = 4;
  EXPECT_TRUE(has(lines(event_calendar(e, "h.example")), "SEQUENCE:3"));
  e.status = eventd::domain::event_status::cancelled;
  EXPECT_TRUE(has(lines(event_calendar(e, "h.example")), "STATUS:CANCELLED"));
}

TEST(calendar, dtstamp_is_when_the_copy_was_made) {
  for (const auto& line : lines(event_calendar(meeting(), "h.example")))
    if (line.starts_with("DTSTAMP:")) {
      ASSERT_EQ(line.size(), std::string("DTSTAMP:20300316T080000Z").size()) << line;
      EXPECT_GE(line.substr(8), "2025") << "this copy's time, not the event's last change";
      return;
    }
  ADD_FAILURE() << "no DTSTAMP";
}

TEST(calendar, long_lines_are_folded_at_75_octets_between_whole_characters) {
  auto e = meeting();
  e.place.reset();
  e.title.clear();
  for (int i = 0; i < 12; ++i) e.title += "Åländsk överenskommelse ";
  const auto ics = event_calendar(e, "h.example");
  for (std::size_t at = 0; at < ics.size();) {
    const auto end = ics.find("\r\n", at);
    const auto line = ics.substr(at, end - at);
    EXPECT_LE(line.size(), 75u) << line;
    const auto first = static_cast<unsigned char>(line[line.front() == ' ' ? 1 : 0]);
    EXPECT_NE(first & 0xC0, 0x80) << "a line never starts inside a UTF-8 sequence: " << line;
    at = end + 2;
  }
  EXPECT_TRUE(has(lines(ics), "SUMMARY:" + e.title));
  for (const auto& line : lines(ics)) EXPECT_FALSE(line.starts_with("LOCATION")) << "no venue, no LOCATION";
}

TEST(message_host, is_the_public_urls_host_lower_cased_without_port_user_or_path) {
  using eventd::support::message_host;
  EXPECT_EQ(message_host("https://Events.Example.ORG:8443/path?q#f"), "events.example.org");
  EXPECT_EQ(message_host("http://127.0.0.1:8080"), "127.0.0.1");
  EXPECT_EQ(message_host("http://user:pw@host.example"), "host.example");
  EXPECT_EQ(message_host(""), "eventd.invalid");
  EXPECT_EQ(message_host("http://%%%/"), "eventd.invalid");
}

}  // namespace
