// An event as an RFC 5545 calendar: the .ics download and the part attached to a participant's mail.
#pragma once

#include "domain/types.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace eventd::api {

// A VCALENDAR (METHOD:PUBLISH) holding the event as one VEVENT, CRLF lines folded at 75 octets. `host` is the
// installation's (support::message_host), so the UID ("event-<id>@<host>") is unique across installations and the
// same in every copy; SEQUENCE follows the event's version, so a calendar that imported an earlier copy takes a
// changed one as an update of the same entry.
std::string event_calendar(const domain::event&, std::string_view host);

// One meeting of a participant's agenda at a partner-search forum.
struct agenda_entry {
  domain::id_t meeting_id = 0;
  domain::time_point starts_at = 0, ends_at = 0;
  int table = 0;
  std::string counterpart;  // their name and organisation
  std::string summary;      // their profile's summary
};
// The agenda as a calendar: one VEVENT per meeting (UID "meeting-<id>@<host>"), at the forum's place, the table in
// its title, in the participant's language ("sv" or "en").
std::string agenda_calendar(const domain::event&, const std::vector<agenda_entry>&, std::string_view host,
                            std::string_view language);

}  // namespace eventd::api
