#include "domain/types.hpp"

#include "domain/unicode.hpp"

#include <algorithm>

namespace eventd::domain {

const std::vector<std::string> event_kinds{"seminar", "network_meeting", "partner_search_forum", "network_event", "study_visit"};
const std::vector<std::string> organisation_types{"public", "private", "non_profit", "user_organisation"};
const std::vector<std::string> genders{"woman", "man", "non_binary", "undisclosed"};
const std::vector<std::string> accessibility_needs{"hearing_loop", "sign_language_interpreter", "step_free_access",
                                                   "personal_assistant", "easy_read", "large_print", "allergy", "other"};

bool contains(const std::vector<std::string>& list, std::string_view word) {
  return std::find(list.begin(), list.end(), word) != list.end();
}

std::string_view to_string(event_status s) {
  switch (s) {
    case event_status::draft: return "draft";
    case event_status::published: return "published";
    case event_status::cancelled: return "cancelled";
  }
  return "draft";
}

std::string_view to_string(registration_status s) {
  switch (s) {
    case registration_status::confirmed: return "confirmed";
    case registration_status::waitlisted: return "waitlisted";
    case registration_status::cancelled: return "cancelled";
  }
  return "cancelled";
}

std::string_view to_string(role r) {
  switch (r) {
    case role::admin: return "admin";
    case role::organiser: return "organiser";
    case role::steering: return "steering";
  }
  return "steering";
}

std::optional<event_status> event_status_from(std::string_view s) {
  if (s == "draft") return event_status::draft;
  if (s == "published") return event_status::published;
  if (s == "cancelled") return event_status::cancelled;
  return std::nullopt;
}

std::optional<registration_status> registration_status_from(std::string_view s) {
  if (s == "confirmed") return registration_status::confirmed;
  if (s == "waitlisted") return registration_status::waitlisted;
  if (s == "cancelled") return registration_status::cancelled;
  return std::nullopt;
}

std::optional<role> role_from(std::string_view s) {
  if (s == "admin") return role::admin;
  if (s == "organiser") return role::organiser;
  if (s == "steering") return role::steering;
  return std::nullopt;
}

std::string trim(std::string_view s) {
  auto blank = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v'; };
  while (!s.empty() && blank(s.front())) s.remove_prefix(1);
  while (!s.empty() && blank(s.back())) s.remove_suffix(1);
  return std::string(s);
}

std::string normalise_email(std::string_view s) {
  if (auto canonical = canonical_email(s)) return *canonical;
  // Refused by validation; a lookup with it finds nothing.
  std::string out = trim(s);
  for (auto& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c + 32);
  return out;
}

std::string normalise_ticket_code(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == ' ' || c == '-' || c == '\t') continue;
    out.push_back((c >= 'a' && c <= 'z') ? static_cast<char>(c - 32) : c);
  }
  return out;
}

}  // namespace eventd::domain
