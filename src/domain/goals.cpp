#include "domain/goals.hpp"

#include "domain/time.hpp"

#include <algorithm>
#include <set>
#include <unordered_map>

namespace eventd::domain {

bool is_held(const goal_event& e, time_point now) { return !e.cancelled && e.starts_at <= now; }

std::string stockholm_day(time_point t) { return format_rfc3339(t, stockholm_offset_minutes(t)).substr(0, 10); }

void limit_to_period(const goal_period& p, std::vector<goal_event>& events, std::vector<goal_attendance>& attendances,
                     std::vector<goal_support_session>& support) {
  if (!p.from && !p.to) return;
  std::set<id_t> kept;
  std::erase_if(events, [&](const goal_event& e) {
    if (!p.contains(stockholm_day(e.starts_at))) return true;
    kept.insert(e.id);
    return false;
  });
  std::erase_if(attendances, [&](const goal_attendance& a) { return !kept.count(a.event_id); });
  std::erase_if(support, [&](const goal_support_session& s) { return !p.contains(s.date); });
}

void limit_to_period(const goal_period& p, std::vector<goal_event>& events, std::vector<goal_attendance>& attendances,
                     std::vector<goal_support_session>& support, std::vector<goal_evaluation>& evaluations) {
  limit_to_period(p, events, attendances, support);
  if (!p.from && !p.to) return;
  std::set<id_t> kept;
  for (const auto& e : events) kept.insert(e.id);
  std::erase_if(evaluations, [&](const goal_evaluation& v) { return !kept.count(v.event_id); });
}

void evaluation_sums::add(const goal_evaluation& v) {
  ++responses;
  usefulness += v.usefulness;
  knowledge_change += v.knowledge_after - v.knowledge_before;
  plans_yes += v.plans_tn == "yes";
}

evaluation_sums& evaluation_sums::operator+=(const evaluation_sums& o) {
  responses += o.responses;
  usefulness += o.usefulness;
  knowledge_change += o.knowledge_change;
  plans_yes += o.plans_yes;
  return *this;
}

double two_decimals(std::int64_t x, std::int64_t y) {
  // round(100 x / y) half away from zero, in whole numbers: no binary fraction decides a tie.
  const bool negative = (x < 0) != (y < 0);
  const std::int64_t ax = x < 0 ? -x : x, ay = y < 0 ? -y : y;
  const std::int64_t hundredths = (200 * ax + ay) / (2 * ay);
  return static_cast<double>(negative ? -hundredths : hundredths) / 100.0;
}

evaluation_figures evaluation_figures_of(const evaluation_sums& s, std::int64_t attended) {
  evaluation_figures f;
  f.responses = s.responses;
  f.attended = attended;
  if (attended > 0) f.response_rate = two_decimals(s.responses, attended);
  if (s.responses > 0) {
    f.mean_usefulness = two_decimals(s.usefulness, s.responses);
    f.mean_knowledge_change = two_decimals(s.knowledge_change, s.responses);
    f.plans_tn_share = two_decimals(s.plans_yes, s.responses);
  }
  return f;
}

bool evaluations_count(const goal_event& e, time_point now) { return !e.cancelled && e.ends_at <= now; }

namespace {

void finish_share(share_figure& f, double goal) {
  f.goal = goal;
  f.share = f.held_events == 0 ? 0.0 : static_cast<double>(f.represented_events) / static_cast<double>(f.held_events);
  f.met = f.held_events > 0 && f.share >= goal;
}

}  // namespace

namespace goal_parts {

void seed(goals& g, const config& cfg) {
  for (const auto& n : cfg.networks) {
    g.representation_by_network[n];
    g.user_organisations_by_network[n];
  }
  for (const auto& f : cfg.focus_areas) g.meetings_by_focus_area[f];
  for (const auto& t : cfg.seminar_topics) g.by_topic[t];
  for (const auto& gd : genders) g.by_gender[gd] = 0;
  for (const auto& ot : organisation_types) g.by_organisation_type[ot] = 0;
}

void add_events(goals& g, const std::vector<const goal_event*>& events,
                const std::function<std::pair<bool, bool>(id_t)>& home, const config& cfg, time_point now) {
  const auto deadline_day = parse_date(cfg.goals.forum_deadline).value_or(0);
  // The deadline is the whole of that day in Stockholm.
  const time_point deadline_end = deadline_day + 86400 - 60 * stockholm_offset_minutes(deadline_day);

  for (const auto* ep : events) {
    const auto& e = *ep;
    const bool held = is_held(e, now);
    if (e.kind == "network_event" && held) {
      const auto [rep, uo] = home(e.id);
      ++g.representation.held_events;
      ++g.user_organisations.held_events;
      g.representation.represented_events += rep;
      g.user_organisations.represented_events += uo;
      if (!rep) g.unrepresented_events.push_back({e.id, e.title, e.starts_at, e.utc_offset_minutes, e.network});
      if (e.network) {
        auto& rn = g.representation_by_network[*e.network];
        ++rn.held_events;
        rn.represented_events += rep;
        auto& un = g.user_organisations_by_network[*e.network];
        ++un.held_events;
        un.represented_events += uo;
      }
    } else if (e.kind == "network_meeting" && !e.cancelled && e.focus_area) {
      auto& m = g.meetings_by_focus_area[*e.focus_area];
      if (held) { ++m.held; ++g.meetings_held_total; }
      else { ++m.scheduled; ++g.meetings_scheduled_total; }
    } else if (e.kind == "partner_search_forum" && !e.cancelled && e.organised_by_project) {
      if (held && e.starts_at <= deadline_end) ++g.forums_held;
      else if (!held) ++g.forums_scheduled;
    } else if (e.kind == "seminar" && held && e.topic) {
      ++g.by_topic[*e.topic].events;
    }
  }
  std::sort(g.unrepresented_events.begin(), g.unrepresented_events.end(),
            [](const unrepresented_event& a, const unrepresented_event& b) {
              return a.starts_at != b.starts_at ? a.starts_at < b.starts_at : a.id < b.id;
            });
}

void finish(goals& g, const config& cfg, const std::vector<goal_support_session>& support,
            const std::function<bool(id_t)>& attendee) {
  finish_share(g.representation, cfg.goals.representation);
  finish_share(g.user_organisations, cfg.goals.user_organisations);
  for (auto& [_, f] : g.representation_by_network) finish_share(f, cfg.goals.representation);
  for (auto& [_, f] : g.user_organisations_by_network) finish_share(f, cfg.goals.user_organisations);

  g.meetings_goal_per_focus_area = cfg.goals.meetings_per_focus_area;
  g.meetings_met = !g.meetings_by_focus_area.empty();
  for (const auto& [_, m] : g.meetings_by_focus_area)
    if (m.held < cfg.goals.meetings_per_focus_area) g.meetings_met = false;

  g.forums_goal = cfg.goals.partner_search_forums;
  g.forum_deadline = cfg.goals.forum_deadline;
  g.forums_met = g.forums_held >= cfg.goals.partner_search_forums;

  // Persons supported: those who attended, and those counselled who did not.
  std::map<std::string, double> hours_per_idea;
  std::set<id_t> counselled_only;
  for (const auto& s : support) {
    hours_per_idea[s.project_idea] += s.hours;
    for (const auto id : s.person_ids)
      if (!attendee(id)) counselled_only.insert(id);
  }
  g.support_project_ideas = static_cast<std::int64_t>(hours_per_idea.size());
  g.support_persons = g.unique_persons + static_cast<std::int64_t>(counselled_only.size());
  double total = 0;
  for (const auto& [_, h] : hours_per_idea) total += h;
  g.average_hours_per_project = hours_per_idea.empty() ? 0.0 : total / static_cast<double>(hours_per_idea.size());
}

void add_evaluations(goals& g, const std::vector<const goal_event*>& events,
                     const std::function<std::pair<std::int64_t, evaluation_sums>(id_t)>& of, time_point now) {
  evaluation_sums sums;
  std::int64_t attended = 0;
  for (const auto* e : events) {
    if (!evaluations_count(*e, now)) continue;
    const auto [n, s] = of(e->id);
    attended += n;
    sums += s;
  }
  g.evaluations = evaluation_figures_of(sums, attended);
}

}  // namespace goal_parts

goals compute_goals(const std::vector<goal_event>& events, const std::vector<goal_attendance>& attendances,
                    const std::vector<goal_support_session>& support, const config& cfg, time_point now,
                    const std::vector<goal_evaluation>& evaluations) {
  goals g;
  goal_parts::seed(g, cfg);
  std::unordered_map<id_t, const goal_event*> by_id;
  std::vector<const goal_event*> all;
  for (const auto& e : events) {
    by_id[e.id] = &e;
    all.push_back(&e);
  }

  // Which held network events had a home-region attendee, and a home-region user organisation.
  std::set<id_t> represented, user_org_represented;
  for (const auto& a : attendances) {
    if (!a.home_region) continue;
    represented.insert(a.event_id);
    if (a.organisation_type == "user_organisation") user_org_represented.insert(a.event_id);
  }
  goal_parts::add_events(
      g, all, [&](id_t id) { return std::pair{represented.count(id) > 0, user_org_represented.count(id) > 0}; }, cfg,
      now);

  // Participation counts persons once; their latest attended registration describes them.
  std::map<id_t, const goal_attendance*> persons;
  std::map<std::string, std::set<id_t>> topic_persons;
  for (const auto& a : attendances) {
    auto it = by_id.find(a.event_id);
    if (it == by_id.end() || it->second->cancelled) continue;
    persons[a.person_id] = &a;
    if (it->second->kind == "seminar" && it->second->topic) topic_persons[*it->second->topic].insert(a.person_id);
  }
  g.unique_persons = static_cast<std::int64_t>(persons.size());
  for (const auto& [_, a] : persons) {
    ++g.by_gender[a->gender.empty() ? "undisclosed" : a->gender];
    ++g.by_organisation_type[a->organisation_type];
    if (a->home_region) ++g.home_region; else ++g.other_region;
  }
  for (const auto& [topic, ids] : topic_persons) g.by_topic[topic].participants = static_cast<std::int64_t>(ids.size());

  goal_parts::finish(g, cfg, support, [&](id_t id) { return persons.count(id) > 0; });

  // Evaluations: per event, its attended registrations and the sums of its answers.
  std::unordered_map<id_t, std::pair<std::int64_t, evaluation_sums>> per_event;
  for (const auto& a : attendances) ++per_event[a.event_id].first;
  for (const auto& v : evaluations) per_event[v.event_id].second.add(v);
  goal_parts::add_evaluations(
      g, all,
      [&](id_t id) {
        auto it = per_event.find(id);
        return it == per_event.end() ? std::pair<std::int64_t, evaluation_sums>{} : it->second;
      },
      now);
  return g;
}

}  // namespace eventd::domain
