// An event as an RFC 5545 calendar: the .ics download and the part attached to a participant's mail.
#pragma once

#include "domain/types.hpp"

#include <string>
#include <string_view>

namespace eventd::api {

// A VCALENDAR (METHOD:PUBLISH) holding the event as one VEVENT, CRLF lines folded at 75 octets. `host` is the
// installation's (support::message_host), so the UID ("event-<id>@<host>") is unique across installations and the
// same in every copy; SEQUENCE follows the event's version, so a calendar that imported an earlier copy takes a
// changed one as an update of the same entry.
std::string event_calendar(const domain::event&, std::string_view host);

}  // namespace eventd::api
