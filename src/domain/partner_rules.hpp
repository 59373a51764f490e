// Partner search at the partner-search forums (../shared/API.md, Partner search): participants' profiles, who matches
// whom and why, meeting requests between participants, and the placing of an accepted meeting in a time slot at a
// table so that nobody and no table is booked twice in one slot.
#pragma once

#include "domain/config.hpp"
#include "domain/types.hpp"
#include "domain/validation.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::domain {

// What an organisation offers a partnership and what it seeks in one (the same words for both): to lead a project,
// to be a partner, expertise, methods and tools, access to target groups, hosting study visits, staff exchange, a
// site to pilot in, knowledge of EU funding, co-financing.
extern const std::vector<std::string> partner_roles;

// ISO 3166-1 alpha-2 country codes ("SE") and ISO 639-1 language codes ("sv"), as kept (upper- and lower-case).
bool is_country_code(std::string_view);
bool is_language_code(std::string_view);

inline constexpr std::size_t max_profile_summary = 1000;
inline constexpr std::size_t max_meeting_message = 500;

struct profile_fields {
  std::string organisation;  // the registration's organisation unless the profile names it otherwise
  std::string summary;       // the organisation and its project idea, in a few lines
  std::string country;       // where the organisation is
  std::vector<std::string> focus_areas, offers, seeks, languages;
  std::vector<std::string> partner_countries;  // where they want partners; empty: anywhere
  bool is_public = false;                       // also listed in the partner database, beyond the forum
};

// Texts trimmed, codes in their kept case, lists without repeats in the order given.
profile_fields normalise_profile(profile_fields);
// Every bad field after normalise_profile: summary 1..1000 characters, a known country, at least one focus area
// (of the configuration's), offers/seeks from partner_roles, 1..10 known languages, known partner countries.
void validate_profile(const profile_fields&, const config&, field_errors&);

struct partner_profile {
  id_t id = 0;
  id_t registration_id = 0;
  id_t event_id = 0;
  std::string name;  // the participant's (shown to fellow participants and organisers only)
  profile_fields fields;
  time_point created_at = 0;
  time_point updated_at = 0;
};

// Browse and search: free text in the organisation and summary (case ignored), a focus area, a country.
struct profile_filter {
  std::string q;
  std::optional<std::string> focus_area;
  std::optional<std::string> country;
};
bool profile_matches(const partner_profile&, const profile_filter&);

// Why two profiles match, as the participant reads it. Kinds: focus_areas (shared), offers_what_you_seek,
// seeks_what_you_offer, common_language, wanted_country (theirs is one you want), wants_your_country.
struct match_reason {
  std::string kind;
  std::vector<std::string> values;
};
struct partner_match {
  const partner_profile* profile = nullptr;
  int score = 0;
  std::vector<match_reason> reasons;
};

// Score weights: each shared focus area 3, each role one offers and the other seeks 2 (both ways), a wanted country
// 2, being in a country they want 1, a common language 1.
// The others ranked for `me`, best first (score, then shared focus areas, then the earlier profile). A match shares
// a language and at least a focus area or a role one seeks and the other offers; `me` itself is never listed.
std::vector<partner_match> rank_partners(const partner_profile& me, const std::vector<partner_profile>& others,
                                         std::size_t limit = 50);

// Meeting requests and the meetings they become.
enum class meeting_state { pending, accepted, declined, cancelled };
std::string_view to_string(meeting_state);
std::optional<meeting_state> meeting_state_from(std::string_view);

struct meeting_slot {
  id_t id = 0;
  time_point starts_at = 0;
  time_point ends_at = 0;
};

struct meeting {
  id_t id = 0;
  id_t event_id = 0;
  id_t from_registration = 0;  // who asked
  id_t to_registration = 0;    // who answers
  std::optional<std::string> message;
  meeting_state state = meeting_state::pending;
  std::optional<id_t> slot_id;  // accepted: where and when
  std::optional<int> table;
  time_point created_at = 0;
  std::optional<time_point> decided_at;
};

inline constexpr std::size_t max_meeting_slots = 200;
inline constexpr int max_meeting_tables = 1000;

// Slots as sent: each ends after it starts, none overlaps another; 1..max_meeting_tables tables; at most
// max_meeting_slots slots. Errors name "slots[i]" and "tables".
void validate_slots(const std::vector<meeting_slot>& slots, std::int64_t tables, field_errors&);

// Where an accepted meeting goes.
struct placement {
  id_t slot_id = 0;
  int table = 0;
};

// The rule that places one meeting, on what a forum's store can tell cheaply: its slots in time order with the
// number of tables taken in each, and the slots where either of the two already has a meeting. The first slot not
// yet started at `now`, with a table free, where neither is busy; nullopt when there is none.
struct slot_load {
  meeting_slot slot;
  int taken = 0;
};
std::optional<id_t> first_common_slot(const std::vector<slot_load>& slots, int tables, const std::vector<id_t>& busy_slots,
                                      time_point now);
// The lowest table (1-based) not among `taken`, or nullopt when all `tables` are.
std::optional<int> lowest_free_table(std::vector<int> taken, int tables);

// The forum's slots and what is booked in them, as the scheduler sees it (the same rules, on the whole forum).
class forum_schedule {
public:
  forum_schedule(std::vector<meeting_slot> slots, int tables);
  // An existing meeting (false when it would double-book a person or a table: the caller's data are broken).
  bool book(id_t slot_id, int table, id_t a, id_t b);
  // The first slot not yet started at `now`, in time order, where neither a nor b has a meeting and a table is free;
  // the lowest free table in it. Booked when found; nullopt when there is no such slot.
  std::optional<placement> place(id_t a, id_t b, time_point now);
  // Whether the slot exists and the table is in range, free in it, and a and b are free in it (for an organiser's move).
  bool free_at(id_t slot_id, int table, id_t a, id_t b) const;
  bool booked(id_t slot_id, id_t person) const;

private:
  struct slot_bookings {
    meeting_slot slot;
    std::vector<bool> tables;         // taken
    std::vector<id_t> persons;        // sorted
    int taken = 0;
  };
  const slot_bookings* find(id_t slot_id) const;
  std::vector<slot_bookings> slots_;  // by start
  int tables_;
};

// Why a meeting request cannot be made or answered now (409), in the order they are checked.
enum class meeting_refusal {
  none,
  not_a_forum,        // the event is not a partner-search forum
  forum_over,         // the forum has ended (or was cancelled)
  not_registered,     // the caller's registration is not a confirmed one of this forum
  no_profile,         // the caller has no profile at this forum yet
  unavailable,        // the other participant's registration is no longer confirmed
  self,               // a request to oneself
  already_requested,  // an open request or meeting between the two exists
  not_addressee,      // only the one asked may accept or decline
  not_pending,        // it was already answered or cancelled
  no_common_slot,     // no slot where both are free and a table is free
  not_party,          // only the two of a meeting may cancel it
};
std::string_view to_string(meeting_refusal);
std::string_view describe(meeting_refusal);

// Whether `from` may ask `to` to meet at forum `e` (both registrations of e; `open_between`: an open request or
// meeting of the two exists).
meeting_refusal decide_meeting_request(const event& e, const registration& from, bool from_has_profile,
                                       const registration& to, bool open_between, time_point now);
// Whether `who` may accept or decline `m` now.
meeting_refusal decide_meeting_answer(const event& e, const meeting& m, const registration& who, time_point now);

}  // namespace eventd::domain
