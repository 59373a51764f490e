// The steering group's report: participation per activity kind (hand-worked), and the table writer's CSV and xlsx.
#include "domain/participation.hpp"
#include "api/tables.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

using namespace eventd;
using domain::goal_attendance;
using domain::goal_event;
using domain::time_point;

namespace {

constexpr time_point now = 1778743800;  // 2026-05-14
constexpr time_point day = 86400;

goal_event event(domain::id_t id, const std::string& kind, time_point starts_at, bool cancelled = false) {
  goal_event e;
  e.id = id;
  e.kind = kind;
  e.starts_at = starts_at;
  e.cancelled = cancelled;
  return e;
}

goal_attendance attended(domain::id_t event_id, domain::id_t person, const std::string& gender,
                         const std::string& organisation_type, bool home, domain::id_t registration) {
  return {event_id, person, gender, organisation_type, home, registration, now - 40 * day + registration};
}

}  // namespace

TEST(participation_by_kind, counts_each_person_once_per_kind_described_by_their_latest_attendance_there) {
  // Seminars 1 and 2 held, seminar 3 cancelled, meeting 4 held, network event 5 scheduled (in the future).
  const std::vector<goal_event> events{event(1, "seminar", now - 30 * day), event(2, "seminar", now - 20 * day),
                                       event(3, "seminar", now - 10 * day, true),
                                       event(4, "network_meeting", now - 5 * day), event(5, "network_event", now + day)};
  // Person 10: two seminars; first as a woman from a public body in the region, then (latest) as undisclosed from a
  // non-profit outside it. Person 11: a seminar and the meeting. Person 12: only the cancelled seminar (not counted).
  const std::vector<goal_attendance> attendances{
      attended(1, 10, "woman", "public", true, 1),          attended(1, 11, "man", "user_organisation", true, 2),
      attended(2, 10, "", "non_profit", false, 3),          attended(3, 12, "non_binary", "private", true, 4),
      attended(4, 11, "man", "user_organisation", true, 5),
  };
  const auto kinds = domain::participation_by_kind(events, attendances, now);
  ASSERT_EQ(kinds.size(), domain::event_kinds.size()) << "every kind, at zero when nothing happened";

  const auto& seminar = kinds.at("seminar");
  EXPECT_EQ(seminar.events_held, 2) << "the cancelled one is not held";
  EXPECT_EQ(seminar.attendances, 3) << "three attended registrations at seminars that were not cancelled";
  EXPECT_EQ(seminar.unique_persons, 2);
  EXPECT_EQ(seminar.by_gender.at("undisclosed"), 1) << "person 10 by their latest seminar, no gender given";
  EXPECT_EQ(seminar.by_gender.at("woman"), 0);
  EXPECT_EQ(seminar.by_gender.at("man"), 1);
  EXPECT_EQ(seminar.by_gender.at("non_binary"), 0) << "person 12 came only to a cancelled seminar";
  EXPECT_EQ(seminar.by_organisation_type.at("non_profit"), 1);
  EXPECT_EQ(seminar.by_organisation_type.at("public"), 0);
  EXPECT_EQ(seminar.by_organisation_type.at("user_organisation"), 1);
  EXPECT_EQ(seminar.home_region, 1);
  EXPECT_EQ(seminar.other_region, 1);

  const auto& meeting = kinds.at("network_meeting");
  EXPECT_EQ(meeting.events_held, 1);
  EXPECT_EQ(meeting.attendances, 1);
  EXPECT_EQ(meeting.unique_persons, 1);
  EXPECT_EQ(meeting.by_gender.at("man"), 1);
  EXPECT_EQ(meeting.home_region, 1);

  const auto& network = kinds.at("network_event");
  EXPECT_EQ(network.events_held, 0) << "a future event is scheduled, not held";
  EXPECT_EQ(network.unique_persons, 0);
  EXPECT_EQ(kinds.at("study_visit").unique_persons, 0);
  EXPECT_EQ(kinds.at("study_visit").by_gender.size(), domain::genders.size());
}

