// Partner search (issue 10): profile fields, who ranks above whom and why, and the scheduler that places accepted
// meetings (never a person or a table twice in one slot; the first common free slot; a full forum refuses).
#include "domain/partner_rules.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

using namespace eventd::domain;
using eid = eventd::domain::id_t;

namespace {

partner_profile profile(eid id, std::string country, std::vector<std::string> focus, std::vector<std::string> offers,
                        std::vector<std::string> seeks, std::vector<std::string> languages = {"en"},
                        std::vector<std::string> partner_countries = {}) {
  partner_profile p;
  p.id = id;
  p.registration_id = 100 + id;
  p.event_id = 7;
  p.fields.organisation = "Organisation " + std::to_string(id);
  p.fields.summary = "Summary " + std::to_string(id);
  p.fields.country = std::move(country);
  p.fields.focus_areas = std::move(focus);
  p.fields.offers = std::move(offers);
  p.fields.seeks = std::move(seeks);
  p.fields.languages = std::move(languages);
  p.fields.partner_countries = std::move(partner_countries);
  return p;
}

std::vector<eid> ids(const std::vector<partner_match>& ms) {
  std::vector<eid> out;
  for (const auto& m : ms) out.push_back(m.profile->id);
  return out;
}

const match_reason* reason(const partner_match& m, const std::string& kind) {
  for (const auto& r : m.reasons)
    if (r.kind == kind) return &r;
  return nullptr;
}

bool has_error(const field_errors& errors, const std::string& field) {
  return std::any_of(errors.begin(), errors.end(), [&](const field_error& e) { return e.field == field; });
}

}  // namespace

TEST(partner_profile_fields, normalised_codes_and_lists) {
  profile_fields p;
  p.organisation = "  Stadsdel Norr ";
  p.summary = " Jobs for young people ";
  p.country = " se ";
  p.focus_areas = {"roma", " roma", "employment_mobility"};
  p.languages = {"SV", "en", "sv"};
  p.partner_countries = {"de", "DE", " pl"};
  p = normalise_profile(p);
  EXPECT_EQ(p.organisation, "Stadsdel Norr");
  EXPECT_EQ(p.country, "SE");
  EXPECT_EQ(p.focus_areas, (std::vector<std::string>{"roma", "employment_mobility"}));
  EXPECT_EQ(p.languages, (std::vector<std::string>{"sv", "en"}));
  EXPECT_EQ(p.partner_countries, (std::vector<std::string>{"DE", "PL"}));
  field_errors errors;
  validate_profile(p, config{}, errors);
  EXPECT_TRUE(errors.empty()) << errors.front().field;
}

TEST(partner_profile_fields, every_bad_field_is_named) {
  profile_fields p;
  p.country = "XX";
  p.focus_areas = {"astronomy"};
  p.offers = {"money"};
  p.seeks = {"expertise"};
  p.languages = {"english"};
  p.partner_countries = {"Germany"};
  field_errors errors;
  validate_profile(normalise_profile(p), config{}, errors);
  for (const auto* f : {"organisation", "summary", "country", "focus_areas", "offers", "languages", "partner_countries"})
    EXPECT_TRUE(has_error(errors, f)) << f;
  EXPECT_FALSE(has_error(errors, "seeks"));
  EXPECT_TRUE(is_country_code("SE"));
  EXPECT_TRUE(is_country_code("ZW"));
  EXPECT_TRUE(is_country_code("AD"));
  EXPECT_FALSE(is_country_code("XX"));
  EXPECT_FALSE(is_country_code("se"));
  EXPECT_TRUE(is_language_code("sv"));
  EXPECT_TRUE(is_language_code("aa"));
  EXPECT_TRUE(is_language_code("zu"));
  EXPECT_FALSE(is_language_code("xx"));
}

