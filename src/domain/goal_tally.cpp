#include "domain/goal_tally.hpp"

#include <algorithm>

namespace eventd::domain {

namespace {

const std::string& gender_label(const goal_attendance& a) {
  static const std::string undisclosed = "undisclosed";
  return a.gender.empty() ? undisclosed : a.gender;
}

// A breakdown count going to zero leaves the map, unless the configuration names it (seed lists it at zero).
void add(std::map<std::string, std::int64_t>& m, const std::string& k, std::int64_t by) {
  auto& v = m[k];
  v += by;
  if (v == 0) m.erase(k);
}

}  // namespace

goal_tally::goal_tally(config cfg) : cfg_(std::move(cfg)) {}

void goal_tally::reset(const std::vector<goal_event>& events, const std::vector<goal_attendance>& attendances,
                       std::vector<goal_support_session> support, const std::vector<goal_evaluation>& evaluations) {
  events_.clear();
  attendances_.clear();
  by_event_.clear();
  home_.clear();
  persons_.clear();
  topic_persons_.clear();
  by_gender_.clear();
  by_organisation_type_.clear();
  home_region_ = other_region_ = 0;
  days_.clear();
  for (const auto& e : events) {
    events_[e.id] = e;
    ++days_[stockholm_day(e.starts_at)];
  }
  for (const auto& a : attendances) put_attendance(a.registration_id, a);
  support_ = std::move(support);
  evaluations_.clear();
  for (const auto& v : evaluations) evaluations_[v.event_id].add(v);
}

void goal_tally::put_evaluations(id_t event_id, const std::vector<goal_evaluation>& answers) {
  evaluation_sums sums;
  for (const auto& v : answers)
    if (v.event_id == event_id) sums.add(v);
  if (sums.responses == 0) evaluations_.erase(event_id);
  else evaluations_[event_id] = sums;
}

void goal_tally::set_support(std::vector<goal_support_session> support) { support_ = std::move(support); }

const goal_event* goal_tally::event_of(id_t id) const {
  auto it = events_.find(id);
  return it == events_.end() ? nullptr : &it->second;
}

bool goal_tally::counts(const goal_attendance& a) const {
  const auto* e = event_of(a.event_id);
  return e && !e->cancelled;
}

void goal_tally::person_out(id_t person) {
  auto it = persons_.find(person);
  if (it == persons_.end() || it->second.empty()) return;
  const auto& a = attendances_.at(it->second.rbegin()->second);
  add(by_gender_, gender_label(a), -1);
  add(by_organisation_type_, a.organisation_type, -1);
  (a.home_region ? home_region_ : other_region_) -= 1;
}

void goal_tally::person_in(id_t person) {
  auto it = persons_.find(person);
  if (it == persons_.end()) return;
  if (it->second.empty()) {
    persons_.erase(it);
    return;
  }
  const auto& a = attendances_.at(it->second.rbegin()->second);
  add(by_gender_, gender_label(a), 1);
  add(by_organisation_type_, a.organisation_type, 1);
  (a.home_region ? home_region_ : other_region_) += 1;
}

void goal_tally::attach(const goal_attendance& a) {
  if (!counts(a)) return;
  persons_[a.person_id].insert({a.attended_at, a.registration_id});
  const auto& e = events_.at(a.event_id);
  if (e.kind == "seminar" && e.topic) ++topic_persons_[*e.topic][a.person_id];
}

void goal_tally::detach(const goal_attendance& a) {
  if (!counts(a)) return;
  if (auto p = persons_.find(a.person_id); p != persons_.end()) p->second.erase({a.attended_at, a.registration_id});
  const auto& e = events_.at(a.event_id);
  if (e.kind == "seminar" && e.topic) {
    auto t = topic_persons_.find(*e.topic);
    if (t != topic_persons_.end()) {
      auto p = t->second.find(a.person_id);
      if (p != t->second.end() && --p->second <= 0) t->second.erase(p);
      if (t->second.empty()) topic_persons_.erase(t);
    }
  }
}

void goal_tally::put_attendance(id_t registration_id, const std::optional<goal_attendance>& now) {
  auto old = attendances_.find(registration_id);
  // The persons whose describing attendance may change: the old one's and the new one's.
  std::vector<id_t> touched;
  if (old != attendances_.end()) touched.push_back(old->second.person_id);
  if (now && (touched.empty() || touched.front() != now->person_id)) touched.push_back(now->person_id);
  for (const auto p : touched) person_out(p);

  if (old != attendances_.end()) {
    const auto& a = old->second;
    detach(a);
    if (a.home_region) {
      auto& h = home_[a.event_id];
      --h.home;
      if (a.organisation_type == "user_organisation") --h.home_user_org;
      if (h.home == 0) home_.erase(a.event_id);  // home_user_org counts a part of them
    }
    if (auto b = by_event_.find(a.event_id); b != by_event_.end()) {
      b->second.erase(registration_id);
      if (b->second.empty()) by_event_.erase(b);
    }
    attendances_.erase(old);
  }
  if (now) {
    auto& a = attendances_[registration_id] = *now;
    a.registration_id = registration_id;
    if (a.home_region) {
      auto& h = home_[a.event_id];
      ++h.home;
      if (a.organisation_type == "user_organisation") ++h.home_user_org;
    }
    by_event_[a.event_id].insert(registration_id);
    attach(a);
  }
  for (const auto p : touched) person_in(p);
}

void goal_tally::put_event(id_t id, const std::optional<goal_event>& now) {
  // The event's attendances leave the participation figures as the event was and come back as it is: a cancellation
  // (or its reversal, or a seminar's new topic) moves exactly them.
  std::vector<const goal_attendance*> mine;
  std::set<id_t> persons;
  if (auto b = by_event_.find(id); b != by_event_.end()) {
    for (const auto r : b->second) {
      mine.push_back(&attendances_.at(r));
      persons.insert(mine.back()->person_id);
    }
  }
  for (const auto p : persons) person_out(p);
  for (const auto* a : mine) detach(*a);
  if (auto was = events_.find(id); was != events_.end()) {
    auto day = days_.find(stockholm_day(was->second.starts_at));
    if (day != days_.end() && --day->second == 0) days_.erase(day);
  }
  if (now) {
    auto& e = events_[id] = *now;
    e.id = id;
    ++days_[stockholm_day(e.starts_at)];
  } else {
    events_.erase(id);
  }
  for (const auto* a : mine) attach(*a);
  for (const auto p : persons) person_in(p);
}

bool goal_tally::covers(const goal_period& p) const {
  if (!days_.empty() && !(p.contains(days_.begin()->first) && p.contains(days_.rbegin()->first))) return false;
  return std::all_of(support_.begin(), support_.end(), [&](const goal_support_session& s) { return p.contains(s.date); });
}

goals goal_tally::result(time_point now) const {
  goals g;
  goal_parts::seed(g, cfg_);
  std::vector<const goal_event*> all;
  all.reserve(events_.size());
  for (const auto& [_, e] : events_) all.push_back(&e);
  goal_parts::add_events(
      g, all,
      [this](id_t id) {
        auto it = home_.find(id);
        return it == home_.end() ? std::pair{false, false} : std::pair{it->second.home > 0, it->second.home_user_org > 0};
      },
      cfg_, now);
  g.unique_persons = static_cast<std::int64_t>(persons_.size());
  for (const auto& [k, v] : by_gender_) g.by_gender[k] += v;
  for (const auto& [k, v] : by_organisation_type_) g.by_organisation_type[k] += v;
  g.home_region = home_region_;
  g.other_region = other_region_;
  for (const auto& [topic, persons] : topic_persons_)
    g.by_topic[topic].participants = static_cast<std::int64_t>(persons.size());
  goal_parts::finish(g, cfg_, support_, [this](id_t id) { return persons_.count(id) > 0; });
  goal_parts::add_evaluations(
      g, all,
      [this](id_t id) {
        std::pair<std::int64_t, evaluation_sums> out;
        if (auto b = by_event_.find(id); b != by_event_.end()) out.first = static_cast<std::int64_t>(b->second.size());
        if (auto v = evaluations_.find(id); v != evaluations_.end()) out.second = v->second;
        return out;
      },
      now);
  return g;
}

}  // namespace eventd::domain
