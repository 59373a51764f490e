#include "api/json.hpp"

#include "api/participant_mail.hpp"
#include "api/services.hpp"
#include "support/log.hpp"

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
// A registration still holding every personal field, as if the store had blanked nothing: only the output mapping
// stands between these values and an answer.
domain::registration personal() {
  auto r = sample();
  // Plain text, so that it reads the same in JSON, CSV and mail.
  r.person.name = "Anna Persondata";
  r.person.organisation = "Persondata AB";
  r.person.country = "Personland";
  r.person.dietary = "Personal diet";
  r.client_network = "203.0.113.0/24";
  r.checked_in_at = 1790003600;
  return r;
}

const std::vector<std::string> personal_values{"Anna Persondata", "zoe@example.org", "Persondata AB", "Upplands Väsby",
                                               "Personland",      "hearing_loop",    "allergy",       "Nuts",
                                               "Personal diet",   "203.0.113.0/24"};

// Every form a registration takes on its way out: JSON both ways, the check-in answers, the CSV row, the mails.
std::vector<std::string> outputs(const domain::registration& r) {
  const std::string token = "42-abc_DEF-123";
  std::vector<std::string> out{api::registration_json(r).dump(), api::registration_text(r, &token)};
  for (auto result : {store::checkin_result::checked_in, store::checkin_result::already_checked_in,
                      store::checkin_result::not_admissible}) {
    store::checkin_outcome o;
    o.result = result;
    o.registration = r;
    out.push_back(api::render_scan(o).body);
  }
  std::string row;
  for (const auto& field : api::registration_csv_row(r)) row += field + ",";
  out.push_back(row);
  domain::event e;
  e.id = 7;
  e.title = "Seminar";
  e.starts_at = 1790010000;
  for (const auto& m : {api::confirmation_mail(r, e, "https://eventd.example", token),
                        api::promotion_mail(r, e, "https://eventd.example", token),
                        api::link_mail(r, e, "https://eventd.example", token)})
    if (m) out.push_back(m->to + "\n" + m->subject + "\n" + m->text);
  return out;
}
}  // namespace

TEST(registration_view, an_erased_registration_shows_no_personal_field_in_any_output) {
  auto r = personal();
  // Not erased: each output carries the person, so the search below would find them.
  const auto shown = outputs(r);
  ASSERT_EQ(shown.size(), 9u);
  for (const auto& text : shown) EXPECT_NE(text.find("Anna Persondata"), std::string::npos) << text;

  r.erased = true;
  const auto erased = outputs(r);
  ASSERT_EQ(erased.size(), 6u);  // no mail: there is nobody to write to
  for (const auto& text : erased)
    for (const auto& value : personal_values) EXPECT_EQ(text.find(value), std::string::npos) << value << " in " << text;
  const auto j = api::registration_json(r);
  for (const char* field : {"name", "email", "organisation", "municipality", "country", "accessibility_note", "dietary"})
    EXPECT_TRUE(j.at(field).is_null()) << field;
  EXPECT_EQ(j.at("accessibility_needs"), api::json::array());
  EXPECT_TRUE(j.at("erased").get<bool>());
  const auto row = api::registration_csv_row(r);
  for (std::size_t i : {3u, 4u, 5u, 7u, 8u, 11u}) EXPECT_EQ(row.at(i), "") << i;  // name .. country, needs
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

TEST(log_fault, writes_one_json_line_whatever_the_error_text_holds) {
  testing::internal::CaptureStderr();
  eventd::support::log_fault("error", "write failed", "near \"x\": syntax\\error\nsecond line\x01");
  const auto line = testing::internal::GetCapturedStderr();
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1) << "one line";
  const auto j = nlohmann::json::parse(line);
  EXPECT_EQ(j["level"], "error");
  EXPECT_EQ(j["msg"], "write failed");
  EXPECT_EQ(j["error"], "near \"x\": syntax\\error\nsecond line\x01");
}
