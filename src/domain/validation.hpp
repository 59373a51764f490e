// Field rules for what participants and organisers send; every broken rule becomes one entry in a problem's errors.
#pragma once

#include "domain/config.hpp"
#include "domain/support_rules.hpp"
#include "domain/types.hpp"

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::domain {

struct field_error {
  std::string field;
  std::string message;
  bool operator==(const field_error&) const = default;
};
using field_errors = std::vector<field_error>;

inline constexpr std::size_t max_name = 200;
inline constexpr std::size_t max_email = 254;
inline constexpr std::size_t max_text = 2000;
inline constexpr std::size_t max_title = 300;
inline constexpr std::size_t max_description = 20000;

inline constexpr std::string_view hidden_message = "must not contain invisible, bidirectional or control characters";

// The address's format, after canonical_email; false for anything else.
bool valid_email(std::string_view);
// Why an address as sent is refused (missing, hidden characters, not an address); nullopt when it is fine.
std::optional<std::string> email_problem(std::string_view);
// True when the UTF-8 text has at most `max` code points and no control characters other than tab and newlines.
bool valid_text(std::string_view, std::size_t max, bool multiline = false);
std::string one_of_message(const std::vector<std::string>& words);

void validate_person(const person_fields&, field_errors&);
void validate_event(const event&, const config&, field_errors&);
// A counselling session's fields as sent (before normalise_support): every field present is checked, and when
// `creating` the required ones (date, organisation, project_idea, hours, persons) must be there unless `errors`
// already names them (sent with a wrong type). Persons are named "persons[i].name" and "persons[i].email"; a second
// person with the same normalised address as an earlier one is refused, not merged (the two names may differ).
void validate_support(const support_session_patch&, bool creating, field_errors&);

}  // namespace eventd::domain
