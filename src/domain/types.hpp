// Plain domain types of eventd: events, registrations, users, and the words of DOMAIN.md.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::domain {

using id_t = std::int64_t;
// Seconds since the Unix epoch, UTC. Stored as integers; rendered as RFC 3339 at the edges.
using time_point = std::int64_t;

enum class event_status { draft, published, cancelled };
enum class registration_status { confirmed, waitlisted, cancelled };
enum class role { steering = 1, organiser = 2, admin = 3 };

std::string_view to_string(event_status);
std::string_view to_string(registration_status);
std::string_view to_string(role);
std::optional<event_status> event_status_from(std::string_view);
std::optional<registration_status> registration_status_from(std::string_view);
std::optional<role> role_from(std::string_view);

// The fixed vocabularies of DOMAIN.md. Focus areas, topics and networks come from configuration instead.
extern const std::vector<std::string> event_kinds;
extern const std::vector<std::string> organisation_types;
extern const std::vector<std::string> genders;
extern const std::vector<std::string> accessibility_needs;

bool contains(const std::vector<std::string>& list, std::string_view word);

struct venue {
  std::string name;
  std::string address;
  std::vector<std::string> accessibility;
};

struct event_counts {
  std::int64_t confirmed = 0;
  std::int64_t waitlisted = 0;
  std::int64_t checked_in = 0;
  std::int64_t walk_ins = 0;
  std::optional<std::int64_t> capacity;
  // Seats left; null when unlimited. Never negative, even when walk-ins go beyond capacity.
  std::optional<std::int64_t> available() const {
    if (!capacity) return std::nullopt;
    return confirmed >= *capacity ? 0 : *capacity - confirmed;
  }
};

struct event {
  id_t id = 0;
  std::string kind;
  std::string title;
  std::string description;
  time_point starts_at = 0;
  time_point ends_at = 0;
  // Minutes east of UTC in which the organiser gave the times, so they are shown back as given.
  int utc_offset_minutes = 0;
  std::optional<std::int64_t> capacity;
  std::optional<std::string> focus_area;
  std::optional<std::string> topic;
  std::optional<std::string> network;
  bool organised_by_project = true;
  std::optional<time_point> registration_closes_at;
  // Until when attendees may give or change their evaluation; none: 30 days after the end (evaluation_rules.hpp).
  std::optional<time_point> evaluation_closes_at;
  std::string language = "sv";
  event_status status = event_status::published;
  std::optional<venue> place;
  time_point created_at = 0;
  time_point updated_at = 0;
  // Goes up by one with every change to the fields above (not with the counts): the ETag of the event.
  std::int64_t version = 1;
  event_counts counts;

  time_point closes_at() const { return registration_closes_at.value_or(starts_at); }
  bool registration_open(time_point now) const { return status == event_status::published && now < closes_at(); }
};

// The personal fields a participant gives; shared by registration, walk-in and the participant's own change.
struct person_fields {
  std::string name;
  std::string email;
  std::string organisation;
  std::string organisation_type;
  std::optional<std::string> municipality;
  std::optional<std::string> country;
  std::string gender = "undisclosed";
  std::vector<std::string> accessibility_needs;
  std::optional<std::string> accessibility_note;
  std::optional<std::string> dietary;
  std::string language = "sv";
};

struct registration {
  id_t id = 0;
  id_t event_id = 0;
  id_t person_id = 0;  // the person behind the address (statistics count people once); never shown
  registration_status status = registration_status::confirmed;
  std::optional<std::int64_t> waitlist_position;
  std::string ticket_code;
  person_fields person;
  bool home_region = false;
  bool walk_in = false;
  bool erased = false;
  std::optional<time_point> checked_in_at;
  bool checkin_forced = false;
  // Who recorded the check-in, from which device, and when it reached the server (for organisers' audit).
  std::optional<id_t> checkin_user_id;
  std::string checkin_device;
  std::optional<time_point> checkin_received_at;
  time_point created_at = 0;
  std::optional<time_point> cancelled_at;
  // The registering client's coarse network (IPv4 /24, IPv6 /48), for organisers finding a burst; empty for
  // walk-ins, older rows and once erased. Filled only in the organisers' paged list.
  std::string client_network;
};

struct user {
  id_t id = 0;
  std::string email;
  std::string name;
  domain::role role = role::steering;
  bool active = true;                   // false: deactivated by an admin (no sign-in, no session)
  bool password_reset_pending = false;  // no password works until the mailed link has been used
  time_point created_at = 0;
};

// Normalises an e-mail for identity: trimmed and lower-cased (ASCII).
std::string normalise_email(std::string_view);
// Trims ASCII whitespace at both ends.
std::string trim(std::string_view);
// Ticket codes are typed at doors: upper-case, spaces and hyphens dropped.
std::string normalise_ticket_code(std::string_view);
// The alphabet of ticket codes: no 0/O or 1/I, so a code read aloud or typed is unambiguous (32 symbols, 5 bits each).
inline constexpr std::string_view ticket_alphabet = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ";
inline constexpr std::size_t ticket_length = 8;

}  // namespace eventd::domain
