// The rules of registering: whether an event takes a registration now and with which status, the form in which a
// person's fields are kept, and what erasure clears.
#pragma once

#include "domain/types.hpp"

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace eventd::domain {

// Why a registration is refused. to_string gives the word the API reports as "reason", describe the sentence.
enum class registration_refusal { none, cancelled, unpublished, closed, duplicate };
std::string_view to_string(registration_refusal);
std::string_view describe(registration_refusal);

struct registration_decision {
  registration_refusal refusal = registration_refusal::none;
  registration_status status = registration_status::confirmed;
  std::optional<std::int64_t> waitlist_position;  // when waitlisted: last in line
};

// Decides a new registration against the event as stored now (its counts read inside the write). A cancelled event
// takes nobody. A walk-in is taken even when registration is closed or the event a draft, and always gets a seat
// (the person is in the room); anyone else needs a published event whose registration has not closed, and gets a
// seat (gets_seat) or the last place in line. The one rule this cannot see, one active registration per person and
// event (`duplicate`), the store checks once it knows the person.
registration_decision decide_registration(const event&, bool walk_in, time_point now);

// The fields as they are kept: name, organisation and places trimmed, the address normalised (normalise_email).
person_fields normalise_person(person_fields);

// What identifies a person in a registration. Erasure clears exactly these and keeps the anonymous facts
// (organisation type, gender, home region, language), the status and the check-in, so the goal figures stay.
enum class personal_field {
  name, email, organisation, municipality, country, accessibility_needs, accessibility_note, dietary, client_network
};
inline constexpr std::array erased_fields{personal_field::name, personal_field::email, personal_field::organisation,
                                          personal_field::municipality, personal_field::country,
                                          personal_field::accessibility_needs, personal_field::accessibility_note,
                                          personal_field::dietary, personal_field::client_network};

}  // namespace eventd::domain
