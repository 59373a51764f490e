// Unit tests of the domain rules: validation, normalisation, home region, time, the goal figures of DOMAIN.md, and
// the rules of registering, the waitlist, check-in and erasure.
#include "domain/checkin_rules.hpp"
#include "domain/config.hpp"
#include "domain/event_rules.hpp"
#include "domain/goals.hpp"
#include "domain/registration_rules.hpp"
#include "domain/time.hpp"
#include "domain/types.hpp"
#include "domain/unicode.hpp"
#include "domain/validation.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

namespace {

using namespace eventd::domain;
using id_t = eventd::domain::id_t;  // not the POSIX one

// ---------------------------------------------------------------- helpers

person_fields valid_person() {
  person_fields p;
  p.name = "Anna Svensson";
  p.email = "anna.svensson@example.se";
  p.organisation = "Sensus Stockholm-Gotland";
  p.organisation_type = "non_profit";
  p.municipality = "Stockholm";
  p.gender = "woman";
  return p;
}

field_errors person_errors(const person_fields& p) {
  field_errors errors;
  validate_person(p, errors);
  return errors;
}

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

event valid_event() {
  event e;
  e.kind = "seminar";
  e.title = "Budgeting across borders";
  e.topic = "budgeting";
  e.starts_at = 1778743800;  // 2026-05-14T09:30:00+02:00
  e.ends_at = e.starts_at + 3 * 3600;
  e.utc_offset_minutes = 120;
  e.capacity = 40;
  return e;
}

field_errors event_errors(const event& e) {
  field_errors errors;
  validate_event(e, config{}, errors);
  return errors;
}

// ---------------------------------------------------------------- validate_person

TEST(validate_person, accepts_a_complete_registration) { EXPECT_TRUE(person_errors(valid_person()).empty()); }

TEST(validate_person, reports_every_bad_field_at_once_with_exact_messages) {
  person_fields p = valid_person();
  p.name = "   ";
  p.email = "anna.example.se";
  p.organisation_type = "government";
  p.municipality.reset();
  p.country.reset();
  p.gender = "female";
  p.accessibility_needs = {"hearing_loop", "telepathy"};

  const field_errors expected{
      {"name", "is required"},
      {"email", "must be a valid e-mail address"},
      {"organisation_type", "must be one of: public, private, non_profit, user_organisation"},
      {"municipality", "is required (or a country when abroad)"},
      {"gender", "must be one of: woman, man, non_binary, undisclosed"},
      {"accessibility_needs",
       "must be one of: hearing_loop, sign_language_interpreter, step_free_access, personal_assistant, easy_read, "
       "large_print, allergy, other"},
  };
  EXPECT_EQ(person_errors(p), expected);
}

TEST(validate_person, missing_email_and_organisation_type_are_required) {
  person_fields p = valid_person();
  p.email = " ";
  p.organisation_type = "";
  const field_errors expected{{"email", "is required"}, {"organisation_type", "is required"}};
  EXPECT_EQ(person_errors(p), expected);
}

TEST(validate_person, name_longer_than_200_code_points_is_rejected) {
  person_fields p = valid_person();
  p.name = std::string(201, 'a');
  const field_errors expected{{"name", "must be at most 200 characters without control characters"}};
  EXPECT_EQ(person_errors(p), expected);
}

TEST(validate_person, two_hundred_swedish_letters_are_a_valid_name) {
  // 200 "å" are 400 bytes of UTF-8 but only 200 characters.
  person_fields p = valid_person();
  p.name = repeat("å", 200);
  EXPECT_TRUE(person_errors(p).empty());
  p.name = repeat("å", 201);
  ASSERT_EQ(person_errors(p).size(), 1u);
  EXPECT_EQ(person_errors(p)[0].field, "name");
}

TEST(validate_person, a_country_instead_of_a_municipality_is_enough) {
  person_fields p = valid_person();
  p.municipality.reset();
  p.country = "Romania";
  EXPECT_TRUE(person_errors(p).empty());
  // Blank strings do not count as given.
  p.country = "  ";
  p.municipality = "";
  const field_errors expected{{"municipality", "is required (or a country when abroad)"}};
  EXPECT_EQ(person_errors(p), expected);
}

TEST(validate_person, repeated_accessibility_need_is_rejected) {
  person_fields p = valid_person();
  p.accessibility_needs = {"easy_read", "easy_read"};
  const field_errors expected{{"accessibility_needs", "must not repeat a need"}};
  EXPECT_EQ(person_errors(p), expected);
}

TEST(validate_person, control_characters_in_the_name_are_rejected) {
  person_fields p = valid_person();
  p.name = "Anna\nSvensson";
  const field_errors expected{{"name", "must be at most 200 characters without control characters"}};
  EXPECT_EQ(person_errors(p), expected);
}

// ---------------------------------------------------------------- e-mail and ticket codes

TEST(valid_email, accepts_ordinary_addresses) {
  EXPECT_TRUE(valid_email("a@b.se"));
  EXPECT_TRUE(valid_email("anna.svensson+esf@stockholm.se"));
  EXPECT_TRUE(valid_email("x@sub.domain.example.org"));
  EXPECT_TRUE(valid_email(std::string(64, 'a') + "@example.se"));
}

TEST(valid_email, rejects_malformed_addresses) {
  EXPECT_FALSE(valid_email(""));
  EXPECT_FALSE(valid_email("anna"));
  EXPECT_FALSE(valid_email("@example.se"));            // no local part
  EXPECT_FALSE(valid_email("anna@"));                   // no domain
  EXPECT_FALSE(valid_email("anna@se"));                 // domain too short
  EXPECT_FALSE(valid_email("anna@example"));            // no dot in the domain
  EXPECT_FALSE(valid_email("anna@@example.se"));
  EXPECT_FALSE(valid_email("anna@b@example.se"));       // two @
  EXPECT_FALSE(valid_email("anna svensson@example.se"));  // blank inside
  EXPECT_FALSE(valid_email(" anna@example.se"));        // untrimmed
  EXPECT_FALSE(valid_email("anna@.example.se"));
  EXPECT_FALSE(valid_email("anna@example.se."));
  EXPECT_FALSE(valid_email("anna@example..se"));
  EXPECT_FALSE(valid_email(".anna@example.se"));
  EXPECT_FALSE(valid_email("anna.@example.se"));
  EXPECT_FALSE(valid_email("an..na@example.se"));
  EXPECT_FALSE(valid_email("<anna@example.se>"));
  EXPECT_FALSE(valid_email("anna,berit@example.se"));
  EXPECT_FALSE(valid_email(std::string(65, 'a') + "@example.se"));  // local part over 64
  EXPECT_FALSE(valid_email("a@" + std::string(250, 'b') + ".se"));   // over 254 in all
}

TEST(normalise_email, trims_and_lower_cases) {
  EXPECT_EQ(normalise_email("  Anna.Svensson@Example.SE \t\n"), "anna.svensson@example.se");
  EXPECT_EQ(normalise_email("anna@example.se"), "anna@example.se");
  EXPECT_EQ(normalise_email(" ANNA@EXAMPLE.SE"), normalise_email("anna@example.se "));
}

TEST(normalise_ticket_code, upper_cases_and_drops_spaces_and_hyphens) {
  EXPECT_EQ(normalise_ticket_code("abcd-efgh"), "ABCDEFGH");
  EXPECT_EQ(normalise_ticket_code(" ab cd\tef-gh "), "ABCDEFGH");
  EXPECT_EQ(normalise_ticket_code("K7M2-X9QR"), "K7M2X9QR");
}

// ---------------------------------------------------------------- home region

TEST(home_region, matches_the_configured_municipalities) {
  const home_region region(config{}.home_municipalities);
  EXPECT_TRUE(region.contains("Stockholm"));
  EXPECT_TRUE(region.contains("Österåker"));
  EXPECT_TRUE(region.contains("Upplands Väsby"));
  EXPECT_TRUE(region.contains("Upplands-Bro"));
}

TEST(home_region, ignores_case_including_swedish_letters) {
  const home_region region(config{}.home_municipalities);
  EXPECT_TRUE(region.contains("stockholm"));
  EXPECT_TRUE(region.contains("STOCKHOLM"));
  EXPECT_TRUE(region.contains("ÖSTERÅKER"));
  EXPECT_TRUE(region.contains("SÖDERTÄLJE"));
  EXPECT_TRUE(region.contains("järfälla"));
  EXPECT_TRUE(region.contains("JÄRFÄLLA"));
  EXPECT_TRUE(region.contains("VÄRMDÖ"));
}

TEST(home_region, treats_hyphen_and_space_alike) {
  const home_region region(config{}.home_municipalities);
  EXPECT_TRUE(region.contains("Upplands-Väsby"));
  EXPECT_TRUE(region.contains("Upplands Bro"));
  EXPECT_TRUE(region.contains("UPPLANDS-VÄSBY"));
}

TEST(home_region, ignores_surrounding_blanks) {
  const home_region region(config{}.home_municipalities);
  EXPECT_TRUE(region.contains("  Nacka "));
  EXPECT_TRUE(region.contains("\tÖsteråker"));
  EXPECT_TRUE(region.contains(" Upplands Väsby  "));
}

TEST(home_region, rejects_municipalities_outside_the_region) {
  const home_region region(config{}.home_municipalities);
  EXPECT_FALSE(region.contains("Uppsala"));
  EXPECT_FALSE(region.contains("Göteborg"));
  EXPECT_FALSE(region.contains("Stockholms"));
  EXPECT_FALSE(region.contains("Upplands"));
  EXPECT_FALSE(region.contains(""));
  EXPECT_FALSE(region.contains("Osteraker"));  // letters differ, not only their case
}

TEST(home_region, uses_the_configured_list) {
  const home_region region({"Uppsala", "Enköping"});
  EXPECT_TRUE(region.contains("uppsala"));
  EXPECT_TRUE(region.contains("ENKÖPING"));
  EXPECT_FALSE(region.contains("Stockholm"));
}

// ---------------------------------------------------------------- time

TEST(rfc3339, parses_utc_and_offsets_to_the_same_instant) {
  const auto z = parse_rfc3339("2026-05-14T07:30:00Z");
  const auto plus = parse_rfc3339("2026-05-14T09:30:00+02:00");
  const auto minus = parse_rfc3339("2026-05-14T02:30:00-05:00");
  ASSERT_TRUE(z && plus && minus);
  EXPECT_EQ(z->at, 1778743800);
  EXPECT_EQ(plus->at, 1778743800);
  EXPECT_EQ(minus->at, 1778743800);
  EXPECT_EQ(z->utc_offset_minutes, 0);
  EXPECT_EQ(plus->utc_offset_minutes, 120);
  EXPECT_EQ(minus->utc_offset_minutes, -300);
}

TEST(rfc3339, round_trips_with_the_offset_given) {
  for (const char* text : {"2026-05-14T09:30:00+02:00", "2026-11-20T18:15:00-05:00", "2026-01-01T00:00:00Z",
                           "2013-12-31T23:59:59+01:00", "2024-02-29T12:00:00+05:30", "2026-03-29T03:00:00+02:00"}) {
    const auto parsed = parse_rfc3339(text);
    ASSERT_TRUE(parsed) << text;
    EXPECT_EQ(format_rfc3339(parsed->at, parsed->utc_offset_minutes), text);
  }
}

TEST(rfc3339, formats_known_instants) {
  EXPECT_EQ(format_rfc3339(0), "1970-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(1778743800), "2026-05-14T07:30:00Z");
  EXPECT_EQ(format_rfc3339(1778743800, 120), "2026-05-14T09:30:00+02:00");
  EXPECT_EQ(format_rfc3339(1795216500, -300), "2026-11-20T18:15:00-05:00");
  // The local date can differ from the UTC date.
  EXPECT_EQ(format_rfc3339(1388530800, 60), "2014-01-01T00:00:00+01:00");
}

TEST(rfc3339, accepts_fractions_lower_case_and_a_space) {
  const auto fraction = parse_rfc3339("2026-05-14T07:30:00.123456Z");
  ASSERT_TRUE(fraction);
  EXPECT_EQ(fraction->at, 1778743800);
  const auto lower = parse_rfc3339("2026-05-14t07:30:00z");
  ASSERT_TRUE(lower);
  EXPECT_EQ(lower->at, 1778743800);
  const auto space = parse_rfc3339("2026-05-14 09:30:00+02:00");
  ASSERT_TRUE(space);
  EXPECT_EQ(space->at, 1778743800);
}

TEST(rfc3339, rejects_invalid_text) {
  EXPECT_FALSE(parse_rfc3339("2026-02-30T10:00:00Z"));       // no 30 February
  EXPECT_FALSE(parse_rfc3339("2025-02-29T10:00:00Z"));       // not a leap year
  EXPECT_TRUE(parse_rfc3339("2024-02-29T10:00:00Z"));        // a leap year
  EXPECT_FALSE(parse_rfc3339("2026-04-31T10:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-13-01T10:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00"));        // offset missing
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14"));
  EXPECT_FALSE(parse_rfc3339("garbage"));
  EXPECT_FALSE(parse_rfc3339(""));
  EXPECT_FALSE(parse_rfc3339("not a time at all, really"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T24:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:60:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00+2:00"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00+0200"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00Zjunk"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00.Z"));
  EXPECT_FALSE(parse_rfc3339("2026/05/14T10:00:00Z"));
}

TEST(parse_date, gives_midnight_utc) {
  EXPECT_EQ(parse_date("1970-01-02"), 86400);
  EXPECT_EQ(parse_date("2013-12-31"), 1388448000);
  EXPECT_FALSE(parse_date("2013-12-32"));
  EXPECT_FALSE(parse_date("2013-12-31T00:00:00Z"));
}

TEST(stockholm_offset, switches_to_summer_time_on_the_last_sunday_of_march_at_0100_utc) {
  const time_point switch_at = 1774746000;  // 2026-03-29T01:00:00Z
  EXPECT_EQ(stockholm_offset_minutes(switch_at - 1), 60);
  EXPECT_EQ(stockholm_offset_minutes(switch_at), 120);
  EXPECT_EQ(stockholm_offset_minutes(switch_at - 7 * 86400), 60);  // the Sunday before
}

TEST(stockholm_offset, returns_to_winter_time_on_the_last_sunday_of_october_at_0100_utc) {
  const time_point switch_at = 1792890000;  // 2026-10-25T01:00:00Z
  EXPECT_EQ(stockholm_offset_minutes(switch_at - 1), 120);
  EXPECT_EQ(stockholm_offset_minutes(switch_at), 60);
  EXPECT_EQ(stockholm_offset_minutes(switch_at - 7 * 86400), 120);  // the Sunday before
}

TEST(stockholm_offset, handles_a_month_ending_on_a_sunday) {
  // 31 March 2024 and 31 October 2027 are Sundays: the switch is on the 31st itself.
  EXPECT_EQ(stockholm_offset_minutes(1711846800 - 1), 60);
  EXPECT_EQ(stockholm_offset_minutes(1711846800), 120);
  EXPECT_EQ(stockholm_offset_minutes(1824944400 - 1), 120);
  EXPECT_EQ(stockholm_offset_minutes(1824944400), 60);
}

TEST(stockholm_offset, is_cet_in_winter_and_cest_in_summer) {
  EXPECT_EQ(stockholm_offset_minutes(parse_rfc3339("2026-01-15T12:00:00Z")->at), 60);
  EXPECT_EQ(stockholm_offset_minutes(parse_rfc3339("2026-07-15T12:00:00Z")->at), 120);
  EXPECT_EQ(stockholm_offset_minutes(parse_rfc3339("2013-12-31T12:00:00Z")->at), 60);
}

// The edges of what the parser takes, now that date/tz decides which days exist: exactly what the hand-written
// parser took before, and nothing of what date::parse alone would also let through.
TEST(rfc3339, knows_leap_days_of_every_kind) {
  EXPECT_TRUE(parse_rfc3339("2000-02-29T12:00:00Z"));   // divisible by 400
  EXPECT_FALSE(parse_rfc3339("2100-02-29T12:00:00Z"));  // a century, not divisible by 400
  EXPECT_FALSE(parse_rfc3339("1900-02-29T12:00:00Z"));
  EXPECT_TRUE(parse_rfc3339("2028-02-29T12:00:00Z"));
  EXPECT_FALSE(parse_rfc3339("2027-02-29T12:00:00Z"));
  EXPECT_EQ(parse_date("2100-03-01"), 4107542400);
  EXPECT_FALSE(parse_date("2100-02-29"));
  EXPECT_FALSE(parse_date("2026-02-30"));
  EXPECT_FALSE(parse_date("2026-00-10"));
  EXPECT_FALSE(parse_date("2026-01-00"));
}

TEST(rfc3339, takes_the_years_1900_to_9999) {
  EXPECT_EQ(parse_rfc3339("1900-01-01T00:00:00Z")->at, -2208988800);
  EXPECT_EQ(parse_rfc3339("9999-12-31T23:59:59Z")->at, 253402300799);
  EXPECT_FALSE(parse_rfc3339("1899-12-31T23:59:59Z"));
  EXPECT_FALSE(parse_rfc3339("0000-01-01T00:00:00Z"));
  EXPECT_EQ(format_rfc3339(-2208988800), "1900-01-01T00:00:00Z");
  EXPECT_EQ(format_rfc3339(253402300799), "9999-12-31T23:59:59Z");
  EXPECT_EQ(format_rfc3339(-1), "1969-12-31T23:59:59Z");
}

TEST(rfc3339, takes_offsets_up_to_23_59_either_way) {
  const auto east = parse_rfc3339("2026-01-01T00:00:00+14:00");  // Kiribati
  const auto west = parse_rfc3339("2025-12-31T10:00:00-14:00");
  ASSERT_TRUE(east && west);
  EXPECT_EQ(east->at, parse_rfc3339("2025-12-31T10:00:00Z")->at);
  EXPECT_EQ(east->utc_offset_minutes, 14 * 60);
  EXPECT_EQ(west->at, parse_rfc3339("2026-01-01T00:00:00Z")->at);
  EXPECT_EQ(west->utc_offset_minutes, -14 * 60);
  EXPECT_EQ(format_rfc3339(east->at, east->utc_offset_minutes), "2026-01-01T00:00:00+14:00");
  EXPECT_EQ(format_rfc3339(west->at, west->utc_offset_minutes), "2025-12-31T10:00:00-14:00");
  EXPECT_EQ(parse_rfc3339("2026-05-14T10:00:00-23:59")->utc_offset_minutes, -(23 * 60 + 59));
  EXPECT_EQ(parse_rfc3339("2026-05-14T10:00:00+05:45")->utc_offset_minutes, 5 * 60 + 45);
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00+24:00"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00+25:00"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00+14:60"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00+2"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00+02:0"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T10:00:00 +02:00"));
}

