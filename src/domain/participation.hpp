// Participation per activity kind (event kind) for the steering group's report and ESF reporting: who attended what.
#pragma once

#include "domain/goals.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace eventd::domain {

struct kind_participation {
  std::int64_t events_held = 0;   // held events of the kind (DOMAIN.md: not cancelled, started)
  std::int64_t attendances = 0;   // attended registrations at its events that were not cancelled
  std::int64_t unique_persons = 0;
  // Each person counted once per kind, described by their latest attendance at an event of that kind (as the
  // overall participation describes them by their latest attendance of all).
  std::map<std::string, std::int64_t> by_gender;
  std::map<std::string, std::int64_t> by_organisation_type;
  std::int64_t home_region = 0;
  std::int64_t other_region = 0;
  bool operator==(const kind_participation&) const = default;
};

// Every event kind of the domain (at zero when nothing happened), from the same facts as compute_goals; limit them to
// a period first with limit_to_period. `attendances` in (attended_at, registration_id) order.
std::map<std::string, kind_participation> participation_by_kind(const std::vector<goal_event>&,
                                                                const std::vector<goal_attendance>&, time_point now);

}  // namespace eventd::domain
