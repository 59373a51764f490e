// Evaluations (DOMAIN.md 7): the figures on small hand-worked scenarios, who may answer and until when, an answer's
// fields, and one event's results.
#include "domain/evaluation_rules.hpp"

#include <gtest/gtest.h>

using namespace eventd::domain;
using eid = eventd::domain::id_t;

namespace {

constexpr time_point now0 = 1778743800;  // 2026-05-14 09:30 Stockholm
constexpr time_point day = 86400;

goal_event seminar_at(eid id, time_point starts_at, time_point ends_at, bool cancelled = false) {
  goal_event e;
  e.id = id;
  e.kind = "seminar";
  e.topic = "budgeting";
  e.starts_at = starts_at;
  e.ends_at = ends_at;
  e.cancelled = cancelled;
  return e;
}

goal_attendance came(eid event_id, eid person_id, eid registration_id) {
  return {event_id, person_id, "woman", "public", true, registration_id, now0 - 20 * day};
}

goal_evaluation answer(eid event_id, int usefulness, int before, int after, const std::string& plans) {
  return {event_id, usefulness, before, after, plans};
}

}  // namespace

TEST(evaluation_figures, two_decimals_rounds_half_away_from_zero_in_whole_numbers) {
  EXPECT_EQ(two_decimals(2, 3), 0.67);
  EXPECT_EQ(two_decimals(1, 3), 0.33);
  EXPECT_EQ(two_decimals(1, 8), 0.13);     // 0.125
  EXPECT_EQ(two_decimals(-1, 8), -0.13);   // -0.125
  EXPECT_EQ(two_decimals(107, 40), 2.68);  // 2.675, which a binary double would round down
  EXPECT_EQ(two_decimals(4, 2), 2.0);
  EXPECT_EQ(two_decimals(0, 5), 0.0);
}

// Hand-worked: seminar 1 ended with 3 attendees and 3 answers; seminar 2 ended with 4 attendees and none; seminar 3
// ended but was cancelled (its attendee and answer leave the figures); seminar 4 is running (its 2 attendees cannot
// answer yet, so they are not in the rate's denominator).
//   responses 3; response_rate 3/7 = 0.428.. -> 0.43; mean usefulness (5+4+4)/3 = 4.33;
//   knowledge change ((4-2) + (3-3) + (2-1))/3 = 1.0; plans share 1/3 = 0.33.
TEST(evaluation_figures, hand_worked_scenario) {
  std::vector<goal_event> events{seminar_at(1, now0 - 10 * day, now0 - 10 * day + 3 * 3600),
                                 seminar_at(2, now0 - 5 * day, now0 - 5 * day + 3 * 3600),
                                 seminar_at(3, now0 - 4 * day, now0 - 4 * day + 3 * 3600, true),
                                 seminar_at(4, now0 - 3600, now0 + 3600)};
  std::vector<goal_attendance> attendances{came(1, 1, 11), came(1, 2, 12), came(1, 3, 13),
                                           came(2, 4, 21), came(2, 5, 22), came(2, 6, 23), came(2, 7, 24),
                                           came(3, 8, 31),
                                           came(4, 9, 41), came(4, 10, 42)};
  std::vector<goal_evaluation> evaluations{answer(1, 5, 2, 4, "yes"), answer(1, 4, 3, 3, "no"),
                                           answer(1, 4, 1, 2, "maybe"), answer(3, 5, 1, 5, "yes")};
  const auto g = compute_goals(events, attendances, {}, config{}, now0, evaluations);
  EXPECT_EQ(g.evaluations.responses, 3);
  EXPECT_EQ(g.evaluations.attended, 7);
  EXPECT_EQ(g.evaluations.response_rate, 0.43);
  EXPECT_EQ(g.evaluations.mean_usefulness, 4.33);
  EXPECT_EQ(g.evaluations.mean_knowledge_change, 1.0);
  EXPECT_EQ(g.evaluations.plans_tn_share, 0.33);

  // Once seminar 4 has ended its attendees join the denominator: 3/9 = 0.33.
  const auto later = compute_goals(events, attendances, {}, config{}, now0 + 2 * 3600, evaluations);
  EXPECT_EQ(later.evaluations.attended, 9);
  EXPECT_EQ(later.evaluations.response_rate, 0.33);
}