TEST(rfc3339, drops_fractions_of_up_to_nine_digits) {
  EXPECT_EQ(parse_rfc3339("2026-05-14T07:30:00.1Z")->at, 1778743800);
  EXPECT_EQ(parse_rfc3339("2026-05-14T07:30:00.999999999Z")->at, 1778743800);  // cut, not rounded
  EXPECT_EQ(parse_rfc3339("2026-05-14T09:30:00.5+02:00")->at, 1778743800);
  EXPECT_FALSE(parse_rfc3339("2026-05-14T07:30:00.1234567890Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T07:30:00,5Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T07:30:00.5"));
}

TEST(rfc3339, reads_a_leap_second_as_the_second_before) {
  EXPECT_EQ(parse_rfc3339("2016-12-31T23:59:60Z")->at, parse_rfc3339("2016-12-31T23:59:59Z")->at);
  EXPECT_FALSE(parse_rfc3339("2016-12-31T23:59:61Z"));
}

TEST(rfc3339, refuses_what_date_parse_alone_would_take) {
  EXPECT_FALSE(parse_rfc3339("2026-5-14T07:30:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-4T07:30:00Z"));
  EXPECT_FALSE(parse_rfc3339("+2026-05-14T07:30:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T7:30:00Z"));
  EXPECT_FALSE(parse_rfc3339("2026-05-14T07:30:00+02:00 "));
  EXPECT_FALSE(parse_rfc3339(" 2026-05-14T07:30:00Z"));
  EXPECT_FALSE(parse_date("2026-5-14"));
  EXPECT_FALSE(parse_date("+2026-05-14"));
  EXPECT_FALSE(parse_date("2026-05-14 "));
}

