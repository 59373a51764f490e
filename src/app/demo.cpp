#include "app/demo.hpp"

#include "domain/evaluation_rules.hpp"
#include "domain/partner_rules.hpp"
#include "domain/support_rules.hpp"
#include "domain/time.hpp"

#include <algorithm>

#include <future>
#include <random>
#include <stdexcept>

namespace eventd::app {
namespace {

using domain::time_point;

template <class T, class Start>
T wait_for(Start start) {
  std::promise<store::outcome<T>> p;
  auto f = p.get_future();
  start([&p](store::outcome<T> r) { p.set_value(std::move(r)); });
  auto r = f.get();
  if (!r.ok()) throw std::runtime_error("demo data: " + r.error().detail);
  return std::move(r.value());
}

// Invented names: common Swedish and European first and family names, combined at random.
const char* first_names[] = {"Anna", "Erik", "Maria", "Lars", "Karin", "Johan", "Sara", "Anders", "Eva", "Mikael",
                             "Lena", "Per", "Emma", "Jonas", "Sofia", "Ali", "Fatima", "Milan", "Elena", "Tomasz",
                             "Ingrid", "Oskar", "Aisha", "Nils", "Hanna", "Dragan", "Leila", "Viktor", "Ida", "Stefan",
                             "Marta", "Jan", "Amira", "Olof", "Petra", "Mehmet", "Linnea", "Goran", "Ruth", "Samuel"};
const char* family_names[] = {"Lindqvist", "Berglund", "Holmgren", "Sandberg", "Ekström", "Nyberg", "Åkesson",
                              "Björklund", "Forsberg", "Hedlund", "Lundgren", "Sjöberg", "Wallin", "Engström",
                              "Dahlberg", "Nordin", "Kovač", "Nowak", "Horváth", "Papadopoulos", "Rossi", "Öberg",
                              "Jansen", "Virtanen", "Kask", "Ozols", "Petrauskas", "Yilmaz", "Haddad", "Stan"};
struct org {
  const char* name;
  const char* type;
};
// Fictional organisations of the kinds DOMAIN.md names.
const org organisations[] = {
    {"Stadsdelsförvaltning Norrmalm (demo)", "public"}, {"Regionens arbetsmarknadsenhet (demo)", "public"},
    {"Länsstyrelsens utvecklingsenhet (demo)", "public"}, {"Kommunförbundet Storstad (demo)", "public"},
    {"Arbetsförmedlingen Söder (demo)", "public"},       {"Socialtjänsten Väst (demo)", "public"},
    {"Nordkust Konsult AB (demo)", "private"},           {"Brobyggarna Utbildning AB (demo)", "private"},
    {"Studieförbundet Lärande (demo)", "non_profit"},    {"Kooperativ Utveckling Öst (demo)", "non_profit"},
    {"Föreningen Nya Vägar (demo)", "non_profit"},       {"Romska Kvinnors Förening (demo)", "user_organisation"},
    {"Funktionsrätt Lokalt (demo)", "user_organisation"}, {"Brukarrådet Stockholm (demo)", "user_organisation"},
    {"Unga Romers Nätverk (demo)", "user_organisation"}};
const char* abroad[] = {"Finland", "Estonia", "Latvia", "Lithuania", "Poland", "Germany", "Denmark", "Hungary", "Romania", "Spain"};

struct plan {
  const char* kind;
  const char* title;
  int day_offset;  // from today; negative = already held
  std::optional<std::int64_t> capacity;
  std::optional<std::string> focus_area, topic, network;
  const char* venue;
  int registrations;
  double attendance;  // share of confirmed who came (past events)
  double home_share;  // share of registrants from the home region
};

// Evaluations (DOMAIN.md 7) by about two in three of those who attended an ended event, through their private links.
// Answers of events whose evaluation has closed are given while it is briefly opened again, then it closes as it was:
// old events show closed evaluations with answers, recent ones stay open. Its own random numbers, so the rest of the
// demo stays as it is.
void add_demo_evaluations(store::store& db, const domain::event& event, const std::vector<store::created_registration>& regs) {
  const time_point now = domain::now();
  if (event.ends_at > now) return;
  std::mt19937 rng(static_cast<unsigned>(event.id) * 7919u);
  auto roll = [&](int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng); };
  static const char* comments[] = {
      "Mycket användbart, särskilt exemplen från andra ESF-projekt.",
      "Bra att träffa andra som arbetar transnationellt.",
      "Gärna mer tid för frågor nästa gång.",
      "Useful overview; I would like the slides in English.",
      "Nu vet jag hur vi kan budgetera för partnermöten.",
      "Lite för mycket på kort tid, men bra innehåll.",
  };
  const bool reopen = domain::evaluation_closes_at(event) <= now;
  if (reopen) {
    domain::event_patch open;
    open.evaluation_closes_at = std::optional<time_point>(now + 3600);
    wait_for<domain::event>([&](auto cb) { db.update_event(event.id, open, std::nullopt, cb); });
  }
  for (const auto& r : regs) {
    auto reg = db.get_registration(r.registration.id);
    if (!reg || !reg->checked_in_at || roll(1, 3) == 1) continue;
    domain::evaluation_answer a;
    a.usefulness = roll(3, 5);
    a.knowledge_before = roll(1, 3);
    a.knowledge_after = std::min<std::int64_t>(5, a.knowledge_before + roll(0, 2));
    a.plans_tn = roll(1, 10) <= 5 ? "yes" : roll(0, 1) ? "maybe" : "no";
    if (roll(1, 4) == 1) a.comment = comments[roll(0, static_cast<int>(std::size(comments)) - 1)];
    wait_for<domain::evaluation>([&](auto cb) { db.save_evaluation(r.manage_token, a, cb); });
  }
  if (reopen) {
    domain::event_patch close;
    close.evaluation_closes_at = std::optional<time_point>();
    wait_for<domain::event>([&](auto cb) { db.update_event(event.id, close, std::nullopt, cb); });
  }
}

// A meeting request, or nothing when the two already have one (the demo asks around a ring: one pair may come twice).
std::optional<domain::meeting> db_request(store::store& db, const std::string& token, domain::id_t profile, const std::string& note) {
  std::promise<store::outcome<domain::meeting>> done;
  db.request_meeting(token, profile, note.empty() ? std::nullopt : std::optional<std::string>(note),
                     [&done](store::outcome<domain::meeting> r) { done.set_value(std::move(r)); });
  auto r = done.get_future().get();
  if (!r.ok()) return std::nullopt;
  return r.value();
}

// The upcoming partner-search forum's matchmaking: profiles of most of its participants (half of them speaking for
// fictional organisations from around the Baltic Sea), ten meeting slots at twelve tables, and requests between them,
// two in three accepted (placed by the same scheduler as any other), the rest waiting for an answer.
void add_demo_forum(store::store& db, const domain::event& forum, const std::vector<store::created_registration>& regs) {
  struct abroad_org {
    const char* country;
    const char* name;
    const char* language;
  };
  static const abroad_org orgs[] = {
      {"DE", "Sozialamt Nordstadt (fiktiv)", "de"},       {"EE", "Näidislinna Noortekeskus (fiktiv)", "et"},
      {"FI", "Esimerkkilän kaupunki (fiktiv)", "fi"},     {"LV", "Parauga Sociālais centrs (fiktiv)", "lv"},
      {"LT", "Pavyzdžio bendruomenės centras (fiktiv)", "lt"}, {"PL", "Fundacja Przykład (fiktiv)", "pl"},
      {"DK", "Eksempel Kommune (fiktiv)", "da"},          {"NO", "Eksempelvik kommune (fiktiv)", "no"}};
  static const char* ideas[] = {"ungdomars väg till arbete", "romska familjers boende", "sociala företag på landsbygden",
                                "nyanländas språk och jobb", "äldre och digital delaktighet", "hemlöshet och bostad först"};
  const auto& roles = domain::partner_roles;
  const std::vector<std::string> areas{"poverty_social_exclusion", "roma", "employment_mobility", "social_innovation_entrepreneurship"};
  std::vector<std::pair<const store::created_registration*, domain::id_t>> with_profile;
  int n = 0;
  for (const auto& r : regs) {
    if (r.registration.status != domain::registration_status::confirmed || n >= 44) continue;
    domain::profile_fields f;
    const bool from_abroad = n % 2 == 1;
    const auto& o = orgs[(n / 2) % std::size(orgs)];
    f.organisation = from_abroad ? o.name : r.registration.person.organisation;
    f.country = from_abroad ? o.country : "SE";
    f.languages = {"en", from_abroad ? o.language : "sv"};
    f.focus_areas = {areas[n % 4]};
    if (n % 3 == 0) f.focus_areas.push_back(areas[(n + 1) % 4]);
    f.offers = {roles[(n * 3) % roles.size()], roles[(n * 7 + 2) % roles.size()]};
    f.seeks = {roles[(n * 5 + 1) % roles.size()]};
    if (!from_abroad) f.partner_countries = {orgs[n % std::size(orgs)].country, orgs[(n + 3) % std::size(orgs)].country};
    f.summary = std::string(from_abroad ? "Vi söker svenska partner för ett projekt om " : "Vi planerar ett transnationellt projekt om ") +
                ideas[n % std::size(ideas)] + ". Demo: fiktiv profil.";
    f.is_public = n % 3 != 2;
    auto saved = wait_for<domain::partner_profile>([&](auto cb) { db.save_profile(r.manage_token, domain::normalise_profile(f), cb); });
    with_profile.emplace_back(&r, saved.id);
    ++n;
  }
  std::vector<domain::meeting_slot> slots;
  for (int k = 0; k < 10; ++k) {
    const time_point from = forum.starts_at + 3600 + k * 25 * 60;
    slots.push_back({0, from, from + 20 * 60});
  }
  wait_for<store::forum_slots>([&](auto cb) { db.set_meeting_slots(forum.id, slots, 12, cb); });
  static const char* notes[] = {"Hej! Vi verkar dela fokusområde, ska vi ses?", "We seek a partner in Sweden: shall we meet?",
                                "Intressant profil, vi skulle gärna höra mer.", ""};
  int asked = 0;
  for (std::size_t i = 0; i < with_profile.size(); ++i) {
    for (std::size_t step : {1u, 3u, 7u}) {
      const auto& [from, from_profile] = with_profile[i];
      const auto& [to, to_profile] = with_profile[(i + step) % with_profile.size()];
      (void)from_profile;
      const std::string note = notes[asked % std::size(notes)];
      auto m = db_request(db, from->manage_token, to_profile, note);
      if (!m) continue;
      // Accepted where a common slot is left (no_common_slot otherwise: the request waits, as it would).
      if (++asked % 3 != 0) {
        std::promise<store::outcome<domain::meeting>> done;
        db.answer_meeting(to->manage_token, m->id, true, [&done](store::outcome<domain::meeting> r) { done.set_value(std::move(r)); });
        done.get_future().get();
      }
    }
  }
}

std::string day_of(time_point t) { return domain::format_rfc3339(t).substr(0, 10); }

// Counselling sessions over the programme: organisations working out an idea for a transnational project, some
// ideas coming back (typed differently), some of the people also at the events (the same demo addresses).
void add_demo_support(store::store& db, time_point today) {
  struct plan {
    int day_offset;
    const char* organisation;
    const char* type;
    const char* municipality;
    const char* idea;
    double hours;
    std::vector<int> persons;  // demo participants by number: deltagareN@example.org
  };
  const std::vector<plan> plans{
      {-480, "Föreningen Nya Vägar (demo)", "non_profit", "Botkyrka", "Unga vuxna i Östersjöregionen", 3, {3, 250}},
      {-455, "Föreningen Nya Vägar (demo)", "non_profit", "Botkyrka", "unga vuxna i östersjöregionen ", 2, {3}},
      {-410, "Socialtjänsten Väst (demo)", "public", "Huddinge", "Romsk brobyggarutbildning", 4, {17, 251}},
      {-360, "Brobyggarna Utbildning AB (demo)", "private", "Stockholm", "Mentorskap för nyanlända entreprenörer", 1.5, {42}},
      {-300, "Romska Kvinnors Förening (demo)", "user_organisation", "Södertälje", "Romsk brobyggarutbildning", 2.5, {77, 252}},
      {-240, "Kommunförbundet Storstad (demo)", "public", "Solna", "Gemensam ESF-ansökan med Riga", 6, {101, 102}},
      {-180, "Funktionsrätt Lokalt (demo)", "user_organisation", "Nacka", "Tillgänglig arbetsmarknad i Norden", 2, {130, 253}},
      {-120, "Kommunförbundet Storstad (demo)", "public", "Solna", "Gemensam ESF-ansökan med Riga", 3, {101}},
      {-75, "Studieförbundet Lärande (demo)", "non_profit", "Järfälla", "Digitala kompetenser för seniorer", 1, {160}},
      {-30, "Unga Romers Nätverk (demo)", "user_organisation", "Stockholm", "Ungdomsutbyte Bukarest–Stockholm", 2.5, {190, 254}},
      {-8, "Arbetsförmedlingen Söder (demo)", "public", "Haninge", "Tillgänglig arbetsmarknad i Norden", 1.5, {210}},
  };
  for (const auto& pl : plans) {
    domain::support_session s;
    s.date = day_of(today + static_cast<time_point>(pl.day_offset) * 86400);
    s.organisation = pl.organisation;
    s.organisation_type = pl.type;
    s.municipality = pl.municipality;
    s.project_idea = pl.idea;
    s.hours = pl.hours;
    for (const int n : pl.persons) {
      const std::string name = std::string(first_names[(n * 7) % std::size(first_names)]) + " " +
                               family_names[(n * 11 + n / 30) % std::size(family_names)];
      s.persons.push_back({0, name, "deltagare" + std::to_string(n) + "@example.org"});
    }
    s.note = "Demo: fiktiv rådgivning.";
    wait_for<domain::support_session>([&](auto cb) { db.create_support_session(s, cb); });
  }
}

constexpr const char* demo_day_key = "demo_day";

}  // namespace

