#include "domain/participation.hpp"

#include <unordered_map>

namespace eventd::domain {

std::map<std::string, kind_participation> participation_by_kind(const std::vector<goal_event>& events,
                                                                const std::vector<goal_attendance>& attendances,
                                                                time_point now) {
  std::map<std::string, kind_participation> out;
  for (const auto& kind : event_kinds) {
    auto& k = out[kind];
    for (const auto& g : genders) k.by_gender[g] = 0;
    for (const auto& o : organisation_types) k.by_organisation_type[o] = 0;
  }
  std::unordered_map<id_t, const goal_event*> by_id;
  for (const auto& e : events) {
    by_id[e.id] = &e;
    if (is_held(e, now)) ++out[e.kind].events_held;
  }
  // Per kind, each person's latest attendance (the order of `attendances` makes the last one win).
  std::map<std::string, std::map<id_t, const goal_attendance*>> persons;
  for (const auto& a : attendances) {
    auto it = by_id.find(a.event_id);
    if (it == by_id.end() || it->second->cancelled) continue;
    ++out[it->second->kind].attendances;
    persons[it->second->kind][a.person_id] = &a;
  }
  for (const auto& [kind, people] : persons) {
    auto& k = out[kind];
    k.unique_persons = static_cast<std::int64_t>(people.size());
    for (const auto& [_, a] : people) {
      ++k.by_gender[a->gender.empty() ? "undisclosed" : a->gender];
      ++k.by_organisation_type[a->organisation_type];
      if (a->home_region) ++k.home_region; else ++k.other_region;
    }
  }
  return out;
}

}  // namespace eventd::domain