TEST(stockholm_offset, follows_the_tz_database_through_2026_and_2027) {
  // Summer time starts at 01:00 UTC on the last Sunday of March and ends at 01:00 UTC on the last Sunday of October.
  for (const time_point to_summer : {1774746000, 1806195600}) {  // 2026-03-29, 2027-03-28
    EXPECT_EQ(stockholm_offset_minutes(to_summer - 1), 60);
    EXPECT_EQ(stockholm_offset_minutes(to_summer), 120);
  }
  for (const time_point to_winter : {1792890000, 1824944400}) {  // 2026-10-25, 2027-10-31
    EXPECT_EQ(stockholm_offset_minutes(to_winter - 1), 120);
    EXPECT_EQ(stockholm_offset_minutes(to_winter), 60);
  }
  // Shown in Swedish time, the clock jumps from 02:00 to 03:00 and back from 03:00 to 02:00.
  auto local = [](time_point t) { return format_rfc3339(t, stockholm_offset_minutes(t)); };
  EXPECT_EQ(local(1806195600 - 1), "2027-03-28T01:59:59+01:00");
  EXPECT_EQ(local(1806195600), "2027-03-28T03:00:00+02:00");
  EXPECT_EQ(local(1792890000 - 1), "2026-10-25T02:59:59+02:00");
  EXPECT_EQ(local(1792890000), "2026-10-25T02:00:00+01:00");
  // Both sides of the repeated hour read back to their own instant.
  EXPECT_EQ(parse_rfc3339("2026-10-25T02:30:00+02:00")->at + 3600, parse_rfc3339("2026-10-25T02:30:00+01:00")->at);
}

TEST(stockholm_offset, switches_in_the_project_years) {
  // 2011-2014, when the ESF project ran: summer time as today.
  EXPECT_EQ(stockholm_offset_minutes(parse_rfc3339("2012-03-25T00:59:59Z")->at), 60);
  EXPECT_EQ(stockholm_offset_minutes(parse_rfc3339("2012-03-25T01:00:00Z")->at), 120);
  EXPECT_EQ(stockholm_offset_minutes(parse_rfc3339("2013-10-27T00:59:59Z")->at), 120);
  EXPECT_EQ(stockholm_offset_minutes(parse_rfc3339("2013-10-27T01:00:00Z")->at), 60);
}

TEST(time_zone, loads_europe_stockholm_from_the_tz_database) { EXPECT_NO_THROW(load_time_zone()); }

// ---------------------------------------------------------------- validate_event

TEST(validate_event, accepts_a_complete_event) { EXPECT_TRUE(event_errors(valid_event()).empty()); }

TEST(validate_event, rejects_an_end_before_the_start) {
  event e = valid_event();
  e.ends_at = e.starts_at - 60;
  const field_errors expected{{"ends_at", "must not be before starts_at"}};
  EXPECT_EQ(event_errors(e), expected);
}

TEST(validate_event, requires_a_network_for_a_network_event) {
  event e = valid_event();
  e.kind = "network_event";
  e.topic.reset();
  const field_errors expected{{"network", "is required for a network_event"}};
  EXPECT_EQ(event_errors(e), expected);
  e.network = "euroma";
  EXPECT_TRUE(event_errors(e).empty());
  e.network = "nordic";
  const field_errors unknown{{"network", "must be one of: euroma, baltic_sea"}};
  EXPECT_EQ(event_errors(e), unknown);
}

TEST(validate_event, rejects_an_unknown_topic) {
  event e = valid_event();
  e.topic = "cooking";
  const field_errors expected{
      {"topic", "must be one of: running_esf_across_borders, project_management, budgeting, culture, eu_knowledge"}};
  EXPECT_EQ(event_errors(e), expected);
}