TEST(participation_by_kind, a_period_keeps_only_the_events_starting_in_it) {
  std::vector<goal_event> events{event(1, "seminar", now - 30 * day), event(2, "seminar", now - 2 * day)};
  std::vector<goal_attendance> attendances{attended(1, 10, "woman", "public", true, 1),
                                           attended(2, 11, "man", "public", false, 2)};
  std::vector<domain::goal_support_session> support;
  domain::limit_to_period({.from = domain::stockholm_day(now - 3 * day), .to = std::nullopt}, events, attendances, support);
  const auto kinds = domain::participation_by_kind(events, attendances, now);
  EXPECT_EQ(kinds.at("seminar").events_held, 1);
  EXPECT_EQ(kinds.at("seminar").unique_persons, 1);
  EXPECT_EQ(kinds.at("seminar").by_gender.at("man"), 1);
  EXPECT_EQ(kinds.at("seminar").by_gender.at("woman"), 0);
}

TEST(csv, defuses_a_formula_at_the_start_of_a_field_and_after_every_list_separator) {
  EXPECT_EQ(api::defuse_formulas("plain text"), "plain text");
  EXPECT_EQ(api::defuse_formulas("=1+1"), "'=1+1");
  EXPECT_EQ(api::defuse_formulas("a;=1+1"), "a;'=1+1") << "Swedish Excel splits at ;";
  EXPECT_EQ(api::defuse_formulas("a,=1+1"), "a,'=1+1");
  EXPECT_EQ(api::defuse_formulas("a; =1+1"), "a;' =1+1") << "spaces before the formula";
  EXPECT_EQ(api::defuse_formulas("+46 8 123"), "'+46 8 123");
  EXPECT_EQ(api::defuse_formulas("-5;@SUM(A1);\tx;\rz"), "'-5;'@SUM(A1);'\tx;'\rz");
  EXPECT_EQ(api::defuse_formulas("Upplands-Bro a=b"), "Upplands-Bro a=b") << "only where a cell would begin";
  EXPECT_EQ(api::defuse_formulas(""), "");
  EXPECT_EQ(api::defuse_formulas(";;"), ";;");
  EXPECT_EQ(api::defuse_formulas("Åsa; Örjan"), "Åsa; Örjan");
}

TEST(csv, quotes_fields_with_separators_quotes_or_line_breaks_and_writes_numbers_as_numbers) {
  std::string out;
  api::append_csv_row(out, std::vector<api::cell>{std::string("a,b"), std::string("say \"hi\""), std::string("x;y"),
                                                   std::int64_t{42}, 0.5, std::monostate{}, std::string("=1")});
  EXPECT_EQ(out, "\"a,b\",\"say \"\"hi\"\"\",\"x;y\",42,0.5,,'=1\r\n");
  const api::table t{"t", {"name", "n"}, {{std::string("Åsa"), std::int64_t{-3}}}};
  EXPECT_EQ(api::to_csv(t), "name,n\r\nÅsa,-3\r\n") << "a negative number is a number, not a formula";
}

TEST(xlsx, writes_a_zip_with_one_sheet_per_table_and_leaves_no_file_behind) {
  const std::vector<api::table> tables{{"goals", {"goal", "value"}, {{std::string("=HYPERLINK(\"x\")"), 0.75}}},
                                       {"participation", {"kind", "n"}, {{std::string("seminar"), std::int64_t{3}}}}};
  // In a directory of its own, to see that nothing is left in it.
  std::string dir = ::testing::TempDir() + "xlsx-XXXXXX";
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  const char* old = std::getenv("TMPDIR");
  const std::string saved = old ? old : "";
  ::setenv("TMPDIR", dir.c_str(), 1);
  const auto book = api::to_xlsx(tables);
  if (old) ::setenv("TMPDIR", saved.c_str(), 1); else ::unsetenv("TMPDIR");
  EXPECT_TRUE(std::filesystem::is_empty(dir)) << "the private directory and the workbook are gone";
  std::filesystem::remove(dir);
  ASSERT_GT(book.size(), 100u);
  EXPECT_EQ(book.substr(0, 4), std::string("PK\x03\x04", 4)) << "a zip file";
  EXPECT_NE(book.find("xl/worksheets/sheet1.xml"), std::string::npos);
  EXPECT_NE(book.find("xl/worksheets/sheet2.xml"), std::string::npos);
  EXPECT_EQ(book.find("xl/worksheets/sheet3.xml"), std::string::npos);
}
