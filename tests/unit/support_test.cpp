// Unit tests of the counselling log's rules: what a session's fields must be (every bad field, exact messages), the
// form they are kept in, the project idea key, the support figures over hand-worked sessions, and the live topic a
// counselling write marks.
#include "domain/support_rules.hpp"

#include "domain/config.hpp"
#include "domain/goals.hpp"
#include "domain/validation.hpp"
#include "live/hub.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

namespace {

using namespace eventd::domain;

support_session_patch valid_session() {
  support_session_patch p;
  p.date = "2026-03-02";
  p.organisation = "Botkyrka kommun";
  p.project_idea = "Roma inclusion across the Baltic";
  p.hours = 2.5;
  p.persons = std::vector<support_person>{{0, "Åsa Exempel", "asa@example.org"}};
  return p;
}

field_errors errors_of(const support_session_patch& p, bool creating = true) {
  field_errors e;
  validate_support(p, creating, e);
  return e;
}

TEST(support_rules, a_complete_session_is_valid) { EXPECT_EQ(errors_of(valid_session()), field_errors{}); }

TEST(support_rules, creating_needs_every_required_field_once) {
  EXPECT_EQ(errors_of({}), (field_errors{{"date", "is required"},
                                         {"organisation", "is required"},
                                         {"project_idea", "is required"},
                                         {"hours", "is required"},
                                         {"persons", "is required"}}));
  // A change needs none of them.
  EXPECT_EQ(errors_of({}, false), field_errors{});
  // A field the reader already refused (wrong type) is not also "required".
  field_errors e{{"hours", "must be a number"}, {"persons[0]", "must be an object with name and email"}};
  auto p = valid_session();
  p.hours.reset();
  p.persons.reset();
  validate_support(p, true, e);
  EXPECT_EQ(e, (field_errors{{"hours", "must be a number"}, {"persons[0]", "must be an object with name and email"}}));
}

TEST(support_rules, every_bad_field_is_listed_with_its_message) {
  support_session_patch p;
  p.date = "2026-02-30";
  p.organisation = "  ";
  p.organisation_type = std::optional<std::string>("company");
  p.municipality = std::optional<std::string>(std::string(101, 'x'));
  p.project_idea = std::string(301, 'i');
  p.hours = 0;
  p.note = std::optional<std::string>(std::string(2001, 'n'));
  p.persons = std::vector<support_person>{{0, "", "not an address"}, {0, "Bo\u200bBo", "bo@example.org"}};
  EXPECT_EQ(errors_of(p), (field_errors{
                              {"date", "must be a date that exists (YYYY-MM-DD)"},
                              {"organisation", "is required"},
                              {"organisation_type", "must be one of: public, private, non_profit, user_organisation"},
                              {"municipality", "must be at most 100 characters without control characters"},
                              {"project_idea", "must be at most 300 characters without control characters"},
                              {"hours", "must be a number above 0 and at most 1000"},
                              {"note", "must be at most 2000 characters without control characters"},
                              {"persons[0].name", "is required"},
                              {"persons[0].email", "must be a valid e-mail address"},
                              {"persons[1].name", std::string(hidden_message)},
                          }));
}

TEST(support_rules, dates_must_exist_and_be_plain_days) {
  for (const char* bad : {"2026-13-01", "2025-02-29", "2026-3-2", "02/03/2026", "2026-03-02T10:00:00Z", ""}) {
    auto p = valid_session();
    p.date = bad;
    EXPECT_EQ(errors_of(p), (field_errors{{"date", "must be a date that exists (YYYY-MM-DD)"}})) << bad;
  }
  auto leap = valid_session();
  leap.date = "2024-02-29";
  EXPECT_EQ(errors_of(leap), field_errors{});
}

TEST(support_rules, hours_are_finite_above_zero_and_bounded) {
  for (double bad : {0.0, -1.0, 1000.5, std::numeric_limits<double>::infinity(), std::nan("")}) {
    auto p = valid_session();
    p.hours = bad;
    EXPECT_EQ(errors_of(p), (field_errors{{"hours", "must be a number above 0 and at most 1000"}})) << bad;
  }
  for (double fine : {0.25, 1000.0}) {
    auto p = valid_session();
    p.hours = fine;
    EXPECT_EQ(errors_of(p), field_errors{}) << fine;
  }
}

TEST(support_rules, persons_at_least_one_at_most_a_hundred) {
  auto none = valid_session();
  none.persons = std::vector<support_person>{};
  EXPECT_EQ(errors_of(none), (field_errors{{"persons", "must name at least one person"}}));
  auto many = valid_session();
  many.persons = std::vector<support_person>{};
  for (int i = 0; i < 101; ++i) many.persons->push_back({0, "P", "p" + std::to_string(i) + "@example.org"});
  EXPECT_EQ(errors_of(many), (field_errors{{"persons", "must name at most 100 persons"}}));
}

TEST(support_rules, the_same_person_twice_is_refused_by_normalised_address) {
  auto p = valid_session();
  // Case, spaces, a full-width at sign and an internationalised domain all normalise as registrations' addresses do.
  p.persons = std::vector<support_person>{{0, "Åsa", "asa@exämple.org"},
                                          {0, "Bo", "bo@example.org"},
                                          {0, "Åsa again", " ASA\xef\xbc\xa0" "EXÄMPLE.ORG "},
                                          {0, "Åsa once more", "asa@xn--exmple-cua.org"}};
  EXPECT_EQ(errors_of(p), (field_errors{{"persons[2].email", "is the same person as persons[0]"},
                                        {"persons[3].email", "is the same person as persons[0]"}}));
}

TEST(support_rules, fields_are_kept_trimmed_with_addresses_normalised_as_registrations) {
  support_session_patch p = valid_session();
  p.organisation = "  Botkyrka kommun ";
  p.municipality = std::optional<std::string>("  ");
  p.note = std::optional<std::string>(" first line\nsecond ");
  p.organisation_type = std::optional<std::string>();
  p.persons = std::vector<support_person>{{0, "  Åsa Exempel ", "  Asa@Exämple.ORG "}};
  const auto n = normalise_support(p);
  EXPECT_EQ(*n.organisation, "Botkyrka kommun");
  EXPECT_EQ(*n.municipality, std::nullopt);  // empty: none
  EXPECT_EQ(**n.note, "first line\nsecond");
  EXPECT_EQ(*n.organisation_type, std::nullopt);
  EXPECT_EQ((*n.persons)[0].name, "Åsa Exempel");
  EXPECT_EQ((*n.persons)[0].email, normalise_email("  Asa@Exämple.ORG "));
  EXPECT_EQ((*n.persons)[0].email, "asa@xn--exmple-cua.org");
}

TEST(support_rules, a_project_idea_is_one_idea_however_it_is_typed) {
  EXPECT_EQ(project_idea_key("  Ålands Bro  "), "ålands bro");
  EXPECT_EQ(project_idea_key("ÅLANDS BRO"), project_idea_key("ålands bro"));
  EXPECT_EQ(project_idea_key("ÖSTERÅKER ÄNGAR"), "österåker ängar");
  EXPECT_EQ(project_idea_key("Straße"), project_idea_key("STRASSE"));
  EXPECT_EQ(project_idea_key("\xef\xbc\xa1" "BC"), "abc");  // full-width A
  EXPECT_NE(project_idea_key("Ålands bro"), project_idea_key("Alands bro"));  // Å is a letter of its own
}

TEST(support_rules, a_patch_changes_only_what_it_names) {
  support_session s;
  apply(normalise_support(valid_session()), s);
  support_session_patch change;
  change.hours = 4;
  change.note = std::optional<std::string>("kept");
  apply(change, s);
  EXPECT_EQ(s.hours, 4);
  EXPECT_EQ(s.note, "kept");
  EXPECT_EQ(s.organisation, "Botkyrka kommun");
  ASSERT_EQ(s.persons.size(), 1u);
  change = {};
  change.note = std::optional<std::string>();  // null clears
  change.persons = std::vector<support_person>{{0, "Bo", "bo@example.org"}, {0, "Cy", "cy@example.org"}};
  apply(change, s);
  EXPECT_EQ(s.note, std::nullopt);
  EXPECT_EQ(s.persons.size(), 2u);  // replaced, not added to
}

// DOMAIN.md 6 over a hand-worked log: ideas "Baltic bridges" typed two ways (one idea, 2 + 3 hours) and "Roma
// mentors" (1 hour): 2 ideas, (5 + 1) / 2 = 3 hours each; persons 7 (attended an event) and 8, 9 (counselled only):
// with attendee 7 and another attendee 5, the persons supported are 5, 7, 8, 9.
TEST(support_rules, support_figures_count_ideas_by_key_and_persons_once) {
  config cfg;
  std::vector<goal_support_session> support{
      {project_idea_key(" Baltic Bridges"), 2, {7, 8}, "2026-03-02"},
      {project_idea_key("BALTIC BRIDGES "), 3, {8}, "2026-03-09"},
      {project_idea_key("Roma mentors"), 1, {9}, "2026-04-01"},
  };
  std::vector<goal_event> events{{1, "seminar", "S", false, 1000, 60, std::nullopt, std::string("budgeting")}};
  std::vector<goal_attendance> attendances{{1, 7, "woman", "public", true, 11, 1000}, {1, 5, "man", "public", true, 12, 1000}};
  const auto g = compute_goals(events, attendances, support, cfg, 2000);
  EXPECT_EQ(g.support_project_ideas, 2);
  EXPECT_EQ(g.support_persons, 4);
  EXPECT_DOUBLE_EQ(g.average_hours_per_project, 3.0);
}

TEST(support_rules, a_counselling_write_marks_the_goals_topic_only) {
  eventd::store::change saved{eventd::store::change::kind::support_saved};
  EXPECT_EQ(eventd::live::topics_touched(saved), std::vector<std::string>{"goals"});
  eventd::store::change erased{eventd::store::change::kind::support_erased};
  EXPECT_EQ(eventd::live::topics_touched(erased), std::vector<std::string>{});
}

}  // namespace