TEST(validate_event, capacity_must_be_at_least_one_or_unlimited) {
  event e = valid_event();
  e.capacity = 0;
  const field_errors expected{{"capacity", "must be a whole number from 1 to 1000000, or null for unlimited"}};
  EXPECT_EQ(event_errors(e), expected);
  e.capacity = -5;
  EXPECT_EQ(event_errors(e), expected);
  e.capacity = 1;
  EXPECT_TRUE(event_errors(e).empty());
  e.capacity.reset();
  EXPECT_TRUE(event_errors(e).empty());
}

TEST(validate_event, network_meeting_needs_a_known_focus_area) {
  event e = valid_event();
  e.kind = "network_meeting";
  e.topic.reset();
  const field_errors missing{{"focus_area", "is required for a network_meeting"}};
  EXPECT_EQ(event_errors(e), missing);
  e.focus_area = "roma";
  EXPECT_TRUE(event_errors(e).empty());
}

TEST(validate_event, collects_several_errors) {
  event e = valid_event();
  e.kind = "party";
  e.title = "";
  e.capacity = 0;
  const field_errors expected{
      {"kind", "must be one of: seminar, network_meeting, partner_search_forum, network_event, study_visit"},
      {"title", "is required"},
      {"capacity", "must be a whole number from 1 to 1000000, or null for unlimited"},
  };
  EXPECT_EQ(event_errors(e), expected);
}

// ---------------------------------------------------------------- compute_goals

constexpr time_point goals_now = 1778743800;  // 2026-05-14
constexpr time_point day = 86400;

goal_event network_event(id_t id, const std::string& network, time_point starts_at = goals_now - 30 * day,
                         bool cancelled = false) {
  goal_event e;
  e.id = id;
  e.kind = "network_event";
  e.network = network;
  e.starts_at = starts_at;
  e.cancelled = cancelled;
  return e;
}

goal_event meeting(id_t id, const std::string& focus_area, time_point starts_at, bool cancelled = false) {
  goal_event e;
  e.id = id;
  e.kind = "network_meeting";
  e.focus_area = focus_area;
  e.starts_at = starts_at;
  e.cancelled = cancelled;
  return e;
}

goal_event forum(id_t id, time_point starts_at, bool by_project = true, bool cancelled = false) {
  goal_event e;
  e.id = id;
  e.kind = "partner_search_forum";
  e.starts_at = starts_at;
  e.organised_by_project = by_project;
  e.cancelled = cancelled;
  return e;
}

goal_event seminar(id_t id, const std::string& topic, time_point starts_at = goals_now - 10 * day) {
  goal_event e;
  e.id = id;
  e.kind = "seminar";
  e.topic = topic;
  e.starts_at = starts_at;
  return e;
}

goal_attendance attended(id_t event_id, id_t person_id, bool home, const std::string& organisation_type = "public",
                         const std::string& gender = "woman") {
  return {event_id, person_id, gender, organisation_type, home};
}

goals compute(const std::vector<goal_event>& events, const std::vector<goal_attendance>& attendances,
              const std::vector<goal_support_session>& support = {}) {
  return compute_goals(events, attendances, support, config{}, goals_now);
}

TEST(goals, representation_is_met_at_exactly_eighty_percent) {
  std::vector<goal_event> events;
  for (id_t id = 1; id <= 5; ++id) events.push_back(network_event(id, "euroma"));
  std::vector<goal_attendance> attendances;
  for (id_t id = 1; id <= 4; ++id) attendances.push_back(attended(id, 100 + id, true));
  attendances.push_back(attended(5, 200, false));  // only someone from outside the region went to event 5

  const auto g = compute(events, attendances);
  EXPECT_EQ(g.representation.held_events, 5);
  EXPECT_EQ(g.representation.represented_events, 4);
  EXPECT_DOUBLE_EQ(g.representation.share, 0.8);
  EXPECT_DOUBLE_EQ(g.representation.goal, 0.8);
  EXPECT_TRUE(g.representation.met);
}

TEST(goals, representation_below_eighty_percent_is_not_met) {
  std::vector<goal_event> events;
  for (id_t id = 1; id <= 5; ++id) events.push_back(network_event(id, "euroma"));
  std::vector<goal_attendance> attendances;
  for (id_t id = 1; id <= 3; ++id) attendances.push_back(attended(id, 100 + id, true));

  const auto g = compute(events, attendances);
  EXPECT_EQ(g.representation.represented_events, 3);
  EXPECT_DOUBLE_EQ(g.representation.share, 0.6);
  EXPECT_FALSE(g.representation.met);
}

TEST(goals, no_held_network_event_gives_share_zero_and_not_met) {
  const auto g = compute({network_event(1, "euroma", goals_now + 10 * day)}, {attended(1, 7, true)});
  EXPECT_EQ(g.representation.held_events, 0);
  EXPECT_EQ(g.representation.share, 0.0);
  EXPECT_FALSE(g.representation.met);
  EXPECT_EQ(g.user_organisations.held_events, 0);
  EXPECT_EQ(g.user_organisations.share, 0.0);
  EXPECT_FALSE(g.user_organisations.met);
  const auto empty = compute({}, {});
  EXPECT_EQ(empty.representation.share, 0.0);
  EXPECT_FALSE(empty.representation.met);
}

TEST(goals, cancelled_and_future_network_events_are_not_held) {
  const std::vector<goal_event> events{
      network_event(1, "euroma"),
      network_event(2, "euroma", goals_now - 20 * day, /*cancelled=*/true),
      network_event(3, "euroma", goals_now + 20 * day),
      network_event(4, "euroma", goals_now),  // starting right now counts as held
  };
  const auto g = compute(events, {attended(1, 10, true), attended(4, 11, true)});
  EXPECT_EQ(g.representation.held_events, 2);
  EXPECT_EQ(g.representation.represented_events, 2);
  EXPECT_DOUBLE_EQ(g.representation.share, 1.0);
  EXPECT_TRUE(g.representation.met);
}

TEST(goals, representation_is_reported_per_network) {
  const std::vector<goal_event> events{
      network_event(1, "euroma"), network_event(2, "euroma"),
      network_event(3, "baltic_sea"), network_event(4, "baltic_sea"), network_event(5, "baltic_sea"),
      network_event(6, "baltic_sea"), network_event(7, "baltic_sea"),
  };
  const std::vector<goal_attendance> attendances{
      attended(1, 1, true), attended(2, 2, true),                          // euroma 2 of 2
      attended(3, 3, true), attended(4, 4, true), attended(5, 5, false),  // baltic 2 of 5
  };
  const auto g = compute(events, attendances);
  ASSERT_EQ(g.representation_by_network.count("euroma"), 1u);
  ASSERT_EQ(g.representation_by_network.count("baltic_sea"), 1u);
  const auto& euroma = g.representation_by_network.at("euroma");
  const auto& baltic = g.representation_by_network.at("baltic_sea");
  EXPECT_EQ(euroma.held_events, 2);
  EXPECT_EQ(euroma.represented_events, 2);
  EXPECT_DOUBLE_EQ(euroma.share, 1.0);
  EXPECT_TRUE(euroma.met);
  EXPECT_EQ(baltic.held_events, 5);
  EXPECT_EQ(baltic.represented_events, 2);
  EXPECT_DOUBLE_EQ(baltic.share, 0.4);
  EXPECT_FALSE(baltic.met);
  EXPECT_EQ(g.representation.held_events, 7);
  EXPECT_EQ(g.representation.represented_events, 4);
}

TEST(goals, configured_networks_appear_even_without_events) {
  const auto g = compute({}, {});
  EXPECT_EQ(g.representation_by_network.size(), 2u);
  EXPECT_EQ(g.representation_by_network.at("baltic_sea").held_events, 0);
  EXPECT_FALSE(g.representation_by_network.at("baltic_sea").met);
  EXPECT_EQ(g.user_organisations_by_network.size(), 2u);
}

