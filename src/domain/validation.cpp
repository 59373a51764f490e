#include "domain/validation.hpp"

#include "domain/time.hpp"
#include "domain/unicode.hpp"

#include <cmath>
#include <map>

#include <set>

namespace eventd::domain {

bool valid_text(std::string_view s, std::size_t max, bool multiline) {
  std::size_t code_points = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(s[i]);
    if (c < 0x20 && !(multiline && (c == '\n' || c == '\r' || c == '\t'))) return false;
    if (c == 0x7F) return false;
    if ((c & 0xC0) != 0x80) ++code_points;
  }
  // One line of text (a name, a title) must show what it holds: no zero-width or bidirectional control characters.
  return code_points <= max && (multiline || !has_hidden_characters(s));
}

std::optional<std::string> email_problem(std::string_view s) {
  if (trim(s).empty()) return "is required";
  if (has_hidden_characters(s)) return std::string(hidden_message);
  const auto canonical = canonical_email(s);
  if (!canonical || !valid_email(*canonical)) return "must be a valid e-mail address";
  return std::nullopt;
}

bool valid_email(std::string_view s) {
  if (s.size() < 3 || s.size() > max_email) return false;
  const auto at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) return false;
  const auto local = s.substr(0, at);
  const auto domain = s.substr(at + 1);
  if (local.size() > 64 || domain.size() < 3) return false;
  for (unsigned char c : s)
    if (c <= 0x20 || c == 0x7F || c == '<' || c == '>' || c == '(' || c == ')' || c == ',' || c == ';' || c == ':' ||
        c == '\\' || c == '"' || c == '[' || c == ']')
      return false;
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.' ||
      domain.find("..") != std::string_view::npos || local.front() == '.' || local.back() == '.' ||
      local.find("..") != std::string_view::npos)
    return false;
  return true;
}

std::string one_of_message(const std::vector<std::string>& words) {
  std::string m = "must be one of: ";
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (i) m += ", ";
    m += words[i];
  }
  return m;
}

namespace {

bool ascii_control(std::string_view s) {
  for (unsigned char c : s)
    if (c < 0x20 || c == 0x7F) return true;
  return false;
}

void required_text(const std::string& value, const char* field, std::size_t max, field_errors& errors) {
  if (trim(value).empty())
    errors.push_back({field, "is required"});
  else if (!ascii_control(value) && has_hidden_characters(value))
    errors.push_back({field, std::string(hidden_message)});
  else if (!valid_text(value, max))
    errors.push_back({field, "must be at most " + std::to_string(max) + " characters without control characters"});
}

void optional_text(const std::optional<std::string>& value, const char* field, std::size_t max, field_errors& errors,
                   bool multiline = false) {
  if (value && !valid_text(*value, max, multiline))
    errors.push_back({field, "must be at most " + std::to_string(max) + " characters without control characters"});
}

}  // namespace

void validate_person(const person_fields& p, field_errors& errors) {
  required_text(p.name, "name", max_name, errors);
  if (auto problem = email_problem(p.email)) errors.push_back({"email", std::move(*problem)});
  required_text(p.organisation, "organisation", max_name, errors);
  if (p.organisation_type.empty())
    errors.push_back({"organisation_type", "is required"});
  else if (!contains(organisation_types, p.organisation_type))
    errors.push_back({"organisation_type", one_of_message(organisation_types)});
  const bool has_municipality = p.municipality && !trim(*p.municipality).empty();
  const bool has_country = p.country && !trim(*p.country).empty();
  if (!has_municipality && !has_country) errors.push_back({"municipality", "is required (or a country when abroad)"});
  optional_text(p.municipality, "municipality", 100, errors);
  optional_text(p.country, "country", 100, errors);
  if (!contains(genders, p.gender)) errors.push_back({"gender", one_of_message(genders)});
  std::set<std::string> seen;
  for (const auto& need : p.accessibility_needs) {
    if (!contains(accessibility_needs, need)) {
      errors.push_back({"accessibility_needs", one_of_message(accessibility_needs)});
      break;
    }
    if (!seen.insert(need).second) {
      errors.push_back({"accessibility_needs", "must not repeat a need"});
      break;
    }
  }
  optional_text(p.accessibility_note, "accessibility_note", max_text, errors, true);
  optional_text(p.dietary, "dietary", 500, errors, true);
  if (p.language != "sv" && p.language != "en") errors.push_back({"language", "must be one of: sv, en"});
}

