#include "domain/registration_rules.hpp"

#include "domain/event_rules.hpp"

namespace eventd::domain {

std::string_view to_string(registration_refusal r) {
  switch (r) {
    case registration_refusal::none: return "none";
    case registration_refusal::cancelled: return "cancelled";
    case registration_refusal::unpublished: return "unpublished";
    case registration_refusal::closed: return "closed";
    case registration_refusal::duplicate: return "duplicate";
  }
  return "none";
}

std::string_view describe(registration_refusal r) {
  switch (r) {
    case registration_refusal::none: return "";
    case registration_refusal::cancelled: return "the event is cancelled";
    case registration_refusal::unpublished: return "the event is not open for registration";
    case registration_refusal::closed: return "registration for this event has closed";
    case registration_refusal::duplicate: return "this e-mail address is already registered for the event";
  }
  return "";
}

registration_decision decide_registration(const event& e, bool walk_in, time_point now) {
  registration_decision d;
  if (e.status == event_status::cancelled) {
    d.refusal = registration_refusal::cancelled;
  } else if (!walk_in && e.status != event_status::published) {
    d.refusal = registration_refusal::unpublished;
  } else if (!walk_in && now >= e.closes_at()) {
    d.refusal = registration_refusal::closed;
  } else if (!gets_seat(e, walk_in)) {
    d.status = registration_status::waitlisted;
    d.waitlist_position = e.counts.waitlisted + 1;
  }
  return d;
}

person_fields normalise_person(person_fields p) {
  p.name = trim(p.name);
  p.email = normalise_email(p.email);
  p.organisation = trim(p.organisation);
  if (p.municipality) p.municipality = trim(*p.municipality);
  if (p.country) p.country = trim(*p.country);
  return p;
}

}  // namespace eventd::domain