TEST(evaluation_figures, null_when_there_is_nothing_to_average) {
  // Nothing ended: no rate, no means.
  auto g = compute_goals({seminar_at(1, now0 - 3600, now0 + 3600)}, {came(1, 1, 11)}, {}, config{}, now0, {});
  EXPECT_EQ(g.evaluations.responses, 0);
  EXPECT_EQ(g.evaluations.response_rate, std::nullopt);
  EXPECT_EQ(g.evaluations.mean_usefulness, std::nullopt);
  EXPECT_EQ(g.evaluations.mean_knowledge_change, std::nullopt);
  EXPECT_EQ(g.evaluations.plans_tn_share, std::nullopt);
  // Ended with an attendee but no answer: the rate is 0, the means still null.
  g = compute_goals({seminar_at(1, now0 - day, now0 - day + 3600)}, {came(1, 1, 11)}, {}, config{}, now0, {});
  EXPECT_EQ(g.evaluations.response_rate, 0.0);
  EXPECT_EQ(g.evaluations.mean_usefulness, std::nullopt);
  EXPECT_EQ(g.evaluations.plans_tn_share, std::nullopt);
  // A negative change is averaged as it is.
  g = compute_goals({seminar_at(1, now0 - day, now0 - day + 3600)}, {came(1, 1, 11)}, {}, config{}, now0,
                    {answer(1, 2, 4, 3, "no")});
  EXPECT_EQ(g.evaluations.mean_knowledge_change, -1.0);
  EXPECT_EQ(g.evaluations.plans_tn_share, 0.0);
  EXPECT_EQ(g.evaluations.response_rate, 1.0);
}

TEST(evaluation_figures, an_evaluation_belongs_to_its_events_period) {
  // Seminar 1 starts on 13 May, seminar 2 on 14 May (Stockholm days).
  std::vector<goal_event> events{seminar_at(1, now0 - day, now0 - day + 3600), seminar_at(2, now0 - 3 * 3600, now0 - 3600)};
  std::vector<goal_attendance> attendances{came(1, 1, 11), came(1, 2, 12), came(2, 3, 21)};
  std::vector<goal_support_session> support;
  std::vector<goal_evaluation> evaluations{answer(1, 5, 1, 3, "yes"), answer(2, 3, 2, 2, "no")};
  limit_to_period({.from = "2026-05-14", .to = "2026-05-14"}, events, attendances, support, evaluations);
  ASSERT_EQ(evaluations.size(), 1u);
  EXPECT_EQ(evaluations[0].event_id, 2);
  const auto g = compute_goals(events, attendances, support, config{}, now0, evaluations);
  EXPECT_EQ(g.evaluations.responses, 1);
  EXPECT_EQ(g.evaluations.attended, 1);
  EXPECT_EQ(g.evaluations.mean_usefulness, 3.0);
  EXPECT_EQ(g.evaluations.plans_tn_share, 0.0);
}

namespace {

event ended_event() {
  event e;
  e.id = 1;
  e.starts_at = now0 - 2 * day;
  e.ends_at = now0 - 2 * day + 3 * 3600;
  return e;
}

registration attendee() {
  registration r;
  r.id = 5;
  r.event_id = 1;
  r.checked_in_at = now0 - 2 * day + 600;
  return r;
}

}  // namespace

