// What each live topic holds (../shared/API.md, Live updates): `goals` from a tally that follows the commits, the
// others read from the store when a commit touched them, once for all of their watchers. Public topics carry counts
// only; `checkins:{id}` (organisers) carries names.
#include "api/registration_view.hpp"
#include "api/services.hpp"

#include "domain/goals.hpp"
#include "domain/time.hpp"
#include "support/suspend.hpp"

#include <algorithm>
#include <optional>

namespace eventd::api {
namespace {

constexpr std::size_t recent_checkins = 50;

std::optional<domain::id_t> id_after(const std::string& topic, std::string_view prefix) {
  if (!topic.starts_with(prefix)) return std::nullopt;
  try {
    const auto id = std::stoll(topic.substr(prefix.size()));
    if (id > 0) return id;
  } catch (const std::exception&) {
  }
  return std::nullopt;
}

std::string dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

json checkin_feed(services& s, const domain::event& e) {
  auto regs = s.db.list_registrations(e.id, "", std::nullopt);
  std::erase_if(regs, [](const domain::registration& r) { return !r.checked_in_at; });
  const auto newest_first = [](const domain::registration& a, const domain::registration& b) {
    return std::tie(*a.checked_in_at, a.id) > std::tie(*b.checked_in_at, b.id);
  };
  const auto keep = std::min(regs.size(), recent_checkins);
  std::partial_sort(regs.begin(), regs.begin() + static_cast<std::ptrdiff_t>(keep), regs.end(), newest_first);
  json recent = json::array();
  for (std::size_t i = 0; i < keep; ++i) {
    const auto v = view_of(regs[i]);
    recent.push_back({{"registration_id", v.id},
                      {"name", nullable(v.name)},
                      {"organisation", nullable(v.organisation)},
                      {"walk_in", v.walk_in},
                      {"checked_in_at", domain::format_rfc3339(*v.checked_in_at, e.utc_offset_minutes)}});
  }
  return {{"counts", counts_json(e.counts)}, {"recent", std::move(recent)}};
}

}  // namespace

live_goals::live_goals(services& s) : s_(s), tally_(s.cfg) {}

void live_goals::note(const std::vector<store::change>& changes) {
  using kind = store::change::kind;
  std::lock_guard lock(mutex_);
  if (!keeping_) return;  // nobody has asked yet: the first call reads every fact anyway
  for (const auto& c : changes) {
    if (c.what == kind::mail_queued || c.what == kind::meeting_changed || c.what == kind::profile_saved ||
        c.what == kind::account_changed)
      continue;
    if (c.what == kind::resync) {  // another node's changes were missed: every fact is read again
      reload_ = true;
      continue;
    }
    if (c.what == kind::support_saved) {
      support_dirty_ = true;
      continue;
    }
    if (c.what == kind::event_saved) {
      if (c.event_id > 0) events_.insert(c.event_id);
      continue;
    }
    if (c.what == kind::evaluated) {  // the event's answers are read again, not the attendance
      if (c.event_id > 0) evaluated_events_.insert(c.event_id);
      continue;
    }
    // A registration or a promotion has no attendance, unless it is a walk-in registered with its check-in.
    const bool walk_in = c.what == kind::registered && c.created && c.created->registration.walk_in;
    if ((c.what == kind::registered || c.what == kind::promoted) && !walk_in) continue;
    if (c.registration_id <= 0) continue;
    // The writer's own account of an attendance is taken as it is; anything else is read back at catch_up().
    std::optional<domain::goal_attendance> fact = c.attendance;
    if (!fact && walk_in && c.created->registration.checked_in_at && c.created->registration.person_id > 0) {
      const auto& r = c.created->registration;
      fact = domain::goal_attendance{r.event_id, r.person_id, r.person.gender, r.person.organisation_type, r.home_region,
                                     r.id, *r.checked_in_at};
    }
    if (fact) {
      attendances_[c.registration_id] = std::move(*fact);
      registrations_.erase(c.registration_id);
    } else {
      registrations_.insert(c.registration_id);
      attendances_.erase(c.registration_id);
    }
  }
}

void live_goals::catch_up() {
  // So many changes since the last look that reading every fact again is cheaper than one read each.
  constexpr std::size_t reload_beyond = 4096;
  std::set<domain::id_t> events, registrations, evaluated;
  std::map<domain::id_t, domain::goal_attendance> attendances;
  bool support = false;
  {
    // Taken before the reads: a commit noted from here on is read again at the next catch_up().
    std::lock_guard lock(mutex_);
    keeping_ = true;
    events.swap(events_);
    registrations.swap(registrations_);
    attendances.swap(attendances_);
    evaluated.swap(evaluated_events_);
    std::swap(support, support_dirty_);
    if (reload_) {
      loaded_ = false;
      reload_ = false;
    }
  }
  if (!loaded_ || !events.empty() || !registrations.empty() || !attendances.empty() || !evaluated.empty() || support)
    rendered_.reset();
  if (!loaded_ || events.size() + registrations.size() > reload_beyond) {
    auto facts = s_.db.goal_facts_now();
    tally_.reset(facts.events, facts.attendances, std::move(facts.support), facts.evaluations);
    loaded_ = true;
    return;
  }
  for (const auto id : events) tally_.put_event(id, s_.db.goal_event_of(id));
  for (const auto id : registrations) tally_.put_attendance(id, s_.db.goal_attendance_of(id));
  for (auto& [id, fact] : attendances) tally_.put_attendance(id, std::move(fact));
  if (support) tally_.set_support(s_.db.goal_support_now());
  for (const auto id : evaluated) tally_.put_evaluations(id, s_.db.goal_evaluations_of(id));
}

std::string live_goals::document() { return *body({}, true); }

std::optional<std::string> live_goals::body(const domain::goal_period& period, bool may_block) {
  // catch_up() reads the store under tally_mutex_: its waits block the thread rather than suspend a fiber, which
  // would leave the mutex held on an I/O thread where the next fiber asking for it waits for ever.
  std::optional<support::no_suspend> holding;
  std::unique_lock tally(tally_mutex_, std::defer_lock);
  if (may_block) {
    holding.emplace();
    tally.lock();
    catch_up();
  } else {
    if (!tally.try_lock() || !loaded_) return std::nullopt;
    std::lock_guard lock(mutex_);
    if (!events_.empty() || !registrations_.empty() || !attendances_.empty() || support_dirty_ || !evaluated_events_.empty() || reload_)
      return std::nullopt;
  }
  if (!tally_.covers(period)) return std::nullopt;
  // The figures move with the commits (catch_up() drops the rendering) and with the clock (an event becomes held
  // when it starts): a rendering serves the same period within the same second.
  const auto now = domain::now();
  if (rendered_ && rendered_->at == now && rendered_->period.from == period.from && rendered_->period.to == period.to)
    return rendered_->body;
  rendered_ = rendering{dump(goals_json(tally_.result(now), period)), period, now};
  return rendered_->body;
}

std::function<std::optional<std::string>(const std::string& topic)> live_topics(services& s, live_goals& goals) {
  return [&s, &goals](const std::string& topic) -> std::optional<std::string> {
    if (topic == "events") {
      store::event_filter f;
      json items = json::array();
      for (const auto& e : s.db.list_events(f))
        if (e.status == domain::event_status::published) items.push_back({{"id", e.id}, {"counts", counts_json(e.counts)}});
      return dump(items);
    }
    if (topic == "goals") return goals.document();
    if (auto id = id_after(topic, "event:")) {
      auto e = s.db.get_event(*id);
      if (!e || e->status == domain::event_status::draft) return std::nullopt;
      return dump(counts_json(e->counts));
    }
    if (auto id = id_after(topic, "partner:")) return partner_topic(s, *id);
    if (auto id = id_after(topic, "checkins:")) {
      auto e = s.db.get_event(*id);
      if (!e) return std::nullopt;
      return dump(checkin_feed(s, *e));
    }
    return std::nullopt;
  };
}

}  // namespace eventd::api