void apply_demo_programme(store::store& db, domain::config& cfg) {
  const auto day = db.setting(demo_day_key);
  const auto made = day ? domain::parse_date(*day) : std::nullopt;
  if (!made) return;
  cfg.goals.programme_start = day_of(*made - 540 * 86400);
  cfg.goals.programme_end = day_of(*made + 190 * 86400);
  cfg.goals.forum_deadline = *cfg.goals.programme_end;
}

int load_demo(store::store& db, const domain::config& cfg) {
  if (!db.empty_of_events()) return 0;
  std::mt19937 rng(20111);  // fixed seed: the same demo every time
  auto pick = [&](auto& arr) -> auto& { return arr[std::uniform_int_distribution<std::size_t>(0, std::size(arr) - 1)(rng)]; };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };

  const auto& fa = cfg.focus_areas;
  const auto& tp = cfg.seminar_topics;
  const auto& nw = cfg.networks;
  auto at = [&](std::size_t i, const std::vector<std::string>& v) { return std::optional<std::string>(v[i % v.size()]); };
  // A programme of two years seen from a day about three quarters through it (demo_programme below): seminars on
  // every topic, two network meetings per focus area held, a partner-search forum held before the deadline, network
  // events abroad recorded afterwards (three of them with nobody from the region, which the report lists), and what
  // is still to come.
  std::vector<plan> plans{
      {"seminar", "Driva ESF-projekt över gränser", -500, 60, {}, at(0, tp), {}, "Sensus, Klara", 52, 0.85, 0.92},
      {"seminar", "Projektledning i transnationella projekt", -430, 40, {}, at(1, tp), {}, "Sensus, Klara", 38, 0.8, 0.9},
      {"seminar", "Budgetering för TN-samarbete", -360, 30, {}, at(2, tp), {}, "Kulturhuset, sal B", 30, 0.75, 0.9},
      {"seminar", "Kultur och kommunikation i europeiska partnerskap", -300, 40, {}, at(3, tp), {}, "Sensus, Klara", 33, 0.8, 0.88},
      {"seminar", "EU-kunskap: strukturfonderna", -240, 80, {}, at(4, tp), {}, "Stadshuset, Rödakorsrummet", 61, 0.8, 0.85},
      {"seminar", "Driva ESF-projekt över gränser, del 2", -150, 60, {}, at(0, tp), {}, "Sensus, Klara", 44, 0.85, 0.9},
      {"seminar", "Projektledning: riskhantering", -60, 40, {}, at(1, tp), {}, "Sensus, Klara", 36, 0.8, 0.9},
      {"seminar", "Budgetering – fördjupning", -20, 30, {}, at(2, tp), {}, "Kulturhuset, sal B", 28, 0.75, 0.9},
      {"seminar", "Kultur och kommunikation, del 2", 14, 40, {}, at(3, tp), {}, "Sensus, Klara", 22, 0, 0.9},
      {"seminar", "EU-kunskap: nästa programperiod", 30, 80, {}, at(4, tp), {}, "Stadshuset, Rödakorsrummet", 35, 0, 0.85},
      {"seminar", "Budgetering – frågestund", 45, 12, {}, at(2, tp), {}, "Sensus, Klara", 15, 0, 0.9},
      {"network_meeting", "Nätverksmöte: fattigdom och social utestängning", -480, 25, at(0, fa), {}, {}, "Sensus, Klara", 18, 0.8, 1},
      {"network_meeting", "Nätverksmöte: romsk inkludering", -400, 25, at(1, fa), {}, {}, "Sensus, Klara", 16, 0.8, 1},
      {"network_meeting", "Nätverksmöte: sysselsättning och rörlighet", -330, 25, at(2, fa), {}, {}, "Sensus, Klara", 15, 0.8, 1},
      {"network_meeting", "Nätverksmöte: social innovation", -270, 25, at(3, fa), {}, {}, "Sensus, Klara", 17, 0.8, 1},
      {"network_meeting", "Nätverksmöte: fattigdom, uppföljning", -200, 25, at(0, fa), {}, {}, "Sensus, Klara", 14, 0.8, 1},
      {"network_meeting", "Nätverksmöte: romsk inkludering II", -130, 25, at(1, fa), {}, {}, "Sensus, Klara", 15, 0.8, 1},
      {"network_meeting", "Nätverksmöte: sysselsättning II", -80, 25, at(2, fa), {}, {}, "Sensus, Klara", 13, 0.8, 1},
      {"network_meeting", "Nätverksmöte: socialt entreprenörskap", -10, 25, at(3, fa), {}, {}, "Sensus, Klara", 16, 0.8, 1},
      {"network_meeting", "Nätverksmöte: romsk inkludering III", 20, 25, at(1, fa), {}, {}, "Sensus, Klara", 9, 0, 1},
      {"network_meeting", "Nätverksmöte: fattigdom och bostad", 50, 25, at(0, fa), {}, {}, "Sensus, Klara", 4, 0, 1},
      {"partner_search_forum", "Partnersökningsforum Stockholm", -100, 120, {}, {}, {}, "Münchenbryggeriet", 70, 0.85, 0.6},
      {"partner_search_forum", "Partnersökningsforum Östersjön", 35, 120, {}, {}, {}, "Münchenbryggeriet", 60, 0, 0.6},
      {"network_event", "EURoma: årsmöte", -510, {}, {}, {}, at(0, nw), "Madrid", 4, 1, 0.75},
      {"network_event", "EURoma: arbetsgrupp sysselsättning", -420, {}, {}, {}, at(0, nw), "Bukarest", 3, 1, 0.67},
      {"network_event", "EURoma: styrkommitté", -350, {}, {}, {}, at(0, nw), "Bryssel", 2, 1, 0.0},
      {"network_event", "EURoma: årsmöte", -150, {}, {}, {}, at(0, nw), "Budapest", 4, 1, 0.75},
      {"network_event", "EURoma: arbetsgrupp utbildning", -95, {}, {}, {}, at(0, nw), "Sevilla", 3, 1, 0.67},
      {"network_event", "EURoma: styrkommitté", -45, {}, {}, {}, at(0, nw), "Bryssel", 2, 1, 0.0},
      {"network_event", "Baltic Sea Network: konferens", -470, {}, {}, {}, at(1, nw), "Riga", 5, 1, 0.8},
      {"network_event", "Baltic Sea Network: arbetsmöte", -390, {}, {}, {}, at(1, nw), "Tallinn", 3, 1, 0.67},
      {"network_event", "Baltic Sea Network: ungdomsforum", -280, {}, {}, {}, at(1, nw), "Gdańsk", 4, 1, 0.75},
      {"network_event", "Baltic Sea Network: konferens", -190, {}, {}, {}, at(1, nw), "Helsingfors", 5, 1, 0.8},
      {"network_event", "Baltic Sea Network: arbetsmöte", -70, {}, {}, {}, at(1, nw), "Vilnius", 2, 1, 0.0},
      {"network_event", "Baltic Sea Network: kapacitetsdag", -25, {}, {}, {}, at(1, nw), "Åbo", 4, 1, 0.75},
      {"network_event", "Baltic Sea Network: partnerskapsdag", 40, {}, {}, {}, at(1, nw), "Kaunas", 2, 0, 1},
      {"study_visit", "Studiebesök Rotterdam: social innovation", -320, 15, {}, {}, {}, "Rotterdam", 12, 0.9, 0.9},
      {"study_visit", "Studiebesök Tartu: digital förvaltning", -75, 15, {}, {}, {}, "Tartu", 11, 0.9, 0.9},
      {"study_visit", "Studiebesök Köpenhamn: arbetsmarknad", 60, 15, {}, {}, {}, "Köpenhamn", 6, 0, 0.9},
  };

  const time_point today = domain::now() / 86400 * 86400;
  wait_for<bool>([&](auto cb) { db.put_setting(demo_day_key, day_of(today), cb); });
  int person = 0;
  int made = 0;
  for (const auto& pl : plans) {
    const time_point starts = today + static_cast<time_point>(pl.day_offset) * 86400 + 8 * 3600;  // 09:00 or 10:00 Stockholm
    domain::event e;
    e.kind = pl.kind;
    e.title = pl.title;
    e.description = std::string("Demo: ") + pl.title + ". Fiktivt evenemang för att visa eventd.";
    // Registration happens before the event: create it in the future, register, then move it to its real date.
    e.starts_at = domain::now() + 30 * 86400;
    e.ends_at = e.starts_at + 4 * 3600;
    e.utc_offset_minutes = domain::stockholm_offset_minutes(starts);
    e.capacity = pl.capacity;
    e.focus_area = pl.focus_area;
    e.topic = pl.topic;
    e.network = pl.network;
    e.status = domain::event_status::published;
    // Venues in Stockholm get a street address; those abroad are given by their city.
    const bool in_stockholm = pl.kind != std::string("network_event") && pl.kind != std::string("study_visit");
    e.place = domain::venue{pl.venue, in_stockholm ? std::string("Exempelgatan ") + std::to_string(made + 1) + ", Stockholm" : pl.venue,
                            {"step_free_access", "hearing_loop"}};
    auto created = wait_for<domain::event>([&](auto cb) { db.create_event(e, cb); });
    ++made;
    std::vector<std::future<store::outcome<store::created_registration>>> pending;
    for (int i = 0; i < pl.registrations; ++i) {
      domain::person_fields p;
      const int n = person++;
      p.name = std::string(first_names[(n * 7) % std::size(first_names)]) + " " + family_names[(n * 11 + n / 30) % std::size(family_names)];
      p.email = "deltagare" + std::to_string(n % 260) + "@example.org";  // some people come to several events
      const auto& o = pick(organisations);
      p.organisation = o.name;
      p.organisation_type = o.type;
      if (pl.network) {
        if (chance(pl.home_share)) p.municipality = pick(cfg.home_municipalities);
        else p.country = pick(abroad);
      } else if (chance(pl.home_share)) p.municipality = pick(cfg.home_municipalities);
      else p.municipality = chance(0.5) ? "Uppsala" : "Norrköping";
      static const char* genders[] = {"woman", "man", "woman", "man", "non_binary", "undisclosed"};
      p.gender = pick(genders);
      if (chance(0.08)) p.accessibility_needs = {"hearing_loop"};
      if (chance(0.04)) p.accessibility_needs.push_back("sign_language_interpreter");
      if (chance(0.1)) p.dietary = "Vegetarisk";
      p.language = chance(0.85) ? "sv" : "en";
      // Network events abroad are recorded afterwards by organisers, as walk-ins with the date attended.
      const bool recorded = pl.kind == std::string("network_event") && pl.day_offset < 0;
      auto pr = std::make_shared<std::promise<store::outcome<store::created_registration>>>();
      pending.push_back(pr->get_future());
      db.register_person(created.id, p, recorded, [pr](store::outcome<store::created_registration> r) { pr->set_value(std::move(r)); },
                         recorded ? std::optional<time_point>(starts + 3600) : std::nullopt);
    }
    std::vector<store::created_registration> regs;
    for (auto& f : pending) {
      auto r = f.get();
      if (r.ok()) regs.push_back(std::move(r.value()));
    }
    // Moved to its real time only now, after the registrations, which a past event would refuse.
    domain::event_patch move;
    move.starts_at = domain::parsed_time{starts, created.utc_offset_minutes};
    move.ends_at = starts + (pl.kind == std::string("network_event") || pl.kind == std::string("study_visit") ? 2 * 86400 : 3 * 3600);
    move.registration_closes_at = std::optional<time_point>();
    created = wait_for<domain::event>([&](auto cb) { db.update_event(created.id, move, std::nullopt, cb); });
    if (pl.day_offset < 0 && pl.kind != std::string("network_event")) {
      std::vector<std::future<store::outcome<store::scan_answer>>> scans;
      for (const auto& r : regs) {
        if (r.registration.status != domain::registration_status::confirmed || !chance(pl.attendance)) continue;
        store::checkin_command c;
        c.event_id = created.id;
        c.registration_id = r.registration.id;
        c.attended_at = starts + std::uniform_int_distribution<int>(-900, 1200)(rng);
        c.device = "demo";
        auto pr = std::make_shared<std::promise<store::outcome<store::scan_answer>>>();
        scans.push_back(pr->get_future());
        db.check_in(c, [](const store::checkin_outcome&) { return store::scan_answer{201, "{}"}; },
                    [pr](store::outcome<store::scan_answer> a) { pr->set_value(std::move(a)); });
      }
      for (auto& f : scans) f.get();
    }
    add_demo_evaluations(db, created, regs);
    if (pl.kind == std::string("partner_search_forum") && pl.day_offset > 0) add_demo_forum(db, created, regs);
  }
  add_demo_support(db, today);
  return made;
}

}  // namespace eventd::app