TEST(goals, user_organisations_need_a_home_region_user_organisation_attendee) {
  const std::vector<goal_event> events{network_event(1, "euroma"), network_event(2, "euroma"),
                                       network_event(3, "baltic_sea"), network_event(4, "baltic_sea")};
  const std::vector<goal_attendance> attendances{
      attended(1, 1, true, "user_organisation"),   // counts
      attended(2, 2, false, "user_organisation"),  // user organisation, but from outside the region
      attended(3, 3, true, "public"),              // home region, but not a user organisation
      attended(4, 4, true, "non_profit"),
  };
  const auto g = compute(events, attendances);
  EXPECT_EQ(g.user_organisations.held_events, 4);
  EXPECT_EQ(g.user_organisations.represented_events, 1);
  EXPECT_DOUBLE_EQ(g.user_organisations.share, 0.25);
  EXPECT_DOUBLE_EQ(g.user_organisations.goal, 0.5);
  EXPECT_FALSE(g.user_organisations.met);
  EXPECT_EQ(g.user_organisations_by_network.at("euroma").represented_events, 1);
  EXPECT_EQ(g.user_organisations_by_network.at("baltic_sea").represented_events, 0);
  // Representation counts all three home-region events.
  EXPECT_EQ(g.representation.represented_events, 3);
}

TEST(goals, unrepresented_events_are_the_held_network_events_without_a_home_region_attendee) {
  auto titled = [](goal_event e, const std::string& title, int offset = 60) {
    e.title = title;
    e.utc_offset_minutes = offset;
    return e;
  };
  std::vector<goal_event> events{
      titled(network_event(1, "euroma", goals_now - 40 * day), "EURoma Brussels"),               // represented
      titled(network_event(2, "baltic_sea", goals_now - 10 * day), "BSN Riga", 120),             // only from abroad
      titled(network_event(3, "euroma", goals_now - 50 * day), "EURoma Madrid"),                 // nobody attended
      titled(network_event(4, "euroma", goals_now - 20 * day, /*cancelled=*/true), "Cancelled"),  // not held
      titled(network_event(5, "baltic_sea", goals_now + 5 * day), "Future"),                     // not held
      titled(meeting(6, "roma", goals_now - 30 * day), "A network meeting"),                     // not a network event
      titled(network_event(7, "baltic_sea", goals_now - 50 * day), "BSN Tallinn"),               // same start as 3
  };
  events.back().network.reset();  // a network event recorded without its network still counts
  const auto g = compute(events, {attended(1, 1, true), attended(2, 2, false), attended(4, 3, true)});

  ASSERT_EQ(g.unrepresented_events.size(), 3u);
  EXPECT_EQ(static_cast<std::int64_t>(g.unrepresented_events.size()),
            g.representation.held_events - g.representation.represented_events);
  // Earliest first; the same start by id.
  EXPECT_EQ(g.unrepresented_events[0].id, 3);
  EXPECT_EQ(g.unrepresented_events[0].title, "EURoma Madrid");
  EXPECT_EQ(g.unrepresented_events[0].network, std::optional<std::string>("euroma"));
  EXPECT_EQ(g.unrepresented_events[0].starts_at, goals_now - 50 * day);
  EXPECT_EQ(g.unrepresented_events[1].id, 7);
  EXPECT_EQ(g.unrepresented_events[1].network, std::nullopt);
  EXPECT_EQ(g.unrepresented_events[2].id, 2);
  EXPECT_EQ(g.unrepresented_events[2].network, std::optional<std::string>("baltic_sea"));
  EXPECT_EQ(g.unrepresented_events[2].utc_offset_minutes, 120);

  // Once someone from the region attends, the event leaves the list.
  const auto after = compute(events, {attended(1, 1, true), attended(2, 2, false), attended(2, 4, true)});
  ASSERT_EQ(after.unrepresented_events.size(), 2u);
  EXPECT_EQ(after.unrepresented_events[0].id, 3);
  EXPECT_EQ(after.unrepresented_events[1].id, 7);
  EXPECT_TRUE(compute({}, {}).unrepresented_events.empty());
}

TEST(goals, user_organisations_met_at_half) {
  const std::vector<goal_event> events{network_event(1, "euroma"), network_event(2, "euroma")};
  const auto g = compute(events, {attended(1, 1, true, "user_organisation")});
  EXPECT_DOUBLE_EQ(g.user_organisations.share, 0.5);
  EXPECT_TRUE(g.user_organisations.met);
}

TEST(goals, meetings_met_only_when_every_focus_area_has_two_held) {
  const time_point past = goals_now - 60 * day;
  const time_point future = goals_now + 60 * day;
  std::vector<goal_event> events;
  id_t id = 1;
  for (const char* area : {"poverty_social_exclusion", "roma", "employment_mobility"}) {
    events.push_back(meeting(id++, area, past));
    events.push_back(meeting(id++, area, past - day));
  }
  // The fourth area has one held, one scheduled and one cancelled.
  events.push_back(meeting(id++, "social_innovation_entrepreneurship", past));
  events.push_back(meeting(id++, "social_innovation_entrepreneurship", future));
  events.push_back(meeting(id++, "social_innovation_entrepreneurship", past, /*cancelled=*/true));
  // Many in one area do not make up for another.
  events.push_back(meeting(id++, "roma", past));

  auto g = compute(events, {});
  EXPECT_FALSE(g.meetings_met);
  EXPECT_EQ(g.meetings_goal_per_focus_area, 2);
  EXPECT_EQ(g.meetings_held_total, 8);
  EXPECT_EQ(g.meetings_scheduled_total, 1);
  EXPECT_EQ(g.meetings_by_focus_area.at("roma").held, 3);
  EXPECT_EQ(g.meetings_by_focus_area.at("social_innovation_entrepreneurship").held, 1);
  EXPECT_EQ(g.meetings_by_focus_area.at("social_innovation_entrepreneurship").scheduled, 1);
  EXPECT_EQ(g.meetings_by_focus_area.at("employment_mobility").scheduled, 0);

  // Once the scheduled one has been held, every area has two.
  g = compute_goals(events, {}, {}, config{}, future);
  EXPECT_TRUE(g.meetings_met);
  EXPECT_EQ(g.meetings_by_focus_area.at("social_innovation_entrepreneurship").held, 2);
  EXPECT_EQ(g.meetings_scheduled_total, 0);
}

TEST(goals, no_meetings_is_not_met) {
  const auto g = compute({}, {});
  EXPECT_FALSE(g.meetings_met);
  EXPECT_EQ(g.meetings_by_focus_area.size(), 4u);
  EXPECT_EQ(g.meetings_held_total, 0);
}

TEST(goals, forums_count_only_up_to_the_deadline_and_only_when_organised_by_the_project) {
  // Deadline 2013-12-31, the whole day in Stockholm (CET, +01:00): up to 2013-12-31T23:00:00Z.
  const time_point last_minute = 1388530800 - 60;  // 2013-12-31T23:59 Stockholm
  const time_point new_year = 1388530800 + 30 * 60;  // 2014-01-01T00:30 Stockholm
  EXPECT_EQ(compute({forum(1, last_minute)}, {}).forums_held, 1);
  EXPECT_TRUE(compute({forum(1, last_minute)}, {}).forums_met);

  const auto late = compute({forum(1, new_year)}, {});
  EXPECT_EQ(late.forums_held, 0);
  EXPECT_FALSE(late.forums_met);

  const auto by_others = compute({forum(1, last_minute, /*by_project=*/false)}, {});
  EXPECT_EQ(by_others.forums_held, 0);
  EXPECT_FALSE(by_others.forums_met);

  const auto cancelled = compute({forum(1, last_minute, true, /*cancelled=*/true)}, {});
  EXPECT_EQ(cancelled.forums_held, 0);
  EXPECT_FALSE(cancelled.forums_met);

  const auto g = compute({forum(1, last_minute), forum(2, 1388530800 - 200 * day), forum(3, goals_now + day)}, {});
  EXPECT_EQ(g.forums_held, 2);
  EXPECT_EQ(g.forums_scheduled, 1);
  EXPECT_EQ(g.forums_goal, 1);
  EXPECT_EQ(g.forum_deadline, "2013-12-31");
  EXPECT_TRUE(g.forums_met);
}

