#include "api/json.hpp"

#include <gtest/gtest.h>

using namespace eventd;

namespace {
domain::registration sample() {
  domain::registration r;
  r.id = 42;
  r.event_id = 7;
  r.ticket_code = "K7QH3MPX";
  r.person.name = "Zoë \"Zizi\" Ångström \\ 李 😀";
  r.person.email = "zoe@example.org";
  r.person.organisation = "Föreningen\tNya Vägar";
  r.person.organisation_type = "user_organisation";
  r.person.municipality = "Upplands Väsby";
  r.person.gender = "non_binary";
  r.person.accessibility_needs = {"hearing_loop", "allergy"};
  r.person.accessibility_note = std::string("Nuts\nand \x01 control");
  r.person.language = "en";
  r.home_region = true;
  r.created_at = 1790000000;
  return r;
}
}  // namespace

// The hand-written answer to a registration must be byte for byte what the general JSON writer gives.
TEST(registration_text, equals_the_general_json_document_in_every_state) {
  std::vector<domain::registration> cases;
  cases.push_back(sample());
  auto waitlisted = sample();
  waitlisted.status = domain::registration_status::waitlisted;
  waitlisted.waitlist_position = 3;
  waitlisted.person.accessibility_needs.clear();
  waitlisted.person.accessibility_note.reset();
  waitlisted.person.municipality.reset();
  waitlisted.person.country = "Estonia";
  cases.push_back(waitlisted);
  auto checked = sample();
  checked.walk_in = true;
  checked.checked_in_at = 1790003600;
  checked.checkin_forced = true;
  checked.person.dietary = "Vegetarisk";
  cases.push_back(checked);
  auto erased = sample();
  erased.erased = true;
  erased.status = domain::registration_status::cancelled;
  erased.cancelled_at = 1790007200;
  cases.push_back(erased);
  for (const auto& r : cases) {
    EXPECT_EQ(api::registration_text(r), api::registration_json(r).dump());
    const std::string token = "42-abc_DEF-123";
    auto j = api::registration_json(r);
    j["manage_token"] = token;
    EXPECT_EQ(api::registration_text(r, &token), j.dump());
    EXPECT_NO_THROW((void)api::json::parse(api::registration_text(r, &token)));
  }
}

namespace {
std::optional<api::json> parse(std::string body, api::response& error) {
  api::request req;
  req.headers["content-type"] = "application/json";
  req.body = std::move(body);
  return api::parse_body(req, error);
}
}  // namespace

// nlohmann keeps the last of two equal keys; a body that repeats one must be refused, at any depth.
TEST(parse_body, refuses_a_key_repeated_at_any_depth) {
  api::response error;
  for (const char* body : {R"({"consent":false,"name":"a","consent":true})", R"({"a":{"b":1,"b":1}})",
                           R"({"items":[{"x":1},{"y":1,"y":2}]})", R"({"a":[[{"k":[],"k":{}}]]})"}) {
    error = {};
    EXPECT_FALSE(parse(body, error)) << body;
    EXPECT_EQ(error.status, 400) << body;
    EXPECT_EQ(error.content_type, "application/problem+json");
  }
  // Equal keys in different objects are not a repeat.
  for (const char* body : {R"({"a":{"x":1},"b":{"x":1},"x":[{"x":1},{"x":2}]})", R"({})", R"({"a":{}})"}) {
    error = {};
    auto j = parse(body, error);
    ASSERT_TRUE(j) << body << " " << error.body;
    EXPECT_EQ(*j, api::json::parse(body));
  }
}
