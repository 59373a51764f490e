#include "domain/support_rules.hpp"

#include "domain/unicode.hpp"

namespace eventd::domain {

std::string project_idea_key(std::string_view idea) { return trim(fold_case(trim(idea))); }

support_session_patch normalise_support(support_session_patch p) {
  const auto trimmed = [](std::optional<std::optional<std::string>>& field) {
    if (!field || !*field) return;
    **field = trim(**field);
    if ((*field)->empty()) *field = std::optional<std::string>();
  };
  if (p.date) p.date = trim(*p.date);
  if (p.organisation) p.organisation = trim(*p.organisation);
  trimmed(p.organisation_type);
  trimmed(p.municipality);
  if (p.project_idea) p.project_idea = trim(*p.project_idea);
  trimmed(p.note);
  if (p.persons)
    for (auto& person : *p.persons) {
      if (person.name) person.name = trim(*person.name);
      if (person.email) person.email = normalise_email(*person.email);
    }
  return p;
}

void apply(const support_session_patch& p, support_session& s) {
  if (p.date) s.date = *p.date;
  if (p.organisation) s.organisation = *p.organisation;
  if (p.organisation_type) s.organisation_type = *p.organisation_type;
  if (p.municipality) s.municipality = *p.municipality;
  if (p.project_idea) s.project_idea = *p.project_idea;
  if (p.hours) s.hours = *p.hours;
  if (p.persons) s.persons = *p.persons;
  if (p.note) s.note = *p.note;
}

}  // namespace eventd::domain