TEST(partner_matching, shared_focus_and_complementary_roles_rank_first_with_their_reasons) {
  // Me: Swedish, Roma inclusion, offering target-group access, seeking a lead partner and expertise, wanting German
  // partners.
  const auto me = profile(1, "SE", {"roma", "employment_mobility"}, {"target_groups"}, {"lead_partner", "expertise"},
                          {"sv", "en"}, {"DE"});
  const std::vector<partner_profile> others{
      me,                                                                                  // never myself
      profile(2, "DE", {"roma"}, {"lead_partner"}, {"target_groups"}, {"en", "de"}),       // 3 + 2 + 2 + 1 + 2 = 10
      profile(3, "PL", {"roma", "employment_mobility"}, {}, {}, {"en"}),                   // 3 + 3 + 1 = 7
      profile(4, "FI", {"social_innovation_entrepreneurship"}, {"expertise"}, {}, {"en"}, {"SE"}),  // 2 + 1 + 1 = 4
      profile(5, "DE", {"roma"}, {"lead_partner"}, {"target_groups"}, {"de"}),             // no common language
      profile(6, "DK", {"poverty_social_exclusion"}, {"methods"}, {"co_financing"}, {"en"}, {"SE"}),  // nothing shared
      profile(7, "LT", {"roma"}, {}, {}, {"sv"}),                                          // 3 + 1 = 4, earlier id than 8
      profile(8, "LV", {"roma"}, {}, {}, {"en"}),                                          // 4
  };
  const auto ranked = rank_partners(me, others);
  ASSERT_EQ(ids(ranked), (std::vector<eid>{2, 3, 7, 8, 4}));
  EXPECT_EQ(ranked[0].score, 10);
  EXPECT_EQ(reason(ranked[0], "focus_areas")->values, std::vector<std::string>{"roma"});
  EXPECT_EQ(reason(ranked[0], "offers_what_you_seek")->values, std::vector<std::string>{"lead_partner"});
  EXPECT_EQ(reason(ranked[0], "seeks_what_you_offer")->values, std::vector<std::string>{"target_groups"});
  EXPECT_EQ(reason(ranked[0], "common_language")->values, std::vector<std::string>{"en"});
  EXPECT_EQ(reason(ranked[0], "wanted_country")->values, std::vector<std::string>{"DE"});
  EXPECT_EQ(ranked[1].score, 7);
  EXPECT_EQ(reason(ranked[1], "focus_areas")->values.size(), 2u);
  EXPECT_EQ(reason(ranked[1], "wanted_country"), nullptr);
  // Equal scores (4): more shared focus areas first (7 and 8 share one, 4 none), then the earlier profile.
  EXPECT_EQ(ranked[2].score, 4);
  EXPECT_EQ(ranked[4].score, 4);
  EXPECT_EQ(reason(ranked[4], "wants_your_country")->values, std::vector<std::string>{"SE"});
  EXPECT_EQ(reason(ranked[4], "focus_areas"), nullptr);
  // The limit keeps the best.
  EXPECT_EQ(ids(rank_partners(me, others, 2)), (std::vector<eid>{2, 3}));
}

TEST(partner_search, free_text_focus_area_and_country_filters) {
  auto p = profile(1, "DE", {"roma"}, {}, {});
  p.fields.organisation = "Stadt Köln";
  p.fields.summary = "Housing first for ÅLDERSGRUPPEN 50+";
  EXPECT_TRUE(profile_matches(p, {}));
  EXPECT_TRUE(profile_matches(p, {"köln", {}, {}}));
  EXPECT_TRUE(profile_matches(p, {"åldersgrupp", {}, {}}));
  EXPECT_FALSE(profile_matches(p, {"berlin", {}, {}}));
  EXPECT_TRUE(profile_matches(p, {"", std::string("roma"), std::string("de")}));
  EXPECT_FALSE(profile_matches(p, {"", std::string("employment_mobility"), {}}));
  EXPECT_FALSE(profile_matches(p, {"", {}, std::string("SE")}));
}

TEST(meeting_slots, overlaps_and_ranges_are_refused) {
  field_errors errors;
  validate_slots({{0, 100, 200}, {0, 200, 300}}, 5, errors);
  EXPECT_TRUE(errors.empty());
  validate_slots({{0, 200, 300}, {0, 100, 250}, {0, 400, 400}}, 0, errors);
  EXPECT_TRUE(has_error(errors, "tables"));
  EXPECT_TRUE(has_error(errors, "slots[0]"));  // overlaps slots[1], which starts earlier
  EXPECT_TRUE(has_error(errors, "slots[2]"));  // ends as it starts
  EXPECT_FALSE(has_error(errors, "slots[1]"));
}

TEST(meeting_scheduler, first_common_free_slot_and_lowest_free_table) {
  // Three slots given out of order, two tables.
  forum_schedule s({{12, 300, 400}, {10, 100, 200}, {11, 200, 300}}, 2);
  EXPECT_EQ(s.place(1, 2, 0)->slot_id, 10);
  const auto second = s.place(3, 4, 0);
  EXPECT_EQ(second->slot_id, 10);
  EXPECT_EQ(second->table, 2);
  // 1 is busy in slot 10 and slot 10 is full anyway: 1 and 3 meet in slot 11 at table 1.
  const auto third = s.place(1, 3, 0);
  EXPECT_EQ(third->slot_id, 11);
  EXPECT_EQ(third->table, 1);
  // 2 and 5: slot 11 has a free table and both are free there.
  EXPECT_EQ(s.place(2, 5, 0)->slot_id, 11);
  // 1 meets 2 again? They are free together only in slot 12.
  EXPECT_EQ(s.place(1, 2, 0)->slot_id, 12);
  // Slots that have started are skipped.
  forum_schedule later({{10, 100, 200}, {11, 200, 300}}, 1);
  EXPECT_EQ(later.place(1, 2, 150)->slot_id, 11);
  EXPECT_FALSE(later.place(3, 4, 150));
  EXPECT_FALSE(later.place(5, 5, 0));  // one person is not a meeting
}

