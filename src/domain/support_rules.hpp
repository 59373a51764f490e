// Counselling (individual support) sessions: what one holds, the form its fields are kept in, and the key that makes
// differently typed project ideas one idea (DOMAIN.md, support indicators; ../shared/API.md, Counselling).
#pragma once

#include "domain/types.hpp"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::domain {

// A person supported in a session: a row of the shared `persons` (one person per normalised e-mail, the same rows
// registrations use), so someone counselled who also attends events is one person in the figures.
struct support_person {
  id_t id = 0;                       // the person's id; 0 until stored
  std::optional<std::string> name;   // none once erased
  std::optional<std::string> email;  // normalised (normalise_email); none once erased
  bool operator==(const support_person&) const = default;
};

struct support_session {
  id_t id = 0;
  std::string date;  // YYYY-MM-DD, the Stockholm day of the session
  std::string organisation;
  std::optional<std::string> organisation_type;
  std::optional<std::string> municipality;
  std::string project_idea;
  double hours = 0;
  std::vector<support_person> persons;
  std::optional<std::string> note;
  time_point created_at = 0;
};

// The fields a create or a change sends; absent ones stay as they are. `persons` replaces the whole list.
struct support_session_patch {
  std::optional<std::string> date;
  std::optional<std::string> organisation;
  std::optional<std::optional<std::string>> organisation_type;  // set to none by null
  std::optional<std::optional<std::string>> municipality;
  std::optional<std::string> project_idea;
  std::optional<double> hours;
  std::optional<std::vector<support_person>> persons;
  std::optional<std::optional<std::string>> note;
};

inline constexpr std::size_t max_support_persons = 100;
inline constexpr double max_support_hours = 1000;

// The same project idea however it is typed: trimmed and case-folded (Unicode: "Ålands Bro" = " ålands bro ").
std::string project_idea_key(std::string_view idea);

// The fields as they are kept: texts trimmed (an empty municipality or note is none), addresses normalised
// exactly as registrations' (normalise_email).
support_session_patch normalise_support(support_session_patch);

void apply(const support_session_patch&, support_session&);

}  // namespace eventd::domain