TEST(evaluation_rules, who_may_answer_and_until_when) {
  const auto e = ended_event();
  const auto r = attendee();
  EXPECT_EQ(decide_evaluation(e, r, now0), evaluation_refusal::none);

  auto absent = r;
  absent.checked_in_at.reset();
  EXPECT_EQ(decide_evaluation(e, absent, now0), evaluation_refusal::not_attended);

  auto erased = r;
  erased.erased = true;
  EXPECT_EQ(decide_evaluation(e, erased, now0), evaluation_refusal::erased);

  auto running = e;
  running.ends_at = now0 + 60;
  EXPECT_EQ(decide_evaluation(running, r, now0), evaluation_refusal::not_ended);
  EXPECT_EQ(decide_evaluation(e, r, e.ends_at), evaluation_refusal::none);  // open from the end on

  auto cancelled = e;
  cancelled.status = event_status::cancelled;
  EXPECT_EQ(decide_evaluation(cancelled, r, now0), evaluation_refusal::cancelled);

  // By default open for 30 days after the end.
  EXPECT_EQ(evaluation_closes_at(e), e.ends_at + 30 * day);
  EXPECT_EQ(decide_evaluation(e, r, e.ends_at + 30 * day - 1), evaluation_refusal::none);
  EXPECT_EQ(decide_evaluation(e, r, e.ends_at + 30 * day), evaluation_refusal::closed);
  // Or until the time the organisers set.
  auto short_window = e;
  short_window.evaluation_closes_at = now0 - 60;
  EXPECT_EQ(decide_evaluation(short_window, r, now0), evaluation_refusal::closed);
}

TEST(evaluation_rules, every_bad_field_is_listed) {
  evaluation_answer a;
  a.usefulness = 0;
  a.knowledge_before = 6;
  a.knowledge_after = -1;
  a.plans_tn = "perhaps";
  a.comment = std::string(2001, 'x');
  field_errors errors;
  validate_evaluation(a, errors);
  const field_errors expected{
      {"usefulness", "must be a whole number from 1 to 5"},
      {"knowledge_before", "must be a whole number from 1 to 5"},
      {"knowledge_after", "must be a whole number from 1 to 5"},
      {"plans_tn", "must be one of: yes, no, maybe"},
      {"comment", "must be at most 2000 characters without control characters"},
  };
  EXPECT_EQ(errors, expected);

  evaluation_answer good{1, 5, 3, "maybe", std::string("Bra\nmen lång")};
  errors.clear();
  validate_evaluation(good, errors);
  EXPECT_TRUE(errors.empty());
  EXPECT_EQ(normalise_evaluation({1, 1, 1, "no", std::string("   ")}).comment, std::nullopt);
}

TEST(evaluation_rules, an_events_results_have_every_rating_and_the_comments) {
  const auto e = ended_event();
  std::vector<evaluation> answers(3);
  answers[0].answer = {5, 2, 4, "yes", std::string("Mycket bra")};
  answers[1].answer = {4, 2, 3, "yes", std::nullopt};
  answers[2].answer = {2, 3, 3, "no", std::string("För kort")};
  const auto r = report_evaluations(e, 4, answers, now0);
  EXPECT_EQ(r.figures.responses, 3);
  EXPECT_EQ(r.figures.response_rate, 0.75);
  EXPECT_EQ(r.figures.mean_usefulness, 3.67);
  EXPECT_EQ(r.figures.mean_knowledge_change, 1.0);
  EXPECT_EQ(r.figures.plans_tn_share, 0.67);
  EXPECT_EQ(r.usefulness, (std::map<int, std::int64_t>{{1, 0}, {2, 1}, {3, 0}, {4, 1}, {5, 1}}));
  EXPECT_EQ(r.knowledge_before, (std::map<int, std::int64_t>{{1, 0}, {2, 2}, {3, 1}, {4, 0}, {5, 0}}));
  EXPECT_EQ(r.knowledge_after.at(3), 2);
  EXPECT_EQ(r.plans_tn, (std::map<std::string, std::int64_t>{{"maybe", 0}, {"no", 1}, {"yes", 2}}));
  EXPECT_EQ(r.comments, (std::vector<std::string>{"Mycket bra", "För kort"}));

  // Before the end there is no rate (nobody could answer yet).
  auto running = e;
  running.ends_at = now0 + 60;
  EXPECT_EQ(report_evaluations(running, 4, {}, now0).figures.response_rate, std::nullopt);
}
