// The programme's goal figures (DOMAIN.md, "Attendance and the goals"), computed from plain facts.
#pragma once

#include "domain/config.hpp"
#include "domain/types.hpp"

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eventd::domain {

struct goal_event {
  id_t id = 0;
  std::string kind;
  std::string title;
  bool cancelled = false;
  time_point starts_at = 0;
  int utc_offset_minutes = 0;  // the offset the event was entered with, so its time reads as on its own page
  std::optional<std::string> focus_area;
  std::optional<std::string> topic;
  std::optional<std::string> network;
  bool organised_by_project = true;
  time_point ends_at = 0;  // the evaluation figures count the events that have ended
};

// One registration that attended (has a check-in). person_id survives erasure; personal data does not.
struct goal_attendance {
  id_t event_id = 0;
  id_t person_id = 0;
  std::string gender;
  std::string organisation_type;
  bool home_region = false;
  id_t registration_id = 0;
  time_point attended_at = 0;  // attendances are taken in (attended_at, registration_id) order
};

struct goal_support_session {
  std::string project_idea;  // already normalised: trimmed, lower-case
  double hours = 0;
  std::vector<id_t> person_ids;
  std::string date;  // YYYY-MM-DD
};

// One participant's evaluation of an event (DOMAIN.md 7) as the figures see it: nothing links it to a person.
struct goal_evaluation {
  id_t event_id = 0;
  int usefulness = 0;        // 1-5
  int knowledge_before = 0;  // 1-5
  int knowledge_after = 0;   // 1-5
  std::string plans_tn;      // yes, no, maybe
};

// Sums over evaluation answers: additive, so a tally can keep them per event.
struct evaluation_sums {
  std::int64_t responses = 0, usefulness = 0, knowledge_change = 0, plans_yes = 0;
  void add(const goal_evaluation&);
  evaluation_sums& operator+=(const evaluation_sums&);
  bool operator==(const evaluation_sums&) const = default;
};

// The evaluation figures (DOMAIN.md 7). Means and shares are over the answers, rounded to two decimals, null when
// there is none; response_rate = responses / attended registrations of the events that have ended, null when none.
struct evaluation_figures {
  std::int64_t responses = 0;
  std::int64_t attended = 0;  // response_rate's denominator
  std::optional<double> response_rate, mean_usefulness, mean_knowledge_change, plans_tn_share;
  bool operator==(const evaluation_figures&) const = default;
};
evaluation_figures evaluation_figures_of(const evaluation_sums&, std::int64_t attended);
// x / y rounded half away from zero to two decimals, computed in whole numbers (so 2.675 is 2.68); y > 0.
double two_decimals(std::int64_t x, std::int64_t y);
// Whether an event's answers count in the figures: it has ended and was not cancelled.
bool evaluations_count(const goal_event&, time_point now);

struct share_figure {
  double goal = 0;
  std::int64_t held_events = 0;
  std::int64_t represented_events = 0;
  double share = 0;
  bool met = false;
  bool operator==(const share_figure&) const = default;
};

// A held network event that nobody from the home region attended: what the 80 % goal still lacks.
struct unrepresented_event {
  id_t id = 0;
  std::string title;
  time_point starts_at = 0;
  int utc_offset_minutes = 0;
  std::optional<std::string> network;
  bool operator==(const unrepresented_event&) const = default;
};

struct goals {
  share_figure representation;
  // Exactly the held network_events that representation.represented_events leaves out, earliest first
  // (so their number is held_events - represented_events).
  std::vector<unrepresented_event> unrepresented_events;
  std::map<std::string, share_figure> representation_by_network;
  share_figure user_organisations;
  std::map<std::string, share_figure> user_organisations_by_network;
  int meetings_goal_per_focus_area = 2;
  struct meetings {
    std::int64_t held = 0, scheduled = 0;
    bool operator==(const meetings&) const = default;
  };
  std::map<std::string, meetings> meetings_by_focus_area;
  bool meetings_met = false;
  std::int64_t meetings_held_total = 0;
  std::int64_t meetings_scheduled_total = 0;
  int forums_goal = 1;
  std::string forum_deadline;
  std::int64_t forums_held = 0;
  std::int64_t forums_scheduled = 0;
  bool forums_met = false;
  std::int64_t unique_persons = 0;
  std::map<std::string, std::int64_t> by_gender;
  std::map<std::string, std::int64_t> by_organisation_type;
  std::int64_t home_region = 0;
  std::int64_t other_region = 0;
  struct topic_figures {
    std::int64_t participants = 0, events = 0;
    bool operator==(const topic_figures&) const = default;
  };
  std::map<std::string, topic_figures> by_topic;
  std::int64_t support_project_ideas = 0;
  std::int64_t support_persons = 0;
  double average_hours_per_project = 0;
  evaluation_figures evaluations;
  bool operator==(const goals&) const = default;
};

bool is_held(const goal_event&, time_point now);
// `attendances` in (attended_at, registration_id) order: a person's last one describes them.
goals compute_goals(const std::vector<goal_event>&, const std::vector<goal_attendance>&,
                    const std::vector<goal_support_session>&, const config&, time_point now,
                    const std::vector<goal_evaluation>& evaluations = {});

// A period of Stockholm days, both ends inclusive (YYYY-MM-DD; either may be open).
struct goal_period {
  std::optional<std::string> from, to;
  bool contains(const std::string& day) const { return (!from || day >= *from) && (!to || day <= *to); }
};
// The Stockholm day an event starts on (YYYY-MM-DD).
std::string stockholm_day(time_point);
// Keeps the facts of a period (DOMAIN.md): the events that start in it, the attendances of those events, and the
// counselling sessions dated in it.
void limit_to_period(const goal_period&, std::vector<goal_event>&, std::vector<goal_attendance>&,
                     std::vector<goal_support_session>&);
// The same, and the evaluations of the events kept (an evaluation belongs to its event's period).
void limit_to_period(const goal_period&, std::vector<goal_event>&, std::vector<goal_attendance>&,
                     std::vector<goal_support_session>&, std::vector<goal_evaluation>&);

// The pieces compute_goals and goal_tally share.
namespace goal_parts {
// Every network, focus area and topic of the configuration, at zero.
void seed(goals&, const config&);
// What comes from the events; `home(id)` says whether that held network event had a home-region attendee (first)
// and one from a user organisation (second).
void add_events(goals&, const std::vector<const goal_event*>& events,
                const std::function<std::pair<bool, bool>(id_t)>& home, const config&, time_point now);
// Shares, whether goals are met, and the counselling figures (`attendee(id)`: whether that person attended).
void finish(goals&, const config&, const std::vector<goal_support_session>&, const std::function<bool(id_t)>& attendee);
// The evaluation figures over the events whose answers count (evaluations_count); `of(id)` gives that event's
// attended registrations and the sums of its answers.
void add_evaluations(goals&, const std::vector<const goal_event*>& events,
                     const std::function<std::pair<std::int64_t, evaluation_sums>(id_t)>& of, time_point now);
}  // namespace goal_parts

}  // namespace eventd::domain