TEST(goals, participation_counts_each_person_once) {
  const std::vector<goal_event> events{seminar(1, "budgeting"), seminar(2, "culture"), network_event(3, "euroma")};
  const std::vector<goal_attendance> attendances{
      attended(1, 10, true, "public", "woman"),
      attended(2, 10, true, "public", "woman"),  // the same person at a second event
      attended(1, 11, false, "user_organisation", "man"),
      attended(3, 12, true, "private", "non_binary"),
  };
  const auto g = compute(events, attendances);
  EXPECT_EQ(g.unique_persons, 3);
  EXPECT_EQ(g.by_gender.at("woman"), 1);
  EXPECT_EQ(g.by_gender.at("man"), 1);
  EXPECT_EQ(g.by_gender.at("non_binary"), 1);
  EXPECT_EQ(g.by_gender.at("undisclosed"), 0);
  EXPECT_EQ(g.by_organisation_type.at("public"), 1);
  EXPECT_EQ(g.by_organisation_type.at("user_organisation"), 1);
  EXPECT_EQ(g.by_organisation_type.at("private"), 1);
  EXPECT_EQ(g.by_organisation_type.at("non_profit"), 0);
  EXPECT_EQ(g.home_region, 2);
  EXPECT_EQ(g.other_region, 1);
  EXPECT_EQ(g.by_topic.at("budgeting").participants, 2);
  EXPECT_EQ(g.by_topic.at("budgeting").events, 1);
  EXPECT_EQ(g.by_topic.at("culture").participants, 1);
  EXPECT_EQ(g.by_topic.at("culture").events, 1);
  EXPECT_EQ(g.by_topic.at("eu_knowledge").participants, 0);
  EXPECT_EQ(g.by_topic.at("eu_knowledge").events, 0);
}

TEST(goals, attendance_at_a_cancelled_event_is_not_participation) {
  goal_event cancelled = seminar(1, "culture");
  cancelled.cancelled = true;
  const auto g = compute({cancelled, seminar(2, "culture")}, {attended(1, 10, true), attended(2, 11, true)});
  EXPECT_EQ(g.unique_persons, 1);
  EXPECT_EQ(g.by_topic.at("culture").events, 1);
  EXPECT_EQ(g.by_topic.at("culture").participants, 1);
}

TEST(goals, support_averages_hours_per_distinct_project_idea) {
  const std::vector<goal_support_session> support{
      {"roma inclusion pilot", 2.0, {20, 21}},
      {"roma inclusion pilot", 3.0, {20}},
      {"baltic youth exchange", 1.0, {22}},
  };
  const std::vector<goal_event> events{seminar(1, "budgeting")};
  const std::vector<goal_attendance> attendances{attended(1, 20, true), attended(1, 30, true)};
  const auto g = compute(events, attendances, support);
  EXPECT_EQ(g.support_project_ideas, 2);
  EXPECT_DOUBLE_EQ(g.average_hours_per_project, 3.0);  // 6 hours over 2 ideas
  // Persons 20, 21, 22 from counselling and 30 from the seminar (20 counted once).
  EXPECT_EQ(g.support_persons, 4);
}

TEST(goals, no_support_gives_zero_average) {
  const auto g = compute({}, {});
  EXPECT_EQ(g.support_project_ideas, 0);
  EXPECT_EQ(g.average_hours_per_project, 0.0);
  EXPECT_EQ(g.support_persons, 0);
}

// ---------------------------------------------------------------- changing an event

event stored_event() {
  event e;
  e.id = 5;
  e.kind = "seminar";
  e.title = "Budgeting";
  e.topic = "budgeting";
  e.starts_at = 1900000000;
  e.ends_at = e.starts_at + 3600;
  e.capacity = 10;
  e.version = 4;
  e.counts.confirmed = 6;
  e.counts.capacity = 10;
  return e;
}

TEST(event_edit, a_patch_changes_only_the_fields_it_names) {
  event_patch p;
  p.title = "Budgeting across borders";
  p.capacity = std::optional<std::int64_t>();  // unlimited
  const auto d = decide_event_edit(stored_event(), p, std::nullopt, config{});
  ASSERT_EQ(d.refusal, edit_refusal::none) << d.detail;
  EXPECT_EQ(d.updated.title, "Budgeting across borders");
  EXPECT_FALSE(d.updated.capacity);
  EXPECT_EQ(d.updated.topic, "budgeting");
  EXPECT_EQ(d.updated.starts_at, stored_event().starts_at);
}

TEST(event_edit, a_cancelled_event_cannot_be_published_again) {
  auto e = stored_event();
  e.status = event_status::cancelled;
  event_patch p;
  p.status = event_status::published;
  EXPECT_EQ(decide_event_edit(e, p, std::nullopt, config{}).refusal, edit_refusal::cancelled);
  p = event_patch{};
  p.title = "Renamed";
  EXPECT_EQ(decide_event_edit(e, p, std::vector<std::int64_t>{4}, config{}).refusal, edit_refusal::cancelled);
}

TEST(event_edit, if_match_must_name_the_stored_version) {
  event_patch p;
  p.title = "Renamed";
  EXPECT_EQ(decide_event_edit(stored_event(), p, std::vector<std::int64_t>{3}, config{}).refusal, edit_refusal::stale);
  EXPECT_EQ(decide_event_edit(stored_event(), p, std::vector<std::int64_t>{}, config{}).refusal, edit_refusal::stale);
  EXPECT_EQ(decide_event_edit(stored_event(), p, std::vector<std::int64_t>{3, 4}, config{}).refusal, edit_refusal::none);
  EXPECT_EQ(decide_event_edit(stored_event(), p, std::nullopt, config{}).refusal, edit_refusal::none);
}

TEST(event_edit, capacity_may_not_go_below_the_confirmed_registrations) {
  event_patch p;
  p.capacity = std::optional<std::int64_t>(5);
  auto d = decide_event_edit(stored_event(), p, std::nullopt, config{});
  EXPECT_EQ(d.refusal, edit_refusal::capacity_below_confirmed);
  ASSERT_EQ(d.errors.size(), 1u);
  EXPECT_EQ(d.errors[0].field, "capacity");
  EXPECT_NE(d.errors[0].message.find("6"), std::string::npos) << d.errors[0].message;
  p.capacity = std::optional<std::int64_t>(6);
  EXPECT_EQ(decide_event_edit(stored_event(), p, std::nullopt, config{}).refusal, edit_refusal::none);
  // Walk-ins took confirmed beyond capacity: sending the capacity unchanged (as an edit form does) is fine.
  auto full = stored_event();
  full.counts.confirmed = 12;
  p.capacity = std::optional<std::int64_t>(10);
  EXPECT_EQ(decide_event_edit(full, p, std::nullopt, config{}).refusal, edit_refusal::none);
}

TEST(event_edit, invalid_fields_are_refused_with_their_errors) {
  event_patch p;
  p.ends_at = stored_event().starts_at - 1;
  const auto d = decide_event_edit(stored_event(), p, std::nullopt, config{});
  EXPECT_EQ(d.refusal, edit_refusal::invalid);
  ASSERT_FALSE(d.errors.empty());
  EXPECT_EQ(d.errors[0].field, "ends_at");
}

TEST(waitlist, promotes_only_before_the_event_starts) {
  auto e = stored_event();
  e.counts.confirmed = 8;
  e.counts.waitlisted = 5;
  EXPECT_EQ(seats_to_promote(e, e.starts_at - 1), 2);
  EXPECT_EQ(seats_to_promote(e, e.starts_at), 0);
  EXPECT_EQ(seats_to_promote(e, e.ends_at + 10), 0);
  e.capacity.reset();
  EXPECT_EQ(seats_to_promote(e, e.starts_at - 1), 5);
  e.status = event_status::cancelled;
  EXPECT_EQ(seats_to_promote(e, e.starts_at - 1), 0);
}