TEST(meeting_scheduler, a_full_forum_refuses_and_nothing_is_ever_double_booked) {
  forum_schedule s({{1, 100, 200}, {2, 200, 300}}, 1);
  ASSERT_TRUE(s.place(1, 2, 0));
  ASSERT_TRUE(s.place(1, 3, 0));
  EXPECT_FALSE(s.place(1, 4, 0));  // 1 is busy in both slots
  EXPECT_FALSE(s.place(5, 6, 0));  // every table of every slot is taken
  EXPECT_FALSE(s.book(1, 1, 7, 8));
  EXPECT_FALSE(s.free_at(2, 1, 7, 8));
  EXPECT_FALSE(s.free_at(3, 1, 7, 8));  // no such slot

  // 12 slots x 60 tables and 2,000 random requests among 300 participants: every placement is checked against what
  // was placed before, and the forum fills.
  std::vector<meeting_slot> slots;
  for (eid i = 1; i <= 12; ++i) slots.push_back({i, 1000 + i * 100, 1000 + i * 100 + 90});
  forum_schedule big(slots, 60);
  std::mt19937 rng(42);
  std::uniform_int_distribution<eid> person(1, 300);
  std::set<std::pair<eid, eid>> seats;  // (slot, person)
  std::set<std::pair<eid, int>> tables;  // (slot, table)
  int placed = 0;
  for (int i = 0; i < 2000; ++i) {
    const auto a = person(rng), b = person(rng);
    const auto p = big.place(a, b, 0);
    if (a == b) {
      EXPECT_FALSE(p);
      continue;
    }
    if (!p) continue;
    ++placed;
    EXPECT_TRUE(seats.insert({p->slot_id, a}).second);
    EXPECT_TRUE(seats.insert({p->slot_id, b}).second);
    EXPECT_TRUE(tables.insert({p->slot_id, p->table}).second);
    EXPECT_GE(p->table, 1);
    EXPECT_LE(p->table, 60);
  }
  EXPECT_GT(placed, 600);
  EXPECT_LE(placed, 12 * 60);
}

TEST(meeting_requests, who_may_ask_and_who_may_answer) {
  event e;
  e.id = 7;
  e.kind = "partner_search_forum";
  e.starts_at = 1000;
  e.ends_at = 2000;
  registration a, b;
  a.id = 1;
  a.event_id = 7;
  b.id = 2;
  b.event_id = 7;
  EXPECT_EQ(decide_meeting_request(e, a, true, b, false, 500), meeting_refusal::none);
  EXPECT_EQ(decide_meeting_request(e, a, false, b, false, 500), meeting_refusal::no_profile);
  EXPECT_EQ(decide_meeting_request(e, a, true, a, false, 500), meeting_refusal::self);
  EXPECT_EQ(decide_meeting_request(e, a, true, b, true, 500), meeting_refusal::already_requested);
  EXPECT_EQ(decide_meeting_request(e, a, true, b, false, 2000), meeting_refusal::forum_over);
  b.status = registration_status::waitlisted;
  EXPECT_EQ(decide_meeting_request(e, a, true, b, false, 500), meeting_refusal::unavailable);
  a.status = registration_status::cancelled;
  EXPECT_EQ(decide_meeting_request(e, a, true, b, false, 500), meeting_refusal::not_registered);
  e.kind = "seminar";
  EXPECT_EQ(decide_meeting_request(e, a, true, b, false, 500), meeting_refusal::not_a_forum);

  e.kind = "partner_search_forum";
  a.status = b.status = registration_status::confirmed;
  meeting m;
  m.from_registration = 1;
  m.to_registration = 2;
  EXPECT_EQ(decide_meeting_answer(e, m, a, 500), meeting_refusal::not_addressee);
  EXPECT_EQ(decide_meeting_answer(e, m, b, 500), meeting_refusal::none);
  m.state = meeting_state::declined;
  EXPECT_EQ(decide_meeting_answer(e, m, b, 500), meeting_refusal::not_pending);
}

TEST(meeting_scheduler, the_store_s_rule_on_counts_and_busy_slots) {
  const std::vector<slot_load> slots{{{10, 100, 200}, 2}, {{11, 200, 300}, 0}, {{12, 300, 400}, 1}};
  EXPECT_EQ(first_common_slot(slots, 2, {}, 0), 11);        // slot 10 is full
  EXPECT_EQ(first_common_slot(slots, 3, {}, 0), 10);        // ... unless it has a third table
  EXPECT_EQ(first_common_slot(slots, 3, {10, 11}, 0), 12);  // one of the two sits elsewhere then
  EXPECT_EQ(first_common_slot(slots, 3, {}, 250), 12);      // slots that started are past
  EXPECT_FALSE(first_common_slot(slots, 3, {12}, 250));
  EXPECT_EQ(lowest_free_table({}, 3), 1);
  EXPECT_EQ(lowest_free_table({2, 1, 4}, 5), 3);
  EXPECT_FALSE(lowest_free_table({3, 1, 2}, 3));
}
