#include "domain/partner_rules.hpp"

#include "domain/unicode.hpp"

#include <algorithm>
#include <tuple>

namespace eventd::domain {
namespace {

// From Debian's iso-codes (iso_3166-1.json, iso_639-2.json's two-letter codes), two letters each, sorted.
constexpr std::string_view countries =
    "ADAEAFAGAIALAMAOAQARASATAUAWAXAZBABBBDBEBFBGBHBIBJBLBMBNBOBQBRBSBTBVBWBYBZCACCCDCFCGCHCICKCLCMCNCOCRCUCV"
    "CWCXCYCZDEDJDKDMDODZECEEEGEHERESETFIFJFKFMFOFRGAGBGDGEGFGGGHGIGLGMGNGPGQGRGSGTGUGWGYHKHMHNHRHTHUIDIEILIM"
    "INIOIQIRISITJEJMJOJPKEKGKHKIKMKNKPKRKWKYKZLALBLCLILKLRLSLTLULVLYMAMCMDMEMFMGMHMKMLMMMNMOMPMQMRMSMTMUMVMW"
    "MXMYMZNANCNENFNGNINLNONPNRNUNZOMPAPEPFPGPHPKPLPMPNPRPSPTPWPYQARERORSRURWSASBSCSDSESGSHSISJSKSLSMSNSOSRSS"
    "STSVSXSYSZTCTDTFTGTHTJTKTLTMTNTOTRTTTVTWTZUAUGUMUSUYUZVAVCVEVGVIVNVUWFWSYEYTZAZMZW";
constexpr std::string_view languages =
    "aaabaeafakamanarasavayazbabebgbhbibmbnbobrbscacechcocrcscucvcydadedvdzeeeleneoeseteufafffifjfofrfygagdgl"
    "gngugvhahehihohrhthuhyhziaidieigiiikioisitiujajvkakgkikjkkklkmknkokrkskukvkwkylalblglilnloltlulvmgmhmimk"
    "mlmnmrmsmtmynanbndnengnlnnnonrnvnyocojomorospapiplpsptqurmrnrorurwsascsdsesgsiskslsmsnsosqsrssstsusvswta"
    "tetgthtitktltntotrtstttwtyugukuruzvevivowawoxhyiyozazhzu";

bool in_sorted_pairs(std::string_view table, std::string_view code) {
  if (code.size() != 2) return false;
  std::size_t lo = 0, hi = table.size() / 2;
  while (lo < hi) {
    const auto mid = (lo + hi) / 2;
    const auto c = table.substr(mid * 2, 2);
    if (c == code) return true;
    if (c < code) lo = mid + 1; else hi = mid;
  }
  return false;
}

std::string upper(std::string s) {
  for (auto& c : s)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  return s;
}
std::string lower(std::string s) {
  for (auto& c : s)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return s;
}

// Trimmed, case as kept, empty words and repeats dropped (the first stays).
std::vector<std::string> clean_list(std::vector<std::string> words, std::string (*kept_case)(std::string)) {
  std::vector<std::string> out;
  for (auto& w : words) {
    auto v = trim(w);
    if (kept_case) v = kept_case(std::move(v));
    if (!v.empty() && std::find(out.begin(), out.end(), v) == out.end()) out.push_back(std::move(v));
  }
  return out;
}

bool holds(const std::vector<std::string>& words, std::string_view w) {
  return std::find(words.begin(), words.end(), w) != words.end();
}

void check_words(const std::vector<std::string>& words, const std::string& field, std::size_t min, std::size_t max,
                 const std::vector<std::string>& known, field_errors& errors) {
  if (words.size() < min) {
    errors.push_back({field, min == 1 ? "needs at least one" : "needs at least " + std::to_string(min)});
    return;
  }
  if (words.size() > max) {
    errors.push_back({field, "at most " + std::to_string(max)});
    return;
  }
  for (const auto& w : words)
    if (!holds(known, w)) {
      errors.push_back({field, "unknown value; " + one_of_message(known)});
      return;
    }
}

void check_codes(const std::vector<std::string>& codes, const std::string& field, std::size_t min, std::size_t max,
                 bool (*known)(std::string_view), const char* what, field_errors& errors) {
  if (codes.size() < min) return errors.push_back({field, "needs at least one"});
  if (codes.size() > max) return errors.push_back({field, "at most " + std::to_string(max)});
  for (const auto& c : codes)
    if (!known(c)) return errors.push_back({field, std::string("must hold ") + what + " codes only"});
}

// The words both lists hold, in the order of the first.
std::vector<std::string> common(const std::vector<std::string>& a, const std::vector<std::string>& b) {
  std::vector<std::string> out;
  for (const auto& w : a)
    if (holds(b, w)) out.push_back(w);
  return out;
}

}  // namespace

const std::vector<std::string> partner_roles{"lead_partner",  "project_partner", "expertise",      "methods",
                                             "target_groups", "study_visits",    "staff_exchange", "pilot_site",
                                             "eu_funding",    "co_financing"};

bool is_country_code(std::string_view c) { return in_sorted_pairs(countries, c); }
bool is_language_code(std::string_view c) { return in_sorted_pairs(languages, c); }

profile_fields normalise_profile(profile_fields p) {
  p.organisation = trim(p.organisation);
  p.summary = trim(p.summary);
  p.country = upper(trim(p.country));
  p.focus_areas = clean_list(std::move(p.focus_areas), nullptr);
  p.offers = clean_list(std::move(p.offers), nullptr);
  p.seeks = clean_list(std::move(p.seeks), nullptr);
  p.languages = clean_list(std::move(p.languages), lower);
  p.partner_countries = clean_list(std::move(p.partner_countries), upper);
  return p;
}

void validate_profile(const profile_fields& p, const config& cfg, field_errors& errors) {
  if (p.organisation.empty()) errors.push_back({"organisation", "is required"});
  else if (!valid_text(p.organisation, max_name)) errors.push_back({"organisation", "at most " + std::to_string(max_name) + " characters, no control characters"});
  if (p.summary.empty()) errors.push_back({"summary", "is required"});
  else if (!valid_text(p.summary, max_profile_summary, true))
    errors.push_back({"summary", "at most " + std::to_string(max_profile_summary) + " characters, no control characters"});
  if (!is_country_code(p.country)) errors.push_back({"country", "must be a two-letter ISO 3166 country code, e.g. SE"});
  check_words(p.focus_areas, "focus_areas", 1, cfg.focus_areas.size(), cfg.focus_areas, errors);
  check_words(p.offers, "offers", 0, partner_roles.size(), partner_roles, errors);
  check_words(p.seeks, "seeks", 0, partner_roles.size(), partner_roles, errors);
  check_codes(p.languages, "languages", 1, 10, is_language_code, "two-letter ISO 639-1 language", errors);
  check_codes(p.partner_countries, "partner_countries", 0, 60, is_country_code, "two-letter ISO 3166 country", errors);
}

bool profile_matches(const partner_profile& p, const profile_filter& f) {
  if (f.focus_area && !holds(p.fields.focus_areas, *f.focus_area)) return false;
  if (f.country && p.fields.country != upper(*f.country)) return false;
  if (f.q.empty()) return true;
  const auto needle = fold_case(trim(f.q));
  if (needle.empty()) return true;
  return fold_case(p.fields.organisation).find(needle) != std::string::npos ||
         fold_case(p.fields.summary).find(needle) != std::string::npos;
}

std::vector<partner_match> rank_partners(const partner_profile& me, const std::vector<partner_profile>& others,
                                         std::size_t limit) {
  std::vector<partner_match> out;
  std::vector<std::size_t> shared_focus;
  for (const auto& o : others) {
    if (o.registration_id == me.registration_id || o.id == me.id) continue;
    auto languages = common(me.fields.languages, o.fields.languages);
    if (languages.empty()) continue;
    auto focus = common(me.fields.focus_areas, o.fields.focus_areas);
    auto they_offer = common(me.fields.seeks, o.fields.offers);
    auto they_seek = common(me.fields.offers, o.fields.seeks);
    if (focus.empty() && they_offer.empty() && they_seek.empty()) continue;
    partner_match m{&o, 0, {}};
    m.score = 3 * static_cast<int>(focus.size()) + 2 * static_cast<int>(they_offer.size() + they_seek.size()) + 1;
    const auto focus_count = focus.size();
    if (!focus.empty()) m.reasons.push_back({"focus_areas", std::move(focus)});
    if (!they_offer.empty()) m.reasons.push_back({"offers_what_you_seek", std::move(they_offer)});
    if (!they_seek.empty()) m.reasons.push_back({"seeks_what_you_offer", std::move(they_seek)});
    m.reasons.push_back({"common_language", std::move(languages)});
    if (holds(me.fields.partner_countries, o.fields.country)) {
      m.score += 2;
      m.reasons.push_back({"wanted_country", {o.fields.country}});
    }
    if (holds(o.fields.partner_countries, me.fields.country)) {
      m.score += 1;
      m.reasons.push_back({"wants_your_country", {me.fields.country}});
    }
    out.push_back(std::move(m));
    shared_focus.push_back(focus_count);
  }
  std::vector<std::size_t> order(out.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  const auto better = [&](std::size_t a, std::size_t b) {
    if (out[a].score != out[b].score) return out[a].score > out[b].score;
    if (shared_focus[a] != shared_focus[b]) return shared_focus[a] > shared_focus[b];
    return out[a].profile->id < out[b].profile->id;
  };
  const auto keep = std::min(limit, order.size());
  std::partial_sort(order.begin(), order.begin() + static_cast<std::ptrdiff_t>(keep), order.end(), better);
  std::vector<partner_match> ranked;
  ranked.reserve(keep);
  for (std::size_t i = 0; i < keep; ++i) ranked.push_back(std::move(out[order[i]]));
  return ranked;
}

std::string_view to_string(meeting_state s) {
  switch (s) {
    case meeting_state::pending: return "pending";
    case meeting_state::accepted: return "accepted";
    case meeting_state::declined: return "declined";
    case meeting_state::cancelled: return "cancelled";
  }
  return "pending";
}

std::optional<meeting_state> meeting_state_from(std::string_view s) {
  for (auto v : {meeting_state::pending, meeting_state::accepted, meeting_state::declined, meeting_state::cancelled})
    if (to_string(v) == s) return v;
  return std::nullopt;
}

void validate_slots(const std::vector<meeting_slot>& slots, std::int64_t tables, field_errors& errors) {
  if (tables < 1 || tables > max_meeting_tables)
    errors.push_back({"tables", "must be a whole number from 1 to " + std::to_string(max_meeting_tables)});
  if (slots.size() > max_meeting_slots) {
    errors.push_back({"slots", "at most " + std::to_string(max_meeting_slots) + " slots"});
    return;
  }
  std::vector<std::size_t> order(slots.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](auto a, auto b) { return slots[a].starts_at < slots[b].starts_at; });
  for (std::size_t k = 0; k < order.size(); ++k) {
    const auto& s = slots[order[k]];
    const auto field = "slots[" + std::to_string(order[k]) + "]";
    if (s.ends_at <= s.starts_at) errors.push_back({field, "must end after it starts"});
    else if (k > 0 && slots[order[k - 1]].ends_at > s.starts_at)
      errors.push_back({field, "overlaps slots[" + std::to_string(order[k - 1]) + "]"});
  }
}

forum_schedule::forum_schedule(std::vector<meeting_slot> slots, int tables) : tables_(std::max(tables, 0)) {
  std::sort(slots.begin(), slots.end(),
            [](const meeting_slot& a, const meeting_slot& b) { return std::tie(a.starts_at, a.id) < std::tie(b.starts_at, b.id); });
  for (auto& s : slots) slots_.push_back({s, std::vector<bool>(static_cast<std::size_t>(tables_), false), {}, 0});
}

const forum_schedule::slot_bookings* forum_schedule::find(id_t slot_id) const {
  for (const auto& s : slots_)
    if (s.slot.id == slot_id) return &s;
  return nullptr;
}

bool forum_schedule::booked(id_t slot_id, id_t person) const {
  const auto* s = find(slot_id);
  return s && std::binary_search(s->persons.begin(), s->persons.end(), person);
}

bool forum_schedule::free_at(id_t slot_id, int table, id_t a, id_t b) const {
  const auto* s = find(slot_id);
  if (!s || a == b || table < 1 || table > tables_ || s->tables[static_cast<std::size_t>(table - 1)]) return false;
  return !booked(slot_id, a) && !booked(slot_id, b);
}

bool forum_schedule::book(id_t slot_id, int table, id_t a, id_t b) {
  if (!free_at(slot_id, table, a, b)) return false;
  auto& s = *std::find_if(slots_.begin(), slots_.end(), [&](const slot_bookings& x) { return x.slot.id == slot_id; });
  s.tables[static_cast<std::size_t>(table - 1)] = true;
  ++s.taken;
  s.persons.insert(std::upper_bound(s.persons.begin(), s.persons.end(), a), a);
  s.persons.insert(std::upper_bound(s.persons.begin(), s.persons.end(), b), b);
  return true;
}

std::optional<placement> forum_schedule::place(id_t a, id_t b, time_point now) {
  if (a == b) return std::nullopt;
  std::vector<slot_load> loads;
  std::vector<id_t> busy;
  for (const auto& s : slots_) {
    loads.push_back({s.slot, s.taken});
    if (std::binary_search(s.persons.begin(), s.persons.end(), a) || std::binary_search(s.persons.begin(), s.persons.end(), b))
      busy.push_back(s.slot.id);
  }
  const auto slot = first_common_slot(loads, tables_, busy, now);
  if (!slot) return std::nullopt;
  const auto* s = find(*slot);
  std::vector<int> taken;
  for (std::size_t i = 0; i < s->tables.size(); ++i)
    if (s->tables[i]) taken.push_back(static_cast<int>(i) + 1);
  const auto table = lowest_free_table(std::move(taken), tables_);
  if (!table || !book(*slot, *table, a, b)) return std::nullopt;
  return placement{*slot, *table};
}

std::optional<id_t> first_common_slot(const std::vector<slot_load>& slots, int tables, const std::vector<id_t>& busy_slots,
                                      time_point now) {
  for (const auto& s : slots) {
    if (s.slot.starts_at <= now || s.taken >= tables) continue;
    if (std::find(busy_slots.begin(), busy_slots.end(), s.slot.id) != busy_slots.end()) continue;
    return s.slot.id;
  }
  return std::nullopt;
}

std::optional<int> lowest_free_table(std::vector<int> taken, int tables) {
  std::sort(taken.begin(), taken.end());
  int want = 1;
  for (const int t : taken) {
    if (t > want) break;
    if (t == want) ++want;
  }
  if (want > tables) return std::nullopt;
  return want;
}

std::string_view to_string(meeting_refusal r) {
  switch (r) {
    case meeting_refusal::none: return "none";
    case meeting_refusal::not_a_forum: return "not_a_forum";
    case meeting_refusal::forum_over: return "forum_over";
    case meeting_refusal::not_registered: return "not_registered";
    case meeting_refusal::no_profile: return "no_profile";
    case meeting_refusal::unavailable: return "unavailable";
    case meeting_refusal::self: return "self";
    case meeting_refusal::already_requested: return "already_requested";
    case meeting_refusal::not_addressee: return "not_addressee";
    case meeting_refusal::not_pending: return "not_pending";
    case meeting_refusal::no_common_slot: return "no_common_slot";
    case meeting_refusal::not_party: return "not_party";
  }
  return "none";
}

std::string_view describe(meeting_refusal r) {
  switch (r) {
    case meeting_refusal::none: return "";
    case meeting_refusal::not_a_forum: return "meetings are arranged at partner-search forums only";
    case meeting_refusal::forum_over: return "the forum has ended or was cancelled";
    case meeting_refusal::not_registered: return "this link's registration is not a confirmed place at this forum";
    case meeting_refusal::no_profile: return "write your profile first: the one you ask sees it";
    case meeting_refusal::unavailable: return "that participant no longer has a place at the forum";
    case meeting_refusal::self: return "a meeting needs two participants";
    case meeting_refusal::already_requested: return "a request or a meeting between you two already exists";
    case meeting_refusal::not_addressee: return "only the participant who was asked may answer this request";
    case meeting_refusal::not_pending: return "this request has already been answered or withdrawn";
    case meeting_refusal::no_common_slot:
      return "no time slot is left where you are both free and a table is free; your agendas are unchanged";
    case meeting_refusal::not_party: return "only the two participants of a meeting may cancel it";
  }
  return "";
}

namespace {
bool forum_open(const event& e, time_point now) {
  return e.status == event_status::published && now < e.ends_at;
}
bool confirmed_at(const registration& r, const event& e) {
  return r.event_id == e.id && r.status == registration_status::confirmed && !r.erased;
}
}  // namespace

meeting_refusal decide_meeting_request(const event& e, const registration& from, bool from_has_profile,
                                       const registration& to, bool open_between, time_point now) {
  if (e.kind != "partner_search_forum") return meeting_refusal::not_a_forum;
  if (!forum_open(e, now)) return meeting_refusal::forum_over;
  if (!confirmed_at(from, e)) return meeting_refusal::not_registered;
  if (!from_has_profile) return meeting_refusal::no_profile;
  if (from.id == to.id) return meeting_refusal::self;
  if (!confirmed_at(to, e)) return meeting_refusal::unavailable;
  if (open_between) return meeting_refusal::already_requested;
  return meeting_refusal::none;
}

meeting_refusal decide_meeting_answer(const event& e, const meeting& m, const registration& who, time_point now) {
  if (who.id != m.to_registration) return meeting_refusal::not_addressee;
  if (m.state != meeting_state::pending) return meeting_refusal::not_pending;
  if (!forum_open(e, now)) return meeting_refusal::forum_over;
  if (!confirmed_at(who, e)) return meeting_refusal::not_registered;
  return meeting_refusal::none;
}

}  // namespace eventd::domain