TEST(waitlist, a_newcomer_does_not_pass_those_waiting) {
  auto e = stored_event();
  e.counts.confirmed = 9;
  EXPECT_TRUE(gets_seat(e, false));
  e.counts.waitlisted = 2;  // after the start a freed seat is not promoted
  EXPECT_FALSE(gets_seat(e, false));
  EXPECT_TRUE(gets_seat(e, true)) << "walk-ins always";
  e.counts.confirmed = 10;
  e.counts.waitlisted = 0;
  EXPECT_FALSE(gets_seat(e, false));
}

TEST(waitlist, the_earliest_arrivals_are_promoted_up_to_the_free_seats) {
  auto e = stored_event();
  e.counts.confirmed = 8;
  e.counts.waitlisted = 4;
  const auto before = e.starts_at - 1;
  EXPECT_EQ(promotions(e, {31, 12, 40, 17}, before), (std::vector<id_t>{12, 17})) << "arrival order, two seats free";
  EXPECT_EQ(promotions(e, {31}, before), (std::vector<id_t>{31})) << "fewer waiting than seats";
  EXPECT_TRUE(promotions(e, {}, before).empty());
  e.counts.confirmed = 10;
  EXPECT_TRUE(promotions(e, {12, 17}, before).empty()) << "never above capacity";
  e.counts.confirmed = 12;  // walk-ins beyond capacity
  EXPECT_TRUE(promotions(e, {12, 17}, before).empty());
}

TEST(waitlist, nobody_is_promoted_once_the_event_started_or_was_cancelled) {
  auto e = stored_event();
  e.counts.confirmed = 5;
  e.counts.waitlisted = 2;
  EXPECT_TRUE(promotions(e, {3, 4}, e.starts_at).empty());
  e.status = event_status::cancelled;
  EXPECT_TRUE(promotions(e, {3, 4}, e.starts_at - 60).empty());
}

TEST(waitlist, unlimited_capacity_promotes_everyone_waiting) {
  auto e = stored_event();
  e.capacity.reset();
  e.counts.waitlisted = 3;
  EXPECT_EQ(promotions(e, {9, 7, 8}, e.starts_at - 1), (std::vector<id_t>{7, 8, 9}));
}

// ---------------------------------------------------------------- registering

TEST(registering, a_seat_while_free_then_the_last_place_in_line) {
  auto e = stored_event();
  e.status = event_status::published;
  const auto now = e.starts_at - 3600;
  auto d = decide_registration(e, false, now);
  EXPECT_EQ(d.refusal, registration_refusal::none);
  EXPECT_EQ(d.status, registration_status::confirmed);
  EXPECT_FALSE(d.waitlist_position);
  e.counts.confirmed = 10;
  e.counts.waitlisted = 3;
  d = decide_registration(e, false, now);
  EXPECT_EQ(d.refusal, registration_refusal::none);
  EXPECT_EQ(d.status, registration_status::waitlisted);
  EXPECT_EQ(d.waitlist_position, 4);
  e.counts.confirmed = 9;  // a free seat while three wait is theirs, not the newcomer's
  EXPECT_EQ(decide_registration(e, false, now).status, registration_status::waitlisted);
}

TEST(registering, walk_ins_are_confirmed_beyond_capacity_and_after_registration_closed) {
  auto e = stored_event();
  e.counts.confirmed = 10;
  e.counts.waitlisted = 2;
  e.status = event_status::draft;
  const auto d = decide_registration(e, true, e.ends_at);
  EXPECT_EQ(d.refusal, registration_refusal::none);
  EXPECT_EQ(d.status, registration_status::confirmed);
  EXPECT_FALSE(d.waitlist_position);
}

TEST(registering, refusals_in_order_cancelled_unpublished_closed) {
  auto e = stored_event();
  e.status = event_status::cancelled;
  EXPECT_EQ(decide_registration(e, false, e.starts_at - 1).refusal, registration_refusal::cancelled);
  EXPECT_EQ(decide_registration(e, true, e.starts_at - 1).refusal, registration_refusal::cancelled) << "walk-ins too";
  e.status = event_status::draft;
  EXPECT_EQ(decide_registration(e, false, e.starts_at + 1).refusal, registration_refusal::unpublished);
  e.status = event_status::published;
  EXPECT_EQ(decide_registration(e, false, e.starts_at).refusal, registration_refusal::closed) << "closes at the start";
  e.registration_closes_at = e.starts_at - 86400;
  EXPECT_EQ(decide_registration(e, false, e.starts_at - 86400).refusal, registration_refusal::closed);
  EXPECT_EQ(decide_registration(e, false, e.starts_at - 86401).refusal, registration_refusal::none);
}

TEST(registering, a_refusal_names_its_reason_and_says_why) {
  EXPECT_EQ(to_string(registration_refusal::cancelled), "cancelled");
  EXPECT_EQ(to_string(registration_refusal::unpublished), "unpublished");
  EXPECT_EQ(to_string(registration_refusal::closed), "closed");
  EXPECT_EQ(to_string(registration_refusal::duplicate), "duplicate");
  EXPECT_EQ(describe(registration_refusal::closed), "registration for this event has closed");
  EXPECT_EQ(describe(registration_refusal::duplicate), "this e-mail address is already registered for the event");
}

TEST(registering, fields_are_kept_trimmed_with_the_address_normalised) {
  auto p = valid_person();
  p.name = "  Anna Svensson ";
  p.email = " Anna.Svensson@Example.SE ";
  p.organisation = "\tSensus ";
  p.municipality = " Stockholm ";
  p.country = " Sverige";
  p.accessibility_note = " as given ";
  const auto kept = normalise_person(p);
  EXPECT_EQ(kept.name, "Anna Svensson");
  EXPECT_EQ(kept.email, "anna.svensson@example.se");
  EXPECT_EQ(kept.organisation, "Sensus");
  EXPECT_EQ(kept.municipality, "Stockholm");
  EXPECT_EQ(kept.country, "Sverige");
  EXPECT_EQ(kept.accessibility_note, " as given ") << "free text is kept as written";
  EXPECT_EQ(kept.gender, p.gender);
}

// ---------------------------------------------------------------- erasure

TEST(erasure, clears_what_identifies_a_person_and_nothing_the_goal_figures_count) {
  const std::vector<personal_field> cleared(erased_fields.begin(), erased_fields.end());
  for (auto f : {personal_field::name, personal_field::email, personal_field::organisation, personal_field::municipality,
                 personal_field::country, personal_field::accessibility_needs, personal_field::accessibility_note,
                 personal_field::dietary, personal_field::client_network})
    EXPECT_EQ(std::count(cleared.begin(), cleared.end(), f), 1) << static_cast<int>(f);
  // Gender, organisation type, home region and language are no personal_field: erasure cannot reach them.
  EXPECT_EQ(cleared.size(), 9u);
}

// ---------------------------------------------------------------- check-in

registration with_status(registration_status s) {
  registration r;
  r.id = 7;
  r.event_id = 5;
  r.status = s;
  return r;
}

TEST(admission, a_confirmed_registration_is_admitted_and_others_only_by_force) {
  EXPECT_EQ(decide_admission(with_status(registration_status::confirmed), false, false).result, admission::admit);
  EXPECT_FALSE(decide_admission(with_status(registration_status::confirmed), false, false).confirms);
  for (auto s : {registration_status::waitlisted, registration_status::cancelled}) {
    EXPECT_EQ(decide_admission(with_status(s), false, false).result, admission::not_admissible);
    const auto forced = decide_admission(with_status(s), true, false);
    EXPECT_EQ(forced.result, admission::admit);
    EXPECT_TRUE(forced.forced);
    EXPECT_TRUE(forced.confirms) << "admitted anyway means holding a place: confirmed, as the counts say";
  }
  auto in = with_status(registration_status::confirmed);
  in.checked_in_at = 1900000000;
  EXPECT_EQ(decide_admission(in, true, false).result, admission::already_checked_in);
}

TEST(admission, a_cancelled_registration_is_not_revived_beside_another_active_one_or_after_erasure) {
  EXPECT_EQ(decide_admission(with_status(registration_status::cancelled), true, true).result, admission::not_admissible);
  auto erased = with_status(registration_status::cancelled);
  erased.erased = true;
  EXPECT_EQ(decide_admission(erased, true, false).result, admission::not_admissible);
}

