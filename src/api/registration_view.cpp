#include "api/registration_view.hpp"

namespace eventd::api {
namespace {
std::optional<std::string_view> shown(const std::optional<std::string>& v) {
  return v ? std::optional<std::string_view>(*v) : std::nullopt;
}
}  // namespace

registration_view view_of(const domain::registration& r) {
  registration_view v;
  v.id = r.id;
  v.event_id = r.event_id;
  v.status = r.status;
  v.waitlist_position = r.waitlist_position;
  v.ticket_code = r.ticket_code;
  if (!r.erased) {
    const auto& p = r.person;
    v.name = p.name;
    v.email = p.email;
    v.organisation = p.organisation;
    v.municipality = shown(p.municipality);
    v.country = shown(p.country);
    v.accessibility_needs = p.accessibility_needs;
    v.accessibility_note = shown(p.accessibility_note);
    v.dietary = shown(p.dietary);
    if (!r.client_network.empty()) v.client_network = r.client_network;
  }
  v.organisation_type = r.person.organisation_type;
  v.gender = r.person.gender;
  v.language = r.person.language;
  v.home_region = r.home_region;
  v.walk_in = r.walk_in;
  v.erased = r.erased;
  v.created_at = r.created_at;
  v.cancelled_at = r.cancelled_at;
  v.checked_in_at = r.checked_in_at;
  v.checkin_forced = r.checkin_forced;
  v.checkin_user_id = r.checkin_user_id;
  if (r.checked_in_at) v.checkin_device = r.checkin_device;
  v.checkin_received_at = r.checkin_received_at;
  return v;
}

}  // namespace eventd::api
