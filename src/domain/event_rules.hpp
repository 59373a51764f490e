// The rules for changing an event and for moving its waitlist: what a PATCH may do to the stored event, and when
// waitlisted registrations are promoted.
#pragma once

#include "domain/config.hpp"
#include "domain/time.hpp"
#include "domain/types.hpp"
#include "domain/validation.hpp"

#include <optional>
#include <string>
#include <vector>

namespace eventd::domain {

// A change to an event: each field present is set, the others keep their stored value. A nullable field is an
// optional of an optional: absent leaves it, an empty inner value clears it.
struct event_patch {
  struct venue_patch {
    std::optional<std::string> name;
    std::optional<std::string> address;
    std::optional<std::vector<std::string>> accessibility;
  };
  std::optional<std::string> kind;
  std::optional<std::string> title;
  std::optional<std::string> description;
  std::optional<parsed_time> starts_at;  // also sets the offset the times are shown in
  std::optional<time_point> ends_at;
  std::optional<std::optional<std::int64_t>> capacity;
  std::optional<std::optional<std::string>> focus_area;
  std::optional<std::optional<std::string>> topic;
  std::optional<std::optional<std::string>> network;
  std::optional<bool> organised_by_project;
  std::optional<std::optional<time_point>> registration_closes_at;
  std::optional<std::optional<time_point>> evaluation_closes_at;
  std::optional<std::string> language;
  std::optional<event_status> status;
  // null removes the venue; an object changes the fields it names, on top of the stored venue.
  std::optional<std::optional<venue_patch>> place;

  // A patch that sets every field to `e`'s value.
  static event_patch replacing(const event& e);
};

void apply(const event_patch&, event&);

// The versions an If-Match names. Absent (no header, or "*") places no condition on the version.
using version_condition = std::optional<std::vector<std::int64_t>>;

enum class edit_refusal { none, not_found, stale, cancelled, invalid, capacity_below_confirmed };

struct edit_decision {
  edit_refusal refusal = edit_refusal::none;
  event updated;             // the stored event with the patch applied, when allowed
  field_errors errors;       // for invalid and capacity_below_confirmed
  std::string detail;
};

// Decides a change against the event as it is stored now (read inside the write, never from an earlier snapshot):
// a stale version is refused first, then a cancelled event (it stays cancelled), then invalid fields, then a
// capacity below the registrations already confirmed. Keeping the capacity as it is stays allowed even when
// walk-ins have taken confirmed beyond it.
edit_decision decide_event_edit(const event& stored, const event_patch&, const version_condition&, const config&);

// Waitlisted registrations move up only while the event is not cancelled and has not started: once it is under
// way a freed seat goes to whoever comes to the door, not to someone who may already have given up.
bool promotes_waitlist(const event&, time_point now);
// How many waitlisted registrations to confirm now (0 when none may be).
std::int64_t seats_to_promote(const event&, time_point now);
// Which of the event's waitlisted registrations to confirm now: the earliest arrivals (ids are given in arrival
// order), never more than seats_to_promote. `waitlist` may come in any order and need hold no more than the
// seats_to_promote lowest ids.
std::vector<id_t> promotions(const event&, std::vector<id_t> waitlist, time_point now);
// Whether a new registration gets a seat: while seats are free and nobody waits for one (after the start a freed
// seat is not promoted, and a newcomer must not pass those waiting). Walk-ins always do.
bool gets_seat(const event&, bool walk_in);

}  // namespace eventd::domain
