// The rules of registering: what erasure clears.
#pragma once

#include <array>

namespace eventd::domain {

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