void validate_event(const event& e, const config& cfg, field_errors& errors) {
  if (!contains(event_kinds, e.kind)) errors.push_back({"kind", one_of_message(event_kinds)});
  required_text(e.title, "title", max_title, errors);
  if (!valid_text(e.description, max_description, true))
    errors.push_back({"description", "must be at most " + std::to_string(max_description) + " characters"});
  if (e.starts_at != 0 && e.ends_at != 0 && e.ends_at < e.starts_at)
    errors.push_back({"ends_at", "must not be before starts_at"});
  if (e.capacity && (*e.capacity < 1 || *e.capacity > 1000000))
    errors.push_back({"capacity", "must be a whole number from 1 to 1000000, or null for unlimited"});
  if (e.focus_area && !contains(cfg.focus_areas, *e.focus_area)) errors.push_back({"focus_area", one_of_message(cfg.focus_areas)});
  if (e.kind == "network_meeting" && !e.focus_area) errors.push_back({"focus_area", "is required for a network_meeting"});
  if (e.topic && !contains(cfg.seminar_topics, *e.topic)) errors.push_back({"topic", one_of_message(cfg.seminar_topics)});
  if (e.network && !contains(cfg.networks, *e.network)) errors.push_back({"network", one_of_message(cfg.networks)});
  if (e.kind == "network_event" && !e.network) errors.push_back({"network", "is required for a network_event"});
  if (e.registration_closes_at && e.starts_at != 0 && *e.registration_closes_at > e.ends_at)
    errors.push_back({"registration_closes_at", "must not be after ends_at"});
  if (e.evaluation_closes_at && e.ends_at != 0 && *e.evaluation_closes_at < e.ends_at)
    errors.push_back({"evaluation_closes_at", "must not be before ends_at"});
  if (e.language != "sv" && e.language != "en") errors.push_back({"language", "must be one of: sv, en"});
  if (e.place) {
    if (!valid_text(e.place->name, max_name)) errors.push_back({"venue.name", "must be at most 200 characters"});
    if (!valid_text(e.place->address, 500)) errors.push_back({"venue.address", "must be at most 500 characters"});
    for (const auto& need : e.place->accessibility)
      if (!contains(accessibility_needs, need)) {
        errors.push_back({"venue.accessibility", one_of_message(accessibility_needs)});
        break;
      }
  }
}

namespace {

// Whether `errors` already says something about `field` or its parts ("persons" covers "persons[0]"): a field sent
// with a wrong type is not also "required".
bool named(const field_errors& errors, std::string_view field) {
  for (const auto& e : errors)
    if (e.field == field || (e.field.starts_with(field) && e.field.size() > field.size() && e.field[field.size()] == '['))
      return true;
  return false;
}

}  // namespace

void validate_support(const support_session_patch& p, bool creating, field_errors& errors) {
  if (creating) {
    const std::pair<const char*, bool> required[] = {{"date", p.date.has_value()},
                                                     {"organisation", p.organisation.has_value()},
                                                     {"project_idea", p.project_idea.has_value()},
                                                     {"hours", p.hours.has_value()},
                                                     {"persons", p.persons.has_value()}};
    for (const auto& [field, present] : required)
      if (!present && !named(errors, field)) errors.push_back({field, "is required"});
  }
  if (p.date && (p.date->size() != 10 || !parse_date(*p.date)))
    errors.push_back({"date", "must be a date that exists (YYYY-MM-DD)"});
  if (p.organisation) required_text(*p.organisation, "organisation", max_name, errors);
  if (p.organisation_type && *p.organisation_type && !contains(organisation_types, **p.organisation_type))
    errors.push_back({"organisation_type", one_of_message(organisation_types)});
  if (p.municipality && *p.municipality) optional_text(*p.municipality, "municipality", 100, errors);
  if (p.project_idea) required_text(*p.project_idea, "project_idea", max_title, errors);
  if (p.hours && (!std::isfinite(*p.hours) || *p.hours <= 0 || *p.hours > max_support_hours))
    errors.push_back({"hours", "must be a number above 0 and at most " + std::to_string(static_cast<int>(max_support_hours))});
  if (p.note && *p.note) optional_text(*p.note, "note", max_text, errors, true);
  if (!p.persons) return;
  if (p.persons->empty()) errors.push_back({"persons", "must name at least one person"});
  if (p.persons->size() > max_support_persons) {
    errors.push_back({"persons", "must name at most " + std::to_string(max_support_persons) + " persons"});
    return;
  }
  std::map<std::string, std::size_t> first_with;  // normalised address -> the first person giving it
  for (std::size_t i = 0; i < p.persons->size(); ++i) {
    const auto& person = (*p.persons)[i];
    const std::string item = "persons[" + std::to_string(i) + "]", at = item + ".";
    if (named(errors, item)) continue;  // not even an object
    if (!named(errors, at + "name")) required_text(person.name.value_or(""), (at + "name").c_str(), max_name, errors);
    if (named(errors, at + "email")) continue;
    const std::string address = person.email.value_or("");
    if (auto problem = email_problem(address)) {
      errors.push_back({at + "email", std::move(*problem)});
      continue;
    }
    const auto [seen, fresh] = first_with.emplace(normalise_email(address), i);
    if (!fresh) errors.push_back({at + "email", "is the same person as persons[" + std::to_string(seen->second) + "]"});
  }
}

}  // namespace eventd::domain
