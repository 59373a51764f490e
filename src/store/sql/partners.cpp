// Partner search in the SQLite store: profiles, the forum's slots and tables, meeting requests and the meetings they
// become. Where a meeting goes is decided by domain::forum_schedule on the writer thread, against every meeting of the
// forum as it is at that moment; unique indexes (one meeting per table and slot, one per person and slot, one open
// request per pair) hold the same rules a second time.
#include "store/sql/sql_store.hpp"

#include "domain/time.hpp"

#include <algorithm>

namespace eventd::store::sql {
namespace {

#define PROFILE_COLUMNS                                                                                         \
  "p.id, p.registration_id, p.event_id, p.organisation, p.summary, p.country, p.focus_areas, p.offers, p.seeks, " \
  "p.languages, p.partner_countries, p.public, p.created_at, p.updated_at, r.name"
constexpr sql_text profile_of_sql{"SELECT " PROFILE_COLUMNS " FROM partner_profiles p JOIN registrations r ON r.id = p.registration_id "
                                  "WHERE p.registration_id = ?"};
constexpr sql_text profile_by_id_sql{"SELECT " PROFILE_COLUMNS " FROM partner_profiles p JOIN registrations r ON r.id = p.registration_id "
                                     "WHERE p.id = ?"};
constexpr sql_text forum_profiles_sql{"SELECT " PROFILE_COLUMNS " FROM partner_profiles p JOIN registrations r ON r.id = p.registration_id "
                                      "WHERE p.event_id = ? AND r.erased = 0 AND r.status <> 'cancelled' ORDER BY p.id"};
constexpr sql_text public_profiles_sql{"SELECT " PROFILE_COLUMNS " FROM partner_profiles p JOIN registrations r ON r.id = p.registration_id "
                                       "WHERE p.public = 1 ORDER BY p.id"};

domain::partner_profile read_profile(statement& q) {
  constexpr auto& col = profile_of_sql;
  domain::partner_profile p;
  p.id = q.getColumn(col["id"]).getInt64();
  p.registration_id = q.getColumn(col["registration_id"]).getInt64();
  p.event_id = q.getColumn(col["event_id"]).getInt64();
  p.fields.organisation = q.getColumn(col["organisation"]).getString();
  p.fields.summary = q.getColumn(col["summary"]).getString();
  p.fields.country = q.getColumn(col["country"]).getString();
  p.fields.focus_areas = split(q.getColumn(col["focus_areas"]).getString());
  p.fields.offers = split(q.getColumn(col["offers"]).getString());
  p.fields.seeks = split(q.getColumn(col["seeks"]).getString());
  p.fields.languages = split(q.getColumn(col["languages"]).getString());
  p.fields.partner_countries = split(q.getColumn(col["partner_countries"]).getString());
  p.fields.is_public = q.getColumn(col["public"]).getInt() != 0;
  p.created_at = q.getColumn(col["created_at"]).getInt64();
  p.updated_at = q.getColumn(col["updated_at"]).getInt64();
  if (!q.getColumn(col["name"]).isNull()) p.name = q.getColumn(col["name"]).getString();
  return p;
}

std::vector<domain::partner_profile> profiles(connection& c, const sql_text& sql, std::optional<id_t> id) {
  auto& q = c.prepare(sql.c_str());
  if (id) q.bind(1, *id);
  std::vector<domain::partner_profile> out;
  while (q.executeStep()) out.push_back(read_profile(q));
  q.reset();
  return out;
}

#define MEETING_COLUMNS \
  "id, event_id, from_registration, to_registration, message, state, slot_id, table_no, created_at, decided_at"
constexpr sql_text meeting_by_id_sql{"SELECT " MEETING_COLUMNS " FROM meeting_requests WHERE id = ?"};
constexpr sql_text meetings_of_sql{"SELECT " MEETING_COLUMNS " FROM meeting_requests WHERE from_registration = ?1 "
                                   "UNION ALL SELECT " MEETING_COLUMNS " FROM meeting_requests WHERE to_registration = ?1 ORDER BY id"};
constexpr sql_text forum_meetings_sql{"SELECT " MEETING_COLUMNS " FROM meeting_requests WHERE event_id = ? ORDER BY id"};

domain::meeting read_meeting(statement& q) {
  constexpr auto& col = meeting_by_id_sql;
  domain::meeting m;
  m.id = q.getColumn(col["id"]).getInt64();
  m.event_id = q.getColumn(col["event_id"]).getInt64();
  m.from_registration = q.getColumn(col["from_registration"]).getInt64();
  m.to_registration = q.getColumn(col["to_registration"]).getInt64();
  m.message = opt_text(q.getColumn(col["message"]));
  m.state = domain::meeting_state_from(q.getColumn(col["state"]).getString()).value_or(domain::meeting_state::cancelled);
  m.slot_id = opt_int(q.getColumn(col["slot_id"]));
  if (auto t = opt_int(q.getColumn(col["table_no"]))) m.table = static_cast<int>(*t);
  m.created_at = q.getColumn(col["created_at"]).getInt64();
  m.decided_at = opt_int(q.getColumn(col["decided_at"]));
  return m;
}

std::optional<domain::meeting> meeting_by_id(connection& c, id_t id) { return one_row(c, meeting_by_id_sql, id, read_meeting); }

std::vector<domain::meeting> meetings(connection& c, const sql_text& sql, id_t id) {
  auto& q = c.prepare(sql.c_str());
  q.bind(1, id);
  std::vector<domain::meeting> out;
  while (q.executeStep()) out.push_back(read_meeting(q));
  q.reset();
  return out;
}

forum_slots slots_of(connection& c, id_t event_id) {
  forum_slots out;
  auto& t = c.prepare("SELECT meeting_tables FROM events WHERE id = ?");
  t.bind(1, event_id);
  if (t.executeStep()) out.tables = t.getColumn(0).getInt();
  t.reset();
  auto& q = c.prepare("SELECT id, starts_at, ends_at FROM meeting_slots WHERE event_id = ? ORDER BY starts_at");
  q.bind(1, event_id);
  while (q.executeStep()) out.slots.push_back({q.getColumn(0).getInt64(), q.getColumn(1).getInt64(), q.getColumn(2).getInt64()});
  q.reset();
  return out;
}

// The forum as the scheduler sees it: its slots, tables and every accepted meeting (but `except`).
domain::forum_schedule schedule_of(connection& c, id_t event_id, id_t except = 0) {
  auto s = slots_of(c, event_id);
  domain::forum_schedule schedule(std::move(s.slots), s.tables);
  auto& q = c.prepare(
      "SELECT slot_id, table_no, from_registration, to_registration, id FROM meeting_requests "
      "WHERE event_id = ? AND state = 'accepted'");
  q.bind(1, event_id);
  while (q.executeStep()) {
    if (q.getColumn(4).getInt64() == except) continue;
    if (!schedule.book(q.getColumn(0).getInt64(), q.getColumn(1).getInt(), q.getColumn(2).getInt64(), q.getColumn(3).getInt64()))
      support::log_fault("error", "meeting schedule", "an accepted meeting double-books a slot: kept as it is");
  }
  q.reset();
  return schedule;
}

// Where a meeting of a and b goes (domain::first_common_slot, domain::lowest_free_table), from a few index reads:
// each slot's count of taken tables, the slots where either is seated, then the taken tables of the slot chosen.
std::optional<domain::placement> placement_for(connection& c, id_t event_id, id_t a, id_t b, domain::time_point now) {
  int tables = 0;
  auto& t = c.prepare("SELECT meeting_tables FROM events WHERE id = ?");
  t.bind(1, event_id);
  if (t.executeStep()) tables = t.getColumn(0).getInt();
  t.reset();
  std::vector<domain::slot_load> loads;
  auto& l = c.prepare(
      "SELECT s.id, s.starts_at, s.ends_at, (SELECT count(*) FROM meeting_requests m WHERE m.slot_id = s.id AND "
      "m.state = 'accepted') FROM meeting_slots s WHERE s.event_id = ? ORDER BY s.starts_at");
  l.bind(1, event_id);
  while (l.executeStep())
    loads.push_back({{l.getColumn(0).getInt64(), l.getColumn(1).getInt64(), l.getColumn(2).getInt64()}, l.getColumn(3).getInt()});
  l.reset();
  std::vector<id_t> busy;
  auto& s = c.prepare("SELECT slot_id FROM meeting_seats WHERE registration_id IN (?, ?)");
  s.bind(1, a);
  s.bind(2, b);
  while (s.executeStep()) busy.push_back(s.getColumn(0).getInt64());
  s.reset();
  const auto slot = domain::first_common_slot(loads, tables, busy, now);
  if (!slot) return std::nullopt;
  std::vector<int> taken;
  auto& u = c.prepare("SELECT table_no FROM meeting_requests WHERE slot_id = ? AND state = 'accepted'");
  u.bind(1, *slot);
  while (u.executeStep()) taken.push_back(u.getColumn(0).getInt());
  u.reset();
  const auto table = domain::lowest_free_table(std::move(taken), tables);
  if (!table) return std::nullopt;
  return domain::placement{*slot, *table};
}

void place(connection& c, const domain::meeting& m, const domain::placement& p, domain::time_point now) {
  auto& u = c.prepare("UPDATE meeting_requests SET state = 'accepted', slot_id = ?, table_no = ?, decided_at = ? WHERE id = ?");
  u.bind(1, p.slot_id);
  u.bind(2, p.table);
  u.bind(3, static_cast<std::int64_t>(now));
  u.bind(4, m.id);
  u.exec();
  auto& d = c.prepare("DELETE FROM meeting_seats WHERE request_id = ?");
  d.bind(1, m.id);
  d.exec();
  for (const auto who : {m.from_registration, m.to_registration}) {
    auto& s = c.prepare("INSERT INTO meeting_seats(slot_id, registration_id, request_id) VALUES (?,?,?)");
    s.bind(1, p.slot_id);
    s.bind(2, who);
    s.bind(3, m.id);
    s.exec();
  }
}

void set_state(connection& c, id_t meeting_id, domain::meeting_state state, domain::time_point now) {
  auto& d = c.prepare("DELETE FROM meeting_seats WHERE request_id = ?");
  d.bind(1, meeting_id);
  d.exec();
  auto& u = c.prepare("UPDATE meeting_requests SET state = ?, slot_id = NULL, table_no = NULL, decided_at = ? WHERE id = ?");
  u.bind(1, std::string(domain::to_string(state)));
  u.bind(2, static_cast<std::int64_t>(now));
  u.bind(3, meeting_id);
  u.exec();
}

[[noreturn]] void refuse(domain::meeting_refusal r) {
  fail(errc::conflict, std::string(domain::describe(r)), {{"reason", std::string(domain::to_string(r))}});
}

bool open_between(connection& c, id_t event_id, id_t a, id_t b) {
  auto& q = c.prepare(
      "SELECT 1 FROM meeting_requests WHERE event_id = ?1 AND state IN ('pending', 'accepted') AND "
      "((from_registration = ?2 AND to_registration = ?3) OR (from_registration = ?3 AND to_registration = ?2))");
  q.bind(1, event_id);
  q.bind(2, a);
  q.bind(3, b);
  const bool found = q.executeStep();
  q.reset();
  return found;
}

}  // namespace

void sql_store::queue_meeting_mail(connection& c, const char* kind, id_t registration_id, id_t event_id, id_t meeting_id) {
  if (cfg_.mail == "off") return;
  const auto now = static_cast<std::int64_t>(domain::now());
  auto& q = c.prepare(
      "INSERT INTO mail_outbox(kind, registration_id, event_id, meeting_id, secret, next_attempt_at, created_at) "
      "VALUES (?1, ?2, ?3, ?4, ?6, ?5, ?5)");
  q.bind(1, kind);
  q.bind(2, registration_id);
  q.bind(3, event_id);
  q.bind(4, meeting_id);
  q.bind(5, now);
  // The message opens the partner-search page with a link of its own (only hashes are kept: the first one cannot be
  // sent again); the first one keeps working.
  q.bind(6, new_link(c, registration_id, true));
  q.exec();
}

void sql_store::save_profile(std::string token, domain::profile_fields fields, callback<domain::partner_profile> cb) {
  write<domain::partner_profile>(
      [this, token = std::move(token), fields = std::move(fields)](connection& c) {
        const auto r = registration_for_link(c, token);
        const auto e = event_by_id(c, r.event_id);
        if (!e) fail(errc::not_found, "no such event");
        if (e->kind != "partner_search_forum") refuse(domain::meeting_refusal::not_a_forum);
        if (r.erased || r.status == domain::registration_status::cancelled) refuse(domain::meeting_refusal::not_registered);
        static constexpr sql_text upsert{
            "INSERT INTO partner_profiles(registration_id, event_id, organisation, summary, country, focus_areas, offers, "
            "seeks, languages, partner_countries, public, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?) "
            "ON CONFLICT(registration_id) DO UPDATE SET organisation = excluded.organisation, summary = excluded.summary, "
            "country = excluded.country, focus_areas = excluded.focus_areas, offers = excluded.offers, "
            "seeks = excluded.seeks, languages = excluded.languages, partner_countries = excluded.partner_countries, "
            "public = excluded.public, updated_at = excluded.updated_at"};
        const auto now = static_cast<std::int64_t>(domain::now());
        auto& q = c.prepare(upsert.c_str());
        q.bind(upsert.param("registration_id"), r.id);
        q.bind(upsert.param("event_id"), r.event_id);
        q.bind(upsert.param("organisation"), fields.organisation);
        q.bind(upsert.param("summary"), fields.summary);
        q.bind(upsert.param("country"), fields.country);
        q.bind(upsert.param("focus_areas"), join(fields.focus_areas));
        q.bind(upsert.param("offers"), join(fields.offers));
        q.bind(upsert.param("seeks"), join(fields.seeks));
        q.bind(upsert.param("languages"), join(fields.languages));
        q.bind(upsert.param("partner_countries"), join(fields.partner_countries));
        q.bind(upsert.param("public"), fields.is_public ? 1 : 0);
        q.bind(upsert.param("created_at"), now);
        q.bind(upsert.param("updated_at"), now);
        q.exec();
        noted(change::kind::profile_saved, r.id, r.event_id);
        return *one_row(c, profile_of_sql, r.id, read_profile);
      },
      std::move(cb));
}

std::optional<domain::partner_profile> sql_store::profile_of(id_t registration_id) {
  auto c = borrow();
  return one_row(*c, profile_of_sql, registration_id, read_profile);
}

std::optional<domain::partner_profile> sql_store::get_profile(id_t profile_id) {
  auto c = borrow();
  return one_row(*c, profile_by_id_sql, profile_id, read_profile);
}

std::vector<domain::partner_profile> sql_store::forum_profiles(id_t event_id) {
  auto c = borrow();
  return profiles(*c, forum_profiles_sql, event_id);
}

std::vector<domain::partner_profile> sql_store::public_profiles() {
  auto c = borrow();
  auto out = profiles(*c, public_profiles_sql, std::nullopt);
  for (auto& p : out) p.name.clear();
  return out;
}

void sql_store::set_meeting_slots(id_t event_id, std::vector<domain::meeting_slot> wanted, int tables,
                                     callback<forum_slots> cb) {
  write<forum_slots>(
      [event_id, wanted = std::move(wanted), tables](connection& c) {
        lock_event(c, event_id);
        const auto e = event_by_id(c, event_id);
        if (!e) fail(errc::not_found, "no such event");
        if (e->kind != "partner_search_forum") refuse(domain::meeting_refusal::not_a_forum);
        const auto before = slots_of(c, event_id);
        std::vector<id_t> going;
        for (const auto& s : before.slots)
          if (std::none_of(wanted.begin(), wanted.end(), [&](const domain::meeting_slot& w) {
                return w.starts_at == s.starts_at && w.ends_at == s.ends_at;
              }))
            going.push_back(s.id);
        auto& used = c.prepare(
            "SELECT slot_id, table_no FROM meeting_requests WHERE event_id = ? AND state = 'accepted'");
        used.bind(1, event_id);
        std::string problem;
        while (used.executeStep()) {
          const auto slot = used.getColumn(0).getInt64();
          const auto table = used.getColumn(1).getInt();
          if (std::find(going.begin(), going.end(), slot) != going.end())
            problem = "a slot that would go holds meetings: move or cancel them first";
          else if (table > tables)
            problem = "table " + std::to_string(table) + " holds meetings: move or cancel them first";
        }
        used.reset();
        if (!problem.empty()) fail(errc::conflict, problem, {{"reason", "slot_in_use"}});
        for (const auto id : going) {
          auto& d = c.prepare("DELETE FROM meeting_slots WHERE id = ?");
          d.bind(1, id);
          d.exec();
        }
        for (const auto& w : wanted) {
          if (std::any_of(before.slots.begin(), before.slots.end(), [&](const domain::meeting_slot& s) {
                return w.starts_at == s.starts_at && w.ends_at == s.ends_at;
              }))
            continue;
          auto& i = c.prepare("INSERT INTO meeting_slots(event_id, starts_at, ends_at) VALUES (?,?,?)");
          i.bind(1, event_id);
          i.bind(2, static_cast<std::int64_t>(w.starts_at));
          i.bind(3, static_cast<std::int64_t>(w.ends_at));
          i.exec();
        }
        auto& t = c.prepare("UPDATE events SET meeting_tables = ? WHERE id = ?");
        t.bind(1, tables);
        t.bind(2, event_id);
        t.exec();
        return slots_of(c, event_id);
      },
      std::move(cb));
}

forum_slots sql_store::meeting_slots(id_t event_id) {
  auto c = borrow();
  return slots_of(*c, event_id);
}

void sql_store::request_meeting(std::string token, id_t profile_id, std::optional<std::string> message,
                                   callback<domain::meeting> cb) {
  write<domain::meeting>(
      [this, token = std::move(token), profile_id, message = std::move(message)](connection& c) {
        const auto from = registration_for_link(c, token);
        const auto target = one_row(c, profile_by_id_sql, profile_id, read_profile);
        if (!target || target->event_id != from.event_id) fail(errc::not_found, "no such profile at this forum");
        const auto to = registration_by_id(c, target->registration_id);
        lock_event(c, from.event_id);
        const auto e = event_by_id(c, from.event_id);
        if (!to || !e) fail(errc::not_found, "no such profile at this forum");
        const bool has_profile = one_row(c, profile_of_sql, from.id, read_profile).has_value();
        const auto now = domain::now();
        const auto refusal = domain::decide_meeting_request(*e, from, has_profile, *to, open_between(c, e->id, from.id, to->id), now);
        if (refusal != domain::meeting_refusal::none) refuse(refusal);
        auto& q = c.prepare(
            "INSERT INTO meeting_requests(event_id, from_registration, to_registration, message, created_at) VALUES (?,?,?,?,?)");
        q.bind(1, e->id);
        q.bind(2, from.id);
        q.bind(3, to->id);
        bind_opt(q, 4, message);
        q.bind(5, static_cast<std::int64_t>(now));
        q.exec();
        const auto id = c.last_insert_id();
        queue_meeting_mail(c, "meeting_request", to->id, e->id, id);
        noted(change::kind::meeting_changed, from.id, e->id);
        noted(change::kind::meeting_changed, to->id, e->id);
        return *meeting_by_id(c, id);
      },
      std::move(cb));
}

void sql_store::answer_meeting(std::string token, id_t meeting_id, bool accept, callback<domain::meeting> cb) {
  write<domain::meeting>(
      [this, token = std::move(token), meeting_id, accept](connection& c) {
        const auto who = registration_for_link(c, token);
        auto m = meeting_by_id(c, meeting_id);
        if (!m || (m->from_registration != who.id && m->to_registration != who.id)) fail(errc::not_found, "no such meeting request");
        if (c.shared_writers()) {  // the forum's meetings are placed by one node at a time: read again under the lock
          lock_event(c, m->event_id);
          m = meeting_by_id(c, meeting_id);
          if (!m) fail(errc::not_found, "no such meeting request");
        }
        const auto e = event_by_id(c, m->event_id);
        if (!e) fail(errc::not_found, "no such meeting request");
        const auto now = domain::now();
        const auto refusal = domain::decide_meeting_answer(*e, *m, who, now);
        if (refusal != domain::meeting_refusal::none) refuse(refusal);
        if (accept) {
          const auto p = placement_for(c, e->id, m->from_registration, m->to_registration, now);
          if (!p) refuse(domain::meeting_refusal::no_common_slot);
          place(c, *m, *p, now);
        } else {
          set_state(c, m->id, domain::meeting_state::declined, now);
        }
        queue_meeting_mail(c, accept ? "meeting_accepted" : "meeting_declined", m->from_registration, e->id, m->id);
        noted(change::kind::meeting_changed, m->from_registration, e->id);
        noted(change::kind::meeting_changed, m->to_registration, e->id);
        return *meeting_by_id(c, m->id);
      },
      std::move(cb));
}

void sql_store::withdraw_meeting(std::string token, id_t meeting_id, callback<domain::meeting> cb) {
  write<domain::meeting>(
      [this, token = std::move(token), meeting_id](connection& c) {
        const auto who = registration_for_link(c, token);
        const auto m = meeting_by_id(c, meeting_id);
        if (!m || (m->from_registration != who.id && m->to_registration != who.id)) fail(errc::not_found, "no such meeting request");
        if (m->state != domain::meeting_state::pending && m->state != domain::meeting_state::accepted)
          refuse(domain::meeting_refusal::not_pending);
        set_state(c, m->id, domain::meeting_state::cancelled, domain::now());
        const auto other = m->from_registration == who.id ? m->to_registration : m->from_registration;
        queue_meeting_mail(c, "meeting_cancelled", other, m->event_id, m->id);
        noted(change::kind::meeting_changed, m->from_registration, m->event_id);
        noted(change::kind::meeting_changed, m->to_registration, m->event_id);
        return *meeting_by_id(c, m->id);
      },
      std::move(cb));
}

std::optional<domain::meeting> sql_store::get_meeting(id_t meeting_id) {
  auto c = borrow();
  return meeting_by_id(*c, meeting_id);
}

std::vector<domain::meeting> sql_store::meetings_of(id_t registration_id) {
  auto c = borrow();
  auto out = meetings(*c, meetings_of_sql, registration_id);
  return out;
}

std::vector<domain::meeting> sql_store::forum_meetings(id_t event_id) {
  auto c = borrow();
  return meetings(*c, forum_meetings_sql, event_id);
}

void sql_store::move_meeting(id_t event_id, id_t meeting_id, id_t slot_id, int table, callback<domain::meeting> cb) {
  write<domain::meeting>(
      [this, event_id, meeting_id, slot_id, table](connection& c) {
        const auto m = meeting_by_id(c, meeting_id);
        if (!m || m->event_id != event_id) fail(errc::not_found, "no such meeting at this forum");
        if (m->state != domain::meeting_state::accepted)
          fail(errc::conflict, "only an accepted meeting has a place to move", {{"reason", "not_accepted"}});
        const auto schedule = schedule_of(c, event_id, m->id);
        if (!schedule.free_at(slot_id, table, m->from_registration, m->to_registration))
          fail(errc::conflict, "that slot has no such table, the table is taken, or one of the two has a meeting then",
               {{"reason", "taken"}});
        place(c, *m, {slot_id, table}, domain::now());
        for (const auto who : {m->from_registration, m->to_registration}) {
          queue_meeting_mail(c, "meeting_moved", who, event_id, m->id);
          noted(change::kind::meeting_changed, who, event_id);
        }
        return *meeting_by_id(c, m->id);
      },
      std::move(cb));
}

void sql_store::cancel_meeting(id_t event_id, id_t meeting_id, callback<domain::meeting> cb) {
  write<domain::meeting>(
      [this, event_id, meeting_id](connection& c) {
        const auto m = meeting_by_id(c, meeting_id);
        if (!m || m->event_id != event_id) fail(errc::not_found, "no such meeting at this forum");
        if (m->state != domain::meeting_state::pending && m->state != domain::meeting_state::accepted)
          refuse(domain::meeting_refusal::not_pending);
        set_state(c, m->id, domain::meeting_state::cancelled, domain::now());
        for (const auto who : {m->from_registration, m->to_registration}) {
          queue_meeting_mail(c, "meeting_cancelled", who, event_id, m->id);
          noted(change::kind::meeting_changed, who, event_id);
        }
        return *meeting_by_id(c, m->id);
      },
      std::move(cb));
}

forum_figures sql_store::figures_of_forum(id_t event_id, domain::time_point now) {
  auto c = borrow();
  read_transaction tx(*c);
  forum_figures f;
  auto& p = c->prepare(
      "SELECT count(*) FROM partner_profiles p JOIN registrations r ON r.id = p.registration_id "
      "WHERE p.event_id = ? AND r.erased = 0 AND r.status <> 'cancelled'");
  p.bind(1, event_id);
  if (p.executeStep()) f.profiles = p.getColumn(0).getInt64();
  p.reset();
  auto& q = c->prepare(
      "SELECT count(*), coalesce(sum(CASE WHEN m.state = 'accepted' THEN 1 ELSE 0 END), 0), "
      "coalesce(sum(CASE WHEN m.state = 'accepted' AND s.ends_at <= ?2 AND "
      "EXISTS (SELECT 1 FROM checkins k WHERE k.registration_id = m.from_registration) AND "
      "EXISTS (SELECT 1 FROM checkins k WHERE k.registration_id = m.to_registration) THEN 1 ELSE 0 END), 0) "
      "FROM meeting_requests m LEFT JOIN meeting_slots s ON s.id = m.slot_id WHERE m.event_id = ?1");
  q.bind(1, event_id);
  q.bind(2, static_cast<std::int64_t>(now));
  if (q.executeStep()) {
    f.requests = q.getColumn(0).getInt64();
    f.accepted = q.getColumn(1).getInt64();
    f.held = q.getColumn(2).getInt64();
  }
  q.reset();
  tx.end();
  return f;
}

void sql_store::end_meetings_of(connection& c, id_t registration_id, bool erased, bool keep_public) {
  std::vector<domain::meeting> open;
  const auto now = domain::now();
  for (auto& m : meetings(c, meetings_of_sql, registration_id))
    if (m.state == domain::meeting_state::pending || m.state == domain::meeting_state::accepted) open.push_back(std::move(m));
  // Only a forum still to come loses its meetings: those of one that has ended are facts (its figures count them).
  if (const auto e = open.empty() ? std::nullopt : event_by_id(c, open.front().event_id); e && now < e->ends_at) {
    for (const auto& m : open) {
      set_state(c, m.id, domain::meeting_state::cancelled, now);
      const auto other = m.from_registration == registration_id ? m.to_registration : m.from_registration;
      queue_meeting_mail(c, "meeting_cancelled", other, m.event_id, m.id);
      noted(change::kind::meeting_changed, other, m.event_id);
    }
    noted(change::kind::meeting_changed, registration_id, e->id);
  }
  if (!erased) return;
  // What the two wrote to each other named them; the meetings stay as facts (the forum's figures count them).
  auto& b = c.prepare("UPDATE meeting_requests SET message = NULL WHERE (from_registration = ?1 OR to_registration = ?1) AND message IS NOT NULL");
  b.bind(1, registration_id);
  b.exec();
  // Messages about meetings to the erased person were dropped with their other mail; the ones to others stay.
  if (keep_public) {
    auto& d = c.prepare("DELETE FROM partner_profiles WHERE registration_id = ? AND public = 0");
    d.bind(1, registration_id);
    d.exec();
  } else {
    auto& d = c.prepare("DELETE FROM partner_profiles WHERE registration_id = ?");
    d.bind(1, registration_id);
    d.exec();
  }
}

}  // namespace eventd::store::sql