TEST(admission, only_a_forced_check_in_of_a_cancelled_registration_asks_for_the_others) {
  EXPECT_TRUE(admission_needs_other_registrations(with_status(registration_status::cancelled), true));
  EXPECT_FALSE(admission_needs_other_registrations(with_status(registration_status::cancelled), false));
  EXPECT_FALSE(admission_needs_other_registrations(with_status(registration_status::waitlisted), true));
  EXPECT_FALSE(admission_needs_other_registrations(with_status(registration_status::confirmed), true));
}

TEST(admission, admitting_checks_in_and_a_forced_admission_confirms) {
  auto r = with_status(registration_status::confirmed);
  admit(r, decide_admission(r, false, false), 1900000000);
  EXPECT_EQ(r.checked_in_at, 1900000000);
  EXPECT_FALSE(r.checkin_forced);
  EXPECT_EQ(r.status, registration_status::confirmed);

  auto waiting = with_status(registration_status::waitlisted);
  waiting.waitlist_position = 3;
  admit(waiting, decide_admission(waiting, true, false), 1900000100);
  EXPECT_EQ(waiting.status, registration_status::confirmed);
  EXPECT_TRUE(waiting.checkin_forced);
  EXPECT_FALSE(waiting.waitlist_position);

  auto cancelled = with_status(registration_status::cancelled);
  cancelled.cancelled_at = 1899990000;
  admit(cancelled, decide_admission(cancelled, true, false), 1900000200);
  EXPECT_EQ(cancelled.status, registration_status::confirmed);
  EXPECT_FALSE(cancelled.cancelled_at);
  EXPECT_EQ(cancelled.checked_in_at, 1900000200);
}

TEST(scan_ids, a_repeat_is_the_same_event_and_registration) {
  const scan_request first{5, scan_subject(7, "")};
  EXPECT_TRUE(same_scan_request(first, {5, scan_subject(7, "")}));
  EXPECT_FALSE(same_scan_request(first, {6, scan_subject(7, "")})) << "another event";
  EXPECT_FALSE(same_scan_request(first, {5, scan_subject(8, "")})) << "another registration";
  EXPECT_FALSE(same_scan_request(first, {5, scan_subject(std::nullopt, "ZZZZZZZZ")})) << "a code that names nothing";
  EXPECT_EQ(scan_subject(std::nullopt, "zzzz-zzzz"), scan_subject(std::nullopt, "ZZZZZZZZ"));
  EXPECT_TRUE(same_scan_request(std::nullopt, {6, scan_subject(8, "")})) << "answers kept before requests were recorded";
}

}  // namespace

// Look-alikes of one address must become that address, or be refused (issue 6, defect 11).
TEST(canonical_email, folds_look_alikes_into_the_plain_address) {
  const std::string plain = "anna@example.org";
  EXPECT_EQ(canonical_email(plain), plain);
  EXPECT_EQ(canonical_email("anna@example.org\u00A0"), plain) << "trailing no-break space";
  EXPECT_EQ(canonical_email("\uFF41\uFF4E\uFF4E\uFF41@\uFF45\uFF58\uFF41\uFF4D\uFF50\uFF4C\uFF45.org"), plain) << "fullwidth letters";
  EXPECT_EQ(canonical_email("  ANNA@Example.ORG "), plain);
  EXPECT_EQ(canonical_email("\u212Aarl@example.org"), "karl@example.org") << "the Kelvin sign";
  EXPECT_EQ(canonical_email("Karl@example.org"), "karl@example.org");
  EXPECT_EQ(canonical_email("anna@BÜCHER.example"), "anna@xn--bcher-kva.example") << "IDNA for the domain";
  EXPECT_EQ(canonical_email("anna@bu\u0308cher.example"), "anna@xn--bcher-kva.example") << "decomposed ü";
  EXPECT_EQ(canonical_email("anna@fa\u00DF.de"), "anna@xn--fa-hia.de") << "non-transitional: ß stays ß";
  EXPECT_EQ(normalise_email("\uFF21nna@example.org"), plain);
}

TEST(canonical_email, refuses_invisible_and_bidirectional_characters) {
  for (const char* bad : {"an\u200Bna@example.org", "anna\u200C@example.org", "anna@exam\u200Dple.org",
                          "\u200Eanna@example.org", "anna@example.org\u200F", "\u202Eanna@example.org",
                          "anna\u202A@example.org", "anna@example.org\u2066", "\u2069anna@example.org",
                          "\uFEFFanna@example.org", "an\u00ADna@example.org", "anna\u0085@example.org",
                          "anna\x01@example.org", "anna@example.org\u2028", "anna\xC3@example.org"}) {
    EXPECT_EQ(canonical_email(bad), std::nullopt) << bad;
    EXPECT_EQ(email_problem(bad), std::string(hidden_message)) << bad;
  }
  EXPECT_EQ(email_problem("anna@example.org\u00A0"), std::nullopt);
  EXPECT_EQ(email_problem("anna example@example.org"), "must be a valid e-mail address");
  EXPECT_EQ(email_problem(" "), "is required");
}

TEST(validate_person, refuses_invisible_and_bidirectional_characters_in_names) {
  person_fields p;
  p.name = "Anna\u202E Svensson";
  p.email = "an\u200Bna@example.org";
  p.organisation = "Solna\u200B stad";
  p.organisation_type = "public";
  p.municipality = "Solna\u2066";
  p.gender = "undisclosed";
  p.language = "sv";
  field_errors errors;
  validate_person(p, errors);
  const field_errors want{{"name", std::string(hidden_message)},
                          {"email", std::string(hidden_message)},
                          {"organisation", std::string(hidden_message)},
                          {"municipality", "must be at most 100 characters without control characters"}};
  EXPECT_EQ(errors, want);
  // Ordinary letters from any script, and tabs or newlines in multi-line notes, stay allowed.
  EXPECT_FALSE(has_hidden_characters("Zoë Ångström-李 😀 Ω"));
  EXPECT_TRUE(has_hidden_characters("line\nbreak"));
  EXPECT_FALSE(has_hidden_characters("line\nbreak", true));
}

TEST(goals, a_period_keeps_the_events_starting_on_its_stockholm_days_their_attendances_and_its_sessions) {
  // 2026-05-13 21:30 UTC is 23:30 in Stockholm (summer time): still the 13th; 22:30 UTC is already the 14th there.
  const time_point late_13th = 1778707800;  // 2026-05-13T21:30:00Z
  const time_point early_14th = late_13th + 3600;
  EXPECT_EQ(stockholm_day(late_13th), "2026-05-13");
  EXPECT_EQ(stockholm_day(early_14th), "2026-05-14");
  std::vector<goal_event> events{network_event(1, "euroma", late_13th), network_event(2, "euroma", early_14th)};
  std::vector<goal_attendance> attendances{attended(1, 10, true), attended(2, 11, true)};
  std::vector<goal_support_session> support{{"idea a", 1.0, {10}, "2026-05-13"}, {"idea b", 2.0, {11}, "2026-05-14"}};

  auto e = events;
  auto a = attendances;
  auto s = support;
  limit_to_period({}, e, a, s);  // no period: everything
  EXPECT_EQ(e.size(), 2u);
  EXPECT_EQ(a.size(), 2u);
  EXPECT_EQ(s.size(), 2u);

  limit_to_period({.from = "2026-05-14", .to = "2026-05-14"}, e, a, s);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].id, 2);
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0].person_id, 11);
  ASSERT_EQ(s.size(), 1u);
  EXPECT_EQ(s[0].project_idea, "idea b");

  e = events;
  a = attendances;
  s = support;
  limit_to_period({.from = std::nullopt, .to = "2026-05-13"}, e, a, s);
  ASSERT_EQ(e.size(), 1u);
  EXPECT_EQ(e[0].id, 1);
  EXPECT_EQ(a.size(), 1u);
  EXPECT_EQ(s.size(), 1u);
  const auto g = compute_goals(e, a, s, config{}, goals_now);
  EXPECT_EQ(g.representation.held_events, 1);
  EXPECT_EQ(g.representation.represented_events, 1);
  EXPECT_EQ(g.support_persons, 1);
}
