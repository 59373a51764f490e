// The goal figures kept current change by change (issue 7: the live `goals` topic). compute_goals (goals.hpp) reads
// every attendance each time; a tally takes one attendance or one event at a time and keeps what the figures need
// from them (per event: home-region attendees; per person: their attendances in time order; per seminar topic: its
// persons), so that a change costs O(log n) and the figures cost O(events), not O(attendances).
// result() equals compute_goals over the same facts (tests/unit/goal_tally_test.cpp checks it over random histories).
#pragma once

#include "domain/goals.hpp"

#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

namespace eventd::domain {

class goal_tally {
public:
  explicit goal_tally(config cfg);

  // Replaces everything (the first load).
  void reset(const std::vector<goal_event>&, const std::vector<goal_attendance>&, std::vector<goal_support_session>,
             const std::vector<goal_evaluation>& evaluations = {});
  // An event as it now is, or gone (nullopt).
  void put_event(id_t id, const std::optional<goal_event>&);
  // A registration's attendance as it now is (its check-in with the person's facts), or none (never checked in, the
  // check-in undone, the registration gone).
  void put_attendance(id_t registration_id, const std::optional<goal_attendance>&);
  void set_support(std::vector<goal_support_session>);
  // Every evaluation answer of one event as it now is (replacing what the tally held for it).
  void put_evaluations(id_t event_id, const std::vector<goal_evaluation>&);

  goals result(time_point now) const;
  // Whether every fact kept falls in the period (every event starts in it, every counselling session is dated in
  // it): then the period's figures are result()'s.
  bool covers(const goal_period&) const;

  std::size_t attendances() const { return attendances_.size(); }

private:
  using key = std::pair<time_point, id_t>;  // (attended_at, registration_id): compute_goals' order of attendances

  const goal_event* event_of(id_t id) const;
  // Whether an attendance counts for the participation figures: its event is known and not cancelled.
  bool counts(const goal_attendance&) const;
  void attach(const goal_attendance&);  // into the participation figures (the attendance counts)
  void detach(const goal_attendance&);
  void person_out(id_t person);  // the person's describing attendance leaves the breakdowns
  void person_in(id_t person);

  config cfg_;
  std::unordered_map<id_t, goal_event> events_;
  std::unordered_map<id_t, goal_attendance> attendances_;          // by registration id
  std::unordered_map<id_t, std::set<id_t>> by_event_;              // event id -> registration ids
  struct home_counts { std::int64_t home = 0, home_user_org = 0; };
  std::unordered_map<id_t, home_counts> home_;                     // event id -> home-region attendances
  std::unordered_map<id_t, std::set<key>> persons_;                // person -> attendances that count
  std::map<std::string, std::map<id_t, std::int64_t>> topic_persons_;  // seminar topic -> person -> attendances
  std::map<std::string, std::int64_t> by_gender_, by_organisation_type_;
  std::int64_t home_region_ = 0, other_region_ = 0;
  std::vector<goal_support_session> support_;
  std::map<std::string, std::int64_t> days_;  // Stockholm start day -> events starting on it
  std::unordered_map<id_t, evaluation_sums> evaluations_;  // event id -> its answers' sums
};

}  // namespace eventd::domain
