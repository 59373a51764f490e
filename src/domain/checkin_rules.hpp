// The rules of check-in at the door: who is admitted, and when a repeated scan_id is the same request.
#pragma once

#include "domain/types.hpp"

#include <optional>
#include <string>

namespace eventd::domain {

enum class admission { admit, already_checked_in, not_admissible };

struct admission_decision {
  admission result = admission::not_admissible;
  bool forced = false;     // admitted although not confirmed
  bool confirms = false;   // the registration becomes confirmed (it was waitlisted or cancelled)
};

// A confirmed registration is admitted; a waitlisted or cancelled one only by force, and then it becomes confirmed:
// the person is in the room and holds a place (beyond capacity if need be, as a walk-in does), so the counts and the
// registration agree. A cancelled one cannot come back while the same person holds another active registration for
// the event (`person_holds_another`): that one is the one to check in; nor once its personal data is erased.
admission_decision decide_admission(const registration&, bool force, bool person_holds_another);
// Whether decide_admission needs `person_holds_another`: only for a forced check-in of a cancelled registration, so
// the store looks for the person's other registrations then and only then.
bool admission_needs_other_registrations(const registration&, bool force);
// The registration as an admission leaves it: checked in at `attended_at` (forced or not) and, when the decision
// confirms it, confirmed, out of the waitlist and no longer cancelled.
void admit(registration&, const admission_decision&, time_point attended_at);

// What a scan asks for, as far as its scan_id (an idempotency key) is concerned: the event and whom it admits (the
// registration the code or id names, or the code itself when it names none). Force is not part of it: a refused
// scan sent again with force keeps its first answer (admitting anyway takes a new scan_id), as a replayed offline
// batch must not turn a stored refusal into an admission.
struct scan_request {
  id_t event_id = 0;
  std::string subject;
};

// "registration:<id>" when the scan names a registration (by id or by a code that decodes to one), else
// "code:<normalised code>", so a code typed in another way or the same person sent by id is still the same subject.
std::string scan_subject(std::optional<id_t> registration_id, std::string_view ticket_code);

// A scan_id seen before answers its first answer again only for the same request; reused for another event, another
// ticket, it is refused. `stored` is empty for answers kept before requests were recorded.
bool same_scan_request(const std::optional<scan_request>& stored, const scan_request& incoming);

}  // namespace eventd::domain
