#include "domain/event_rules.hpp"

#include <algorithm>

namespace eventd::domain {

event_patch event_patch::replacing(const event& e) {
  event_patch p;
  p.kind = e.kind;
  p.title = e.title;
  p.description = e.description;
  p.starts_at = parsed_time{e.starts_at, e.utc_offset_minutes};
  p.ends_at = e.ends_at;
  p.capacity = e.capacity;
  p.focus_area = e.focus_area;
  p.topic = e.topic;
  p.network = e.network;
  p.organised_by_project = e.organised_by_project;
  p.registration_closes_at = e.registration_closes_at;
  p.evaluation_closes_at = e.evaluation_closes_at;
  p.language = e.language;
  p.status = e.status;
  if (e.place)
    p.place = venue_patch{e.place->name, e.place->address, e.place->accessibility};
  else
    p.place = std::optional<venue_patch>();
  return p;
}

void apply(const event_patch& p, event& e) {
  if (p.kind) e.kind = *p.kind;
  if (p.title) e.title = *p.title;
  if (p.description) e.description = *p.description;
  if (p.starts_at) {
    e.starts_at = p.starts_at->at;
    e.utc_offset_minutes = p.starts_at->utc_offset_minutes;
  }
  if (p.ends_at) e.ends_at = *p.ends_at;
  if (p.capacity) e.capacity = *p.capacity;
  if (p.focus_area) e.focus_area = *p.focus_area;
  if (p.topic) e.topic = *p.topic;
  if (p.network) e.network = *p.network;
  if (p.organised_by_project) e.organised_by_project = *p.organised_by_project;
  if (p.registration_closes_at) e.registration_closes_at = *p.registration_closes_at;
  if (p.evaluation_closes_at) e.evaluation_closes_at = *p.evaluation_closes_at;
  if (p.language) e.language = *p.language;
  if (p.status) e.status = *p.status;
  if (p.place) {
    if (!*p.place) {
      e.place.reset();
    } else {
      venue v = e.place.value_or(venue{});
      const auto& vp = **p.place;
      if (vp.name) v.name = *vp.name;
      if (vp.address) v.address = *vp.address;
      if (vp.accessibility) v.accessibility = *vp.accessibility;
      e.place = std::move(v);
    }
  }
  e.counts.capacity = e.capacity;
}

edit_decision decide_event_edit(const event& stored, const event_patch& patch, const version_condition& if_match,
                                const config& cfg) {
  edit_decision d;
  if (if_match) {
    bool matches = false;
    for (auto v : *if_match) matches = matches || v == stored.version;
    if (!matches) {
      d.refusal = edit_refusal::stale;
      d.detail = "the event has been changed since you read it (it is now at version " + std::to_string(stored.version) +
                 "); read it again and redo your change";
      return d;
    }
  }
  if (stored.status == event_status::cancelled) {
    d.refusal = edit_refusal::cancelled;
    d.detail = "the event is cancelled; a cancelled event cannot be changed";
    return d;
  }
  d.updated = stored;
  apply(patch, d.updated);
  validate_event(d.updated, cfg, d.errors);
  if (!d.errors.empty()) {
    d.refusal = edit_refusal::invalid;
    d.detail = "some fields are wrong";
    return d;
  }
  const auto confirmed = stored.counts.confirmed;
  if (d.updated.capacity != stored.capacity && d.updated.capacity && *d.updated.capacity < confirmed) {
    d.refusal = edit_refusal::capacity_below_confirmed;
    d.detail = std::to_string(confirmed) + " registrations are confirmed; the capacity cannot go below that (cancel "
               "registrations first)";
    d.errors.push_back({"capacity", "must be at least " + std::to_string(confirmed) + ", the number of confirmed registrations"});
    return d;
  }
  return d;
}

bool promotes_waitlist(const event& e, time_point now) {
  return e.status != event_status::cancelled && now < e.starts_at;
}

std::int64_t seats_to_promote(const event& e, time_point now) {
  if (!promotes_waitlist(e, now) || e.counts.waitlisted <= 0) return 0;
  if (!e.capacity) return e.counts.waitlisted;
  const auto free_seats = *e.capacity - e.counts.confirmed;
  return free_seats <= 0 ? 0 : std::min(free_seats, e.counts.waitlisted);
}

std::vector<id_t> promotions(const event& e, std::vector<id_t> waitlist, time_point now) {
  const auto seats = static_cast<std::size_t>(seats_to_promote(e, now));
  std::sort(waitlist.begin(), waitlist.end());
  if (waitlist.size() > seats) waitlist.resize(seats);
  return waitlist;
}

bool gets_seat(const event& e, bool walk_in) {
  return walk_in || !e.capacity || (e.counts.confirmed < *e.capacity && e.counts.waitlisted == 0);
}

}  // namespace eventd::domain
