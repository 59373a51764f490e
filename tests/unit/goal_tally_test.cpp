// domain::goal_tally (the live `goals` topic's figures) against compute_goals (GET /api/v1/goals) over random
// histories: events made, moved, cancelled, given another topic or deleted; attendances made, undone, changed by an
// edit or an erasure, moved in time; counselling sessions replaced; an event's evaluation answers replaced; the clock
// moving. After every step both must give the same figures.
#include "domain/goal_tally.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>

using namespace eventd::domain;
using eid = eventd::domain::id_t;

namespace {

constexpr time_point now0 = 1778743800;  // 2026-05-14
constexpr time_point day = 86400;

struct history {
  std::mt19937 rng;
  config cfg;
  std::map<eid, goal_event> events;
  std::map<eid, goal_attendance> attendances;  // by registration id
  std::vector<goal_support_session> support;
  std::map<eid, std::vector<goal_evaluation>> evaluations;  // by event id

  explicit history(unsigned seed) : rng(seed) {}

  int pick(int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); }
  bool chance(int percent) { return pick(100) < percent; }
  template <class T>
  const T& one_of(const std::vector<T>& v) { return v[static_cast<std::size_t>(pick(static_cast<int>(v.size())))]; }

  std::optional<std::string> maybe(const std::vector<std::string>& known, const std::string& odd) {
    if (chance(10)) return std::nullopt;
    if (chance(10)) return odd;  // a name the configuration does not list
    return one_of(known);
  }

  goal_event random_event(eid id) {
    goal_event e;
    e.id = id;
    e.kind = one_of(std::vector<std::string>{"network_event", "network_meeting", "partner_search_forum", "seminar"});
    e.title = "Event " + std::to_string(id);
    e.cancelled = chance(20);
    e.starts_at = now0 + (pick(90) - 60) * day + pick(3) * 3600;
    e.ends_at = e.starts_at + pick(3) * day + 3 * 3600;  // some end days after they start: held, not yet ended
    if (e.kind == "network_event") e.network = maybe(cfg.networks, "Some other network");
    if (e.kind == "network_meeting") e.focus_area = maybe(cfg.focus_areas, "odd_area");
    if (e.kind == "seminar") e.topic = maybe(cfg.seminar_topics, "odd_topic");
    e.organised_by_project = !chance(20);
    return e;
  }

  goal_attendance random_attendance(eid registration) {
    goal_attendance a;
    a.registration_id = registration;
    a.event_id = 1 + pick(14);  // ids 13 and 14 are never made: attendances of an unknown event
    a.person_id = 1 + pick(25);
    a.gender = one_of(std::vector<std::string>{"woman", "man", "", "non_binary", "odd_gender"});
    a.organisation_type = chance(10) ? "odd_type" : one_of(organisation_types);
    a.home_region = chance(50);
    a.attended_at = now0 - pick(20) * 600;  // few distinct times: ties are ordered by registration id
    return a;
  }

  std::vector<goal_support_session> random_support() {
    std::vector<goal_support_session> out(static_cast<std::size_t>(pick(4)));
    for (auto& s : out) {
      s.project_idea = "idea " + std::to_string(pick(3));
      s.hours = 0.5 * (1 + pick(8));
      for (int i = pick(3); i > 0; --i) s.person_ids.push_back(1 + pick(35));
    }
    return out;
  }

  // An event's answers as they now are (ids 13 and 14 are never made: answers of an unknown event).
  std::vector<goal_evaluation> random_evaluations(eid event_id) {
    std::vector<goal_evaluation> out(static_cast<std::size_t>(pick(5)));
    for (auto& v : out) {
      v.event_id = event_id;
      v.usefulness = 1 + pick(5);
      v.knowledge_before = 1 + pick(5);
      v.knowledge_after = 1 + pick(5);
      v.plans_tn = one_of(std::vector<std::string>{"yes", "no", "maybe"});
    }
    return out;
  }

  std::vector<goal_evaluation> evaluation_list() const {
    std::vector<goal_evaluation> out;
    for (const auto& [_, answers] : evaluations) out.insert(out.end(), answers.begin(), answers.end());
    return out;
  }

  std::vector<goal_event> event_list() const {
    std::vector<goal_event> ev;
    for (const auto& [_, e] : events) ev.push_back(e);
    return ev;
  }

  // In (attended_at, registration_id) order, as the store reads them.
  std::vector<goal_attendance> attendance_list() const {
    std::vector<goal_attendance> at;
    for (const auto& [_, a] : attendances) at.push_back(a);
    std::sort(at.begin(), at.end(), [](const goal_attendance& a, const goal_attendance& b) {
      return std::pair{a.attended_at, a.registration_id} < std::pair{b.attended_at, b.registration_id};
    });
    return at;
  }

