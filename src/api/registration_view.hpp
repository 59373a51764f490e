// What of a registration may be shown: the one mapping behind every form of it (JSON, CSV, check-in answers, mail).
#pragma once

#include "domain/types.hpp"

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace eventd::api {

// Borrows from the registration it was made from. Once the personal data is erased, every personal field is empty,
// whatever the registration still holds: writers show only what is here, so none of them blanks anything itself.
struct registration_view {
  domain::id_t id = 0;
  domain::id_t event_id = 0;
  domain::registration_status status = domain::registration_status::confirmed;
  std::optional<std::int64_t> waitlist_position;
  std::string_view ticket_code;

  // Personal: none once erased.
  std::optional<std::string_view> name;
  std::optional<std::string_view> email;
  std::optional<std::string_view> organisation;
  std::optional<std::string_view> municipality;
  std::optional<std::string_view> country;
  std::span<const std::string> accessibility_needs;
  std::optional<std::string_view> accessibility_note;
  std::optional<std::string_view> dietary;
  std::optional<std::string_view> client_network;

  // The anonymous facts that erasure keeps (DOMAIN.md, Privacy).
  std::string_view organisation_type;
  std::string_view gender;
  std::string_view language;
  bool home_region = false;
  bool walk_in = false;
  bool erased = false;
  domain::time_point created_at = 0;
  std::optional<domain::time_point> cancelled_at;
  std::optional<domain::time_point> checked_in_at;
  bool checkin_forced = false;
  // The check-in's audit trail (organisers only): none without a check-in.
  std::optional<domain::id_t> checkin_user_id;
  std::optional<std::string_view> checkin_device;
  std::optional<domain::time_point> checkin_received_at;
};

registration_view view_of(const domain::registration&);

}  // namespace eventd::api
