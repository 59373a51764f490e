#include "domain/checkin_rules.hpp"

namespace eventd::domain {

admission_decision decide_admission(const registration& r, bool force, bool person_holds_another) {
  admission_decision d;
  if (r.checked_in_at) {
    d.result = admission::already_checked_in;
    return d;
  }
  if (r.status == registration_status::confirmed) {
    d.result = admission::admit;
    return d;
  }
  const bool cancelled = r.status == registration_status::cancelled;
  if (!force || (cancelled && (person_holds_another || r.erased))) {
    d.result = admission::not_admissible;
    return d;
  }
  d.result = admission::admit;
  d.forced = true;
  d.confirms = true;
  return d;
}

bool admission_needs_other_registrations(const registration& r, bool force) {
  return force && r.status == registration_status::cancelled;
}

void admit(registration& r, const admission_decision& d, time_point attended_at) {
  r.checked_in_at = attended_at;
  r.checkin_forced = d.forced;
  if (d.confirms) {
    r.status = registration_status::confirmed;
    r.waitlist_position.reset();
    r.cancelled_at.reset();
  }
}

std::string scan_subject(std::optional<id_t> registration_id, std::string_view ticket_code) {
  if (registration_id) return "registration:" + std::to_string(*registration_id);
  return "code:" + normalise_ticket_code(ticket_code);
}

bool same_scan_request(const std::optional<scan_request>& stored, const scan_request& incoming) {
  if (!stored) return true;
  return stored->event_id == incoming.event_id && stored->subject == incoming.subject;
}

}  // namespace eventd::domain