  goals expected(time_point now) const {
    return compute_goals(event_list(), attendance_list(), support, cfg, now, evaluation_list());
  }
};

}  // namespace

TEST(goal_tally, follows_random_histories_exactly) {
  for (unsigned seed = 1; seed <= 60; ++seed) {
    history h(seed);
    goal_tally tally(h.cfg);
    time_point now = now0;
    for (int step = 0; step < 250; ++step) {
      const int what = h.pick(100);
      if (what < 25) {
        const eid id = 1 + h.pick(12);
        if (h.chance(10)) {
          h.events.erase(id);
          tally.put_event(id, std::nullopt);
        } else if (h.events.count(id) && h.chance(50)) {
          auto e = h.events[id];  // an edit: cancelled or restored, or moved, or given another topic
          if (h.chance(50)) e.cancelled = !e.cancelled;
          else if (e.kind == "seminar") e.topic = h.maybe(h.cfg.seminar_topics, "odd_topic");
          else if (h.chance(50)) e.ends_at += (h.pick(5) - 2) * day;  // an end moved: ended or not any more
          else e.starts_at += (h.pick(5) - 2) * day;
          h.events[id] = e;
          tally.put_event(id, e);
        } else {
          h.events[id] = h.random_event(id);
          tally.put_event(id, h.events[id]);
        }
      } else if (what < 90) {
        const eid reg = 1 + h.pick(80);
        if (h.chance(25)) {
          h.attendances.erase(reg);  // never checked in, the check-in undone
          tally.put_attendance(reg, std::nullopt);
        } else if (h.attendances.count(reg) && h.chance(40)) {
          auto a = h.attendances[reg];  // an edit or an erasure: the same check-in, other facts
          a.gender = h.chance(50) ? "" : "man";
          a.home_region = !a.home_region;
          if (h.chance(30)) a.organisation_type = "user_organisation";
          h.attendances[reg] = a;
          tally.put_attendance(reg, a);
        } else {
          h.attendances[reg] = h.random_attendance(reg);
          tally.put_attendance(reg, h.attendances[reg]);
        }
      } else if (what < 93) {
        h.support = h.random_support();
        tally.set_support(h.support);
      } else if (what < 97) {
        const eid id = 1 + h.pick(14);  // answers given or changed: the event's list as it now is
        h.evaluations[id] = h.random_evaluations(id);
        tally.put_evaluations(id, h.evaluations[id]);
      } else {
        now += h.pick(20) * day;  // events become held as time passes
      }
      ASSERT_TRUE(tally.result(now) == h.expected(now)) << "seed " << seed << ", step " << step;
    }
    EXPECT_EQ(tally.attendances(), h.attendances.size());

    // A tally loaded in one go from the same facts agrees too.
    goal_tally loaded(h.cfg);
    loaded.reset(h.event_list(), h.attendance_list(), h.support, h.evaluation_list());
    EXPECT_TRUE(loaded.result(now) == h.expected(now)) << "seed " << seed;
  }
}

TEST(goal_tally, a_person_is_described_by_their_latest_attendance_that_counts) {
  config cfg;
  goal_tally tally(cfg);
  goal_event a;
  a.id = 1;
  a.kind = "seminar";
  a.topic = cfg.seminar_topics.front();
  a.starts_at = now0 - day;
  goal_event b = a;
  b.id = 2;
  tally.put_event(1, a);
  tally.put_event(2, b);
  goal_attendance first{1, 7, "woman", "public", true, 10, now0 - 3600};
  goal_attendance later{2, 7, "man", "user_organisation", false, 11, now0 - 60};
  tally.put_attendance(10, first);
  tally.put_attendance(11, later);
  auto g = tally.result(now0);
  EXPECT_EQ(g.unique_persons, 1);
  EXPECT_EQ(g.by_gender["man"], 1);
  EXPECT_EQ(g.by_gender["woman"], 0);
  EXPECT_EQ(g.other_region, 1);

  // The later event cancelled: the earlier attendance describes the person again.
  b.cancelled = true;
  tally.put_event(2, b);
  g = tally.result(now0);
  EXPECT_EQ(g.by_gender["woman"], 1);
  EXPECT_EQ(g.by_gender["man"], 0);
  EXPECT_EQ(g.home_region, 1);
  EXPECT_EQ(g.by_topic[*a.topic].participants, 1);

  // Both check-ins undone: nobody is left.
  tally.put_attendance(10, std::nullopt);
  tally.put_attendance(11, std::nullopt);
  g = tally.result(now0);
  EXPECT_EQ(g.unique_persons, 0);
  EXPECT_EQ(g.home_region + g.other_region, 0);
  EXPECT_EQ(g.by_topic[*a.topic].participants, 0);
}
