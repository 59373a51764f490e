// Registrations in the SQLite store: registering, the waitlist, changes, cancellation and erasure.
#include "store/sql/sql_store.hpp"

#include "auth/crypto.hpp"
#include "domain/event_rules.hpp"
#include "domain/goals.hpp"
#include "domain/registration_rules.hpp"
#include "domain/time.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/refusals.hpp"

namespace eventd::store::sql {
namespace {

// Whether the person holds an active (not cancelled) registration for the event, other than `except`.
bool holds_active_registration(connection& c, id_t event_id, id_t person_id, id_t except = 0) {
  auto& q = c.prepare(
      "SELECT 1 FROM registrations WHERE event_id = :event_id AND person_id = :person_id "
      "AND status <> 'cancelled' AND id <> :except");
  q.bind(":event_id", event_id);
  q.bind(":person_id", person_id);
  q.bind(":except", except);
  const bool found = q.executeStep();
  q.reset();
  return found;
}

// The personal columns of a registration, bound by bind_person.
#define PERSON_COLUMNS                                                                                             \
  "name, email, organisation, organisation_type, municipality, country, home_region, gender, accessibility_needs, " \
  "accessibility_note, dietary, language"
constexpr sql_text person_columns{PERSON_COLUMNS};

// Binds PERSON_COLUMNS, in their order, from parameter `first` on; `p` as domain::normalise_person leaves it.
void bind_person(statement& s, int first, const domain::person_fields& p, bool home) {
  constexpr auto& col = person_columns;
  const auto at = [first](int column) { return first + column; };
  s.bind(at(col["name"]), p.name);
  s.bind(at(col["email"]), p.email);
  s.bind(at(col["organisation"]), p.organisation);
  s.bind(at(col["organisation_type"]), p.organisation_type);
  bind_opt(s, at(col["municipality"]), p.municipality);
  bind_opt(s, at(col["country"]), p.country);
  s.bind(at(col["home_region"]), home ? 1 : 0);
  s.bind(at(col["gender"]), p.gender);
  s.bind(at(col["accessibility_needs"]), join(p.accessibility_needs));
  bind_opt(s, at(col["accessibility_note"]), p.accessibility_note);
  bind_opt(s, at(col["dietary"]), p.dietary);
  s.bind(at(col["language"]), p.language);
}

// Just what a registration decision needs (not the description or venue): the hot path reads little.
// The event's columns a seat decision reads, in this order, first in both statements below.
#define SEAT_COLUMNS "status, capacity, registration_closes_at, starts_at, confirmed_count, waitlisted_count"

// The event of SEAT_COLUMNS, read from the current row.
domain::event read_seat_facts(statement& q, id_t id) {
  domain::event e;
  e.id = id;
  e.status = domain::event_status_from(q.getColumn(0).getString()).value_or(domain::event_status::draft);
  e.capacity = opt_int(q.getColumn(1));
  e.registration_closes_at = opt_int(q.getColumn(2));
  e.starts_at = q.getColumn(3).getInt64();
  e.counts.confirmed = q.getColumn(4).getInt64();
  e.counts.waitlisted = q.getColumn(5).getInt64();
  e.counts.capacity = e.capacity;
  return e;
}

std::optional<domain::event> seat_facts(connection& c, id_t id) {
  auto& q = c.prepare("SELECT " SEAT_COLUMNS " FROM events WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto e = read_seat_facts(q, id);
  q.reset();
  return e;
}

// What a registration's decision needs, on PostgreSQL in one round trip: the event's seat facts, the person's id
// (made on first sight, as person_id_for does), whether they hold an active registration for the event, and the
// next registration id (under the event's lock, so ids follow the order of the decisions across nodes).
struct pg_facts {
  std::optional<domain::event> event;
  id_t person_id = 0;
  bool holds_active = false;
  id_t next_id = 0;
};
pg_facts pg_registration_facts(connection& c, id_t event_id, const std::string& email) {
  auto& q = c.prepare(
      "WITH p AS (INSERT INTO persons(email) VALUES (?1) ON CONFLICT(email) DO UPDATE SET email = excluded.email RETURNING id) "
      "SELECT " SEAT_COLUMNS ", p.id, CASE WHEN EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = ?2 "
      "AND r.person_id = p.id AND r.status <> 'cancelled') THEN 1 ELSE 0 END, "
      "nextval(pg_get_serial_sequence('registrations', 'id')) FROM p LEFT JOIN events e ON e.id = ?2");
  q.bind(1, email);
  q.bind(2, event_id);
  pg_facts f;
  if (q.executeStep()) {
    if (!q.getColumn(0).isNull()) f.event = read_seat_facts(q, event_id);
    f.person_id = q.getColumn(6).getInt64();
    f.holds_active = q.getColumn(7).getInt64() != 0;
    f.next_id = q.getColumn(8).getInt64();
  }
  q.reset();
  return f;
}

// The columns of a held registration (sql_store::held_registration::row), with their PostgreSQL types.
#define HELD_COLUMNS "event_id, person_id, status, ticket_code, manage_token_hash, " PERSON_COLUMNS ", walk_in, created_at, id, client_network"
constexpr const char* held_types[] = {"BIGINT", "BIGINT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT",
                                      "INTEGER", "TEXT", "TEXT", "TEXT", "TEXT", "TEXT", "INTEGER", "BIGINT", "BIGINT", "TEXT"};
constexpr sql_text held_columns{HELD_COLUMNS};
static_assert(held_columns["client_network"] + 1 == std::size(held_types));
static_assert(held_columns["name"] == 5 && held_columns["home_region"] == 11 && held_columns["language"] == 16 &&
              held_columns["walk_in"] == 17 && held_columns["id"] == 19);  // the order sql_store::register_person fills

// "INSERT INTO <table>(<columns>) SELECT * FROM unnest(CAST(?1 AS <type>[]), ...)": one statement for many rows.
std::string unnest_insert(const char* table, const char* columns, const char* const* types, std::size_t n) {
  std::string sql = std::string("INSERT INTO ") + table + "(" + columns + ") SELECT * FROM unnest(";
  for (std::size_t i = 0; i < n; ++i)
    sql += (i > 0 ? ", CAST(?" : "CAST(?") + std::to_string(i + 1) + " AS " + types[i] + "[])";
  return sql + ")";
}

// How a personal field of a registration row is blanked.
constexpr const char* blanked(domain::personal_field f) {
  switch (f) {
    case domain::personal_field::name: return "name = NULL";
    case domain::personal_field::email: return "email = NULL";
    case domain::personal_field::organisation: return "organisation = NULL";
    case domain::personal_field::municipality: return "municipality = NULL";
    case domain::personal_field::country: return "country = NULL";
    case domain::personal_field::accessibility_needs: return "accessibility_needs = ''";  // NOT NULL
    case domain::personal_field::accessibility_note: return "accessibility_note = NULL";
    case domain::personal_field::dietary: return "dietary = NULL";
    case domain::personal_field::client_network: return "client_network = NULL";
  }
  return "erased = 1";  // not reached: every field is named above
}

// "UPDATE registrations SET <every field domain::erased_fields names, blanked>, erased = 1 WHERE id = ?": made once
// from constants, kept for the life of the process (connection::prepare keeps statements by their text's address).
const char* erase_sql() {
  static const std::string sql = [] {
    std::string s = "UPDATE registrations SET ";
    for (const auto f : domain::erased_fields) (s += blanked(f)) += ", ";
    return s + "erased = 1 WHERE id = ?";
  }();
  return sql.c_str();
}

// A LIKE pattern (ESCAPE with a backslash) matching `text` anywhere, its % and _ taken literally.
std::string like_pattern(const std::string& text) {
  std::string like = "%";
  for (char ch : text) {
    if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
    like += ch;
  }
  like += '%';
  return like;
}

}  // namespace

// SQLite's next registration id. Ids are assigned in the single writer, so the ticket code can be derived before the
// insert; the counter lives on the writer thread, and an id used by a batch that then failed is simply skipped.
id_t sql_store::next_sqlite_registration_id(connection& c) {
  if (next_registration_id_ == 0) {
    auto& next = c.prepare("SELECT coalesce(max(id), 0) + 1 FROM registrations");
    next.executeStep();
    next_registration_id_ = next.getColumn(0).getInt64();
    next.reset();
  }
  return next_registration_id_++;
}

void sql_store::register_person(id_t event_id, domain::person_fields p, bool walk_in, callback<created_registration> cb,
                                   std::optional<domain::time_point> attended_at, id_t user_id, std::string client_network) {
  const bool home = p.municipality && home_.contains(*p.municipality);
  p = domain::normalise_person(std::move(p));
  std::string token = auth::random_token(32);
  // Hashed here, on the caller's thread: the writer is the one serial part of a registration.
  std::string token_hash = auth::sha256_hex(token);
  std::string hint = p.email;  // for prepare_registrations
  auto decided_here = job_for<created_registration>(
      [=, this](connection& c) mutable {
        // Three ways to the facts: PostgreSQL, a batch of registrations sent ahead, read for the whole batch
        // (prepare_registrations), whose row is held back to go with the others' in one INSERT (hold_registration);
        // PostgreSQL alone, in one read; SQLite, statement by statement (no round trips to save).
        auto& batch = here().batch;
        const bool from_batch = postgres() && !walk_in && c.deferring() && batch.ready && batch.seats.contains(event_id) &&
                                batch.persons.contains(p.email) && !batch.ids.empty();
        if (postgres() && !from_batch) {
          send_held_registrations(c);  // this one reads and writes for itself: the held rows go first
          batch.ready = false;
        }
        lock_event_once(c, event_id);  // the seat decision, the duplicate check and the waitlist order, across nodes
        // On PostgreSQL every statement is a round trip: alone, what the decision needs comes in one.
        std::optional<pg_facts> pg;
        if (postgres() && !from_batch) pg = pg_registration_facts(c, event_id, p.email);
        const auto e = from_batch ? std::optional(batch.seats.at(event_id)) : pg ? pg->event : seat_facts(c, event_id);
        if (!e) fail(errc::not_found, "no such event");
        const auto now = domain::now();
        const auto d = domain::decide_registration(*e, walk_in, now);
        if (d.refusal != domain::registration_refusal::none) throw store_error{refused(d.refusal)};
        const id_t person_id = from_batch ? batch.persons.find(p.email)->second : pg ? pg->person_id : person_id_for(c, p.email);
        if (from_batch ? batch.active.contains({event_id, person_id})
                       : pg ? pg->holds_active : holds_active_registration(c, event_id, person_id))
          throw store_error{refused(domain::registration_refusal::duplicate)};
        // The id: drawn for the batch, or with the facts (PostgreSQL's sequence, under the event's lock, so ids follow
        // the order of the decisions across nodes), or SQLite's counter.
        id_t new_id = 0;
        if (from_batch) {
          new_id = batch.ids.front();
          batch.ids.pop_front();
        } else {
          new_id = pg ? pg->next_id : next_sqlite_registration_id(c);
        }
        created_registration out;
        out.registration.ticket_code = tickets_->encode(static_cast<std::uint64_t>(new_id));
        out.manage_token = std::to_string(new_id) + "-" + token;
        // PostgreSQL, a confirmation or waitlist mail to queue: the outbox row goes with the registration's.
        const bool mail_with_insert = postgres() && !walk_in && cfg_.mail != "off";
        const char* mail_kind = d.status == domain::registration_status::confirmed ? "confirmation" : "waitlisted";
        const new_registration row{new_id, event_id, person_id, d.status, out.registration.ticket_code, token_hash,
                                   home, walk_in, now, client_network, mail_with_insert ? mail_kind : nullptr,
                                   out.manage_token};
        if (from_batch)
          hold_registration(row, p);
        else
          insert_registration(c, row, p);
        // Built from what was just written rather than read back: this is the hot path of the benchmark.
        auto& reg = out.registration;
        reg.id = new_id;
        reg.event_id = event_id;
        reg.status = d.status;
        reg.waitlist_position = d.waitlist_position;
        reg.person = std::move(p);
        reg.home_region = home;
        reg.person_id = person_id;
        reg.walk_in = walk_in;
        reg.created_at = now;
        if (walk_in) {
          insert_checkin(c, new_id, event_id, attended_at.value_or(now), now, user_id, "walk-in", false);
          reg.checked_in_at = attended_at.value_or(now);
        } else if (!mail_with_insert) {
          // In this transaction: the message exists exactly when the registration does. A walk-in has the person in
          // front of the organiser: no mail.
          queue_mail(c, mail_kind, new_id, event_id, out.manage_token);
        }
        return out;
      },
      cb);
  job j = std::move(decided_here);
  if (sql_seats_ && !walk_in) {
    // Decided by the database with the rest of the transaction's public registrations, where the transaction sends
    // ahead; else (a batch run again without sending ahead) as above.
    j = [this, decided_here = std::move(j), event_id, p = std::move(p), home, token = std::move(token),
         token_hash = std::move(token_hash), client_network, cb](connection& c) -> job_result {
      if (c.deferring() && here().batch.sql_ready)
        return add_sql_registration(event_id, p, home, token, token_hash, domain::now(), client_network, cb);
      return decided_here(c);
    };
  }
  submit_job<created_registration>(std::move(j), std::move(cb), event_id, walk_in ? std::string() : hint);
}

namespace {

// The inputs of sql_registration_sql, one array each, in this order (parameters 1 to 17), found by name at compile time.
constexpr sql_text sql_input{
    "event_id, email, name, organisation, organisation_type, municipality, country, home_region, gender, "
    "accessibility_needs, accessibility_note, dietary, language, manage_token_hash, token, created_at, client_network"};
constexpr std::size_t sql_inputs = sql_input["client_network"] + 1;

// A transaction's public registrations, decided, numbered and written by one statement (sql_seats_). It runs after
// the transaction's locks on their events (writer::lock_rows, an earlier statement), so under READ COMMITTED it sees
// every registration committed before them, and its own transaction's. domain::decide_registration's rules, in SQL:
// an event that is gone, cancelled, not published or closed (created_at >= its closing time) refuses; so does an
// address already actively registered for the event, in the database or earlier in the batch; the n-th registration
// taken for an event gets a seat when the event has no capacity, or nobody waits and confirmed + n <= capacity
// (gets_seat), else the place in line after those before it. Ids are drawn under the locks and given in the order of
// the registrations (the waitlist and the pages follow ids); ticket codes are eventd_ticket_code (migration 013); the
// mail goes into the outbox with its row; the events' counts follow by the insert's statement trigger (migration 012);
// the other nodes hear of the registrations through one NOTIFY. Answers a row per input, in its order.
constexpr const char* sql_registration_sql =
    // Each event and each person by its key (lateral probes; LIMIT 1 keeps the planner from folding them into joins):
    // the statement's plan is made once per writer (plan_cache_mode), and one made while the tables were small, or
    // for the 20 event rows the counters rewrite thousands of times a second, scanned them whole for each batch.
    "WITH judged AS (SELECT i.*, k.id AS known_person, e.capacity, e.confirmed_count, e.waitlisted_count, "
    "CASE WHEN e.id IS NULL THEN 'not_found' WHEN e.status = 'cancelled' THEN 'cancelled' "
    "WHEN e.status <> 'published' THEN 'unpublished' "
    "WHEN i.created_at >= coalesce(e.registration_closes_at, e.starts_at) THEN 'closed' "
    "WHEN row_number() OVER (PARTITION BY i.event_id, i.email ORDER BY i.ord) > 1 THEN 'duplicate' "
    "WHEN k.id IS NOT NULL AND EXISTS (SELECT 1 FROM registrations r WHERE r.event_id = i.event_id "
    "AND r.person_id = k.id AND r.status <> 'cancelled') THEN 'duplicate' END AS refusal "
    "FROM unnest(CAST(?1 AS BIGINT[]), CAST(?2 AS TEXT[]), CAST(?3 AS TEXT[]), "
    "CAST(?4 AS TEXT[]), CAST(?5 AS TEXT[]), CAST(?6 AS TEXT[]), CAST(?7 AS TEXT[]), CAST(?8 AS INTEGER[]), "
    "CAST(?9 AS TEXT[]), CAST(?10 AS TEXT[]), CAST(?11 AS TEXT[]), CAST(?12 AS TEXT[]), CAST(?13 AS TEXT[]), "
    "CAST(?14 AS TEXT[]), CAST(?15 AS TEXT[]), CAST(?16 AS BIGINT[]), CAST(?17 AS TEXT[])) "
    "WITH ORDINALITY AS i(event_id, email, name, organisation, organisation_type, municipality, country, home_region, "
    "gender, accessibility_needs, accessibility_note, dietary, language, manage_token_hash, token, created_at, "
    "client_network, ord) "
    "LEFT JOIN LATERAL (SELECT id, status, capacity, confirmed_count, waitlisted_count, registration_closes_at, "
    "starts_at FROM events WHERE id = i.event_id LIMIT 1) e ON true "
    "LEFT JOIN LATERAL (SELECT id FROM persons WHERE email = i.email LIMIT 1) k ON true), "
    // The n-th taken for an event is row_number() over w.
    "seated AS (SELECT j.*, row_number() OVER (ORDER BY j.ord) AS nth, "
    "CASE WHEN j.capacity IS NULL OR (j.waitlisted_count = 0 AND j.confirmed_count + row_number() OVER w "
    "<= j.capacity) THEN 'confirmed' ELSE 'waitlisted' END AS status, j.waitlisted_count + row_number() OVER w - "
    "CASE WHEN j.waitlisted_count = 0 AND j.capacity IS NOT NULL THEN greatest(j.capacity - j.confirmed_count, 0) "
    "ELSE 0 END AS position FROM judged j WHERE j.refusal IS NULL WINDOW w AS (PARTITION BY j.event_id ORDER BY j.ord)), "
    "made AS (INSERT INTO persons(email) SELECT DISTINCT email FROM seated WHERE known_person IS NULL ORDER BY email "
    "ON CONFLICT(email) DO UPDATE SET email = excluded.email RETURNING id, email), "
    "numbered AS (SELECT id, row_number() OVER (ORDER BY id) AS nth FROM (SELECT nextval((SELECT "
    "CAST(pg_get_serial_sequence('registrations', 'id') AS regclass))) AS id FROM generate_series(1, "
    "(SELECT count(*) FROM seated))) x), "
    "ins AS (INSERT INTO registrations(event_id, person_id, status, ticket_code, manage_token_hash, name, email, "
    "organisation, organisation_type, municipality, country, home_region, gender, accessibility_needs, "
    "accessibility_note, dietary, language, walk_in, created_at, id, client_network) "
    "SELECT s.event_id, coalesce(s.known_person, m.id), s.status, eventd_ticket_code(decode(?18, 'hex'), n.id), "
    "s.manage_token_hash, s.name, s.email, s.organisation, s.organisation_type, s.municipality, s.country, "
    "s.home_region, s.gender, s.accessibility_needs, s.accessibility_note, s.dietary, s.language, 0, s.created_at, "
    "n.id, s.client_network FROM seated s JOIN numbered n ON n.nth = s.nth LEFT JOIN made m ON m.email = s.email "
    "RETURNING id, person_id, ticket_code), "
    "mail AS (INSERT INTO mail_outbox(kind, registration_id, event_id, secret, next_attempt_at, created_at) "
    "SELECT CASE WHEN s.status = 'confirmed' THEN 'confirmation' ELSE 'waitlisted' END, n.id, s.event_id, "
    "n.id || '-' || s.token, s.created_at, s.created_at FROM seated s JOIN numbered n ON n.nth = s.nth "
    "WHERE CAST(?19 AS INTEGER) = 1), "
    "note AS (SELECT pg_notify('eventd_changes', CAST(?20 AS TEXT) || '|' || "
    "CASE WHEN length(a.notes) > 7000 THEN '*' ELSE a.notes END) FROM (SELECT string_agg(CAST(?21 AS TEXT) || ',' || "
    "n.id || ',' || s.event_id || ';', '') AS notes FROM seated s JOIN numbered n ON n.nth = s.nth) a "
    "WHERE a.notes IS NOT NULL) "
    "SELECT j.ord, j.refusal, ins.id, s.status, s.position, ins.person_id, ins.ticket_code, "
    "(SELECT count(*) FROM note) FROM judged j LEFT JOIN seated s ON s.ord = j.ord "
    "LEFT JOIN numbered n ON n.nth = s.nth LEFT JOIN ins ON ins.id = n.id ORDER BY j.ord";

// What a refusal word of sql_registration_sql tells the caller.
failure sql_refusal(const std::string& word) {
  using r = domain::registration_refusal;
  if (word == "cancelled") return refused(r::cancelled);
  if (word == "unpublished") return refused(r::unpublished);
  if (word == "closed") return refused(r::closed);
  if (word == "duplicate") return refused(r::duplicate);
  return failure{errc::not_found, "no such event"};
}

}  // namespace

job_result sql_store::add_sql_registration(id_t event_id, const domain::person_fields& p, bool home,
                                           const std::string& token, const std::string& token_hash,
                                           domain::time_point now, const std::string& client_network,
                                           callback<created_registration> cb) {
  auto batch = here().batch.sql;
  auto& in = batch->columns;
  if (in.empty()) in.resize(sql_inputs);
  const auto put = [&in](int column, std::optional<std::string> v) { in[static_cast<std::size_t>(column)].push_back(std::move(v)); };
  put(sql_input["event_id"], std::to_string(event_id));
  put(sql_input["email"], p.email);
  put(sql_input["name"], p.name);
  put(sql_input["organisation"], p.organisation);
  put(sql_input["organisation_type"], p.organisation_type);
  put(sql_input["municipality"], p.municipality);
  put(sql_input["country"], p.country);
  put(sql_input["home_region"], std::string(home ? "1" : "0"));
  put(sql_input["gender"], p.gender);
  put(sql_input["accessibility_needs"], join(p.accessibility_needs));
  put(sql_input["accessibility_note"], p.accessibility_note);
  put(sql_input["dietary"], p.dietary);
  put(sql_input["language"], p.language);
  put(sql_input["manage_token_hash"], token_hash);
  put(sql_input["token"], token);
  put(sql_input["created_at"], std::to_string(static_cast<std::int64_t>(now)));
  put(sql_input["client_network"], client_network.empty() ? std::nullopt : std::optional(client_network));
  const std::size_t k = batch->jobs++;
  return {true, [this, batch, k, cb, event_id, p, home, token, now](bool committed) {
            if (!committed) {
              cb(outcome<created_registration>(failure{errc::unavailable, "the database could not commit this change; nothing was saved"}));
              return;
            }
            // Committed, but the answer did not reach this node (a COMMIT whose answer was lost, found committed).
            if (!batch->answered || k >= batch->answers.size() || !batch->answers[k].known) {
              cb(outcome<created_registration>(outcome_unknown()));
              return;
            }
            const auto& a = batch->answers[k];
            if (!a.refusal.empty()) {
              cb(outcome<created_registration>(sql_refusal(a.refusal)));
              return;
            }
            created_registration out;
            out.manage_token = std::to_string(a.id) + "-" + token;
            auto& reg = out.registration;
            reg.id = a.id;
            reg.event_id = event_id;
            reg.ticket_code = a.ticket_code;
            reg.status = a.status == "confirmed" ? domain::registration_status::confirmed : domain::registration_status::waitlisted;
            if (reg.status == domain::registration_status::waitlisted) reg.waitlist_position = a.waitlist_position;
            reg.person = p;
            reg.home_region = home;
            reg.person_id = a.person_id;
            reg.walk_in = false;
            reg.created_at = now;
            if (commit_listener_)
              after_commit({change{change::kind::registered, reg.id, std::make_shared<const created_registration>(out), event_id}});
            cb(outcome<created_registration>(std::move(out)));
          }};
}

// The rows of sql_registration_sql, by input. Throws as the statement's executeStep does.
void sql_store::take_sql_answers(sql_registrations& batch) {
  auto& q = *batch.sent;
  batch.answers.assign(batch.jobs, {});
  std::size_t rows = 0;
  while (q.executeStep()) {
    const auto ord = q.getColumn(0).getInt64();
    if (ord < 1 || static_cast<std::size_t>(ord) > batch.jobs) continue;
    ++rows;
    auto& a = batch.answers[static_cast<std::size_t>(ord - 1)];
    a.known = true;
    if (!q.getColumn(1).isNull()) {
      a.refusal = q.getColumn(1).getString();
      continue;
    }
    a.id = q.getColumn(2).getInt64();
    a.status = q.getColumn(3).getString();
    a.waitlist_position = q.getColumn(4).getInt64();
    a.person_id = q.getColumn(5).getInt64();
    a.ticket_code = q.getColumn(6).getString();
  }
  q.reset();
  batch.answered = rows == batch.jobs;
}

void sql_store::read_sql_registrations(connection&) {
  auto batch = here().batch.sql;
  if (!batch || !batch->sent || batch->answered) return;
  try {
    take_sql_answers(*batch);
  } catch (const std::exception& e) {
    // Committed, its answer unreadable: the callers hear that it may have been saved (they look, or recover the link).
    support::log_fault("error", "reading the registrations' answer failed", e.what());
  }
}

// After a COMMIT whose answer was lost and that was found committed (writer::after_found_committed): the rows of the
// registrations' statement were lost with that answer. Each registration the statement saved is found again by its
// private link's hash (unique, and known to its job), so that its caller hears 201 as if nothing had happened. One
// not found was refused by the statement, for a reason lost with the answer: its caller hears outcome_unknown.
void sql_store::recover_sql_registrations(connection& c) {
  auto batch = here().batch.sql;
  if (!batch || !batch->sent || batch->answered) return;
  try {
    static constexpr const char* find_sql =
        "SELECT r.id, r.status, r.person_id, r.ticket_code, r.event_id FROM registrations r WHERE r.manage_token_hash = ?";
    auto& q = c.prepare(find_sql);
    const auto& hashes = batch->columns.at(sql_input["manage_token_hash"]);
    batch->answers.assign(batch->jobs, {});
    for (std::size_t k = 0; k < batch->jobs && k < hashes.size(); ++k) {
      if (!hashes[k]) continue;
      q.bind(1, *hashes[k]);
      const bool found = q.executeStep();
      domain::registration reg;
      auto& a = batch->answers[k];
      if (found) {
        a.id = reg.id = q.getColumn(0).getInt64();
        a.status = q.getColumn(1).getString();
        a.person_id = q.getColumn(2).getInt64();
        a.ticket_code = q.getColumn(3).getString();
        reg.event_id = q.getColumn(4).getInt64();
        reg.status = domain::registration_status_from(a.status).value_or(domain::registration_status::confirmed);
      }
      q.reset();
      if (!found) continue;
      load_waitlist_position(c, reg);  // the position as every list shows it
      a.waitlist_position = reg.waitlist_position.value_or(0);
      a.known = true;
    }
    batch->answered = true;
  } catch (const std::exception& e) {
    batch->answers.clear();
    batch->answered = false;
    support::log_fault("error", "finding the registrations of a commit whose answer was lost failed", e.what());
  }
}

// A registration held back to go with the rest of its batch in one INSERT (send_held_registrations); what it
// changes for the next decision in the batch is noted as the counters' trigger will count it.
void sql_store::hold_registration(const new_registration& r, const domain::person_fields& p) {
  auto& batch = here().batch;
  batch.active.insert({r.event_id, r.person_id});
  batch.made_unused.erase(r.person_id);
  auto& seats = batch.seats.at(r.event_id).counts;
  if (r.status == domain::registration_status::confirmed) ++seats.confirmed;
  else ++seats.waitlisted;
  held_registration h;
  h.row = {std::to_string(r.event_id), std::to_string(r.person_id), std::string(domain::to_string(r.status)),
           r.ticket_code, r.token_hash, p.name, p.email, p.organisation, p.organisation_type,
           p.municipality, p.country, std::string(r.home ? "1" : "0"), p.gender, join(p.accessibility_needs),
           p.accessibility_note, p.dietary, p.language, std::string("0"), std::to_string(r.now),
           std::to_string(r.id), r.client_network.empty() ? std::nullopt : std::optional(r.client_network)};
  if (r.mail_kind) {
    h.mail_kind = r.mail_kind;
    h.secret = r.manage_token;
  }
  h.id = r.id;
  h.event_id = r.event_id;
  h.now = static_cast<std::int64_t>(r.now);
  batch.held.push_back(std::move(h));
}

// A registration's own INSERT (with its outbox row on PostgreSQL), sent ahead where the connection pipelines: it
// travels with the next job's first read, or the COMMIT. Should it fail, the writer runs the batch again without
// sending ahead, and its job meets the failure here.
void sql_store::insert_registration(connection& c, const new_registration& r, const domain::person_fields& p) {
#define INSERT_REGISTRATION                                                                                      \
  "INSERT INTO registrations(event_id, person_id, status, ticket_code, manage_token_hash, " PERSON_COLUMNS          \
  ", walk_in, created_at, id, client_network) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)"
  static constexpr sql_text insert{INSERT_REGISTRATION};
  // The outbox row's parameters follow the registration's 21.
  static constexpr const char* insert_with_mail =
      "WITH r AS (" INSERT_REGISTRATION " RETURNING id) INSERT INTO mail_outbox(kind, registration_id, event_id, "
      "secret, next_attempt_at, created_at) SELECT ?, r.id, ?, ?, ?, ? FROM r";
#undef INSERT_REGISTRATION
  auto& ins = c.prepare(r.mail_kind ? insert_with_mail : insert.c_str());
  ins.bind(insert.param("id"), r.id);
  ins.bind(insert.param("event_id"), r.event_id);
  ins.bind(insert.param("person_id"), r.person_id);
  ins.bind(insert.param("status"), std::string(domain::to_string(r.status)));
  ins.bind(insert.param("ticket_code"), r.ticket_code);
  ins.bind(insert.param("manage_token_hash"), r.token_hash);
  bind_person(ins, insert.param("name"), p, r.home);
  ins.bind(insert.param("walk_in"), r.walk_in ? 1 : 0);
  ins.bind(insert.param("created_at"), static_cast<std::int64_t>(r.now));
  if (r.client_network.empty())
    ins.bind(insert.param("client_network"));
  else
    ins.bind(insert.param("client_network"), r.client_network);
  if (r.mail_kind) {
    constexpr int after = 21;  // the registration's parameters
    ins.bind(after + 1, r.mail_kind);
    ins.bind(after + 2, r.event_id);
    ins.bind(after + 3, r.manage_token);
    ins.bind(after + 4, static_cast<std::int64_t>(r.now));
    ins.bind(after + 5, static_cast<std::int64_t>(r.now));
  }
  ins.defer();
}

void sql_store::prepare_registrations(connection& c, const std::vector<std::pair<std::int64_t, std::string>>& jobs) {
  auto& b = here().batch;
  b = registration_batch{};
  if (!c.deferring() || jobs.empty()) return;  // not sending ahead: each registration reads for itself
  std::vector<std::optional<std::string>> emails, events, event_ids;
  for (const auto& [event_id, email] : jobs) {
    emails.emplace_back(email);
    events.emplace_back(std::to_string(event_id));
    if (std::find(event_ids.begin(), event_ids.end(), events.back()) == event_ids.end()) event_ids.push_back(events.back());
  }
  // Three queries sent together, one round trip (statement::prefetch), each read after.
  // The events' seat facts: their rows are locked by this transaction (writer::lock_rows), so nobody else changes them.
  auto& f = c.prepare("SELECT " SEAT_COLUMNS ", id FROM events WHERE id = ANY(CAST(? AS BIGINT[]))");
  // The persons (made on first sight, as pg_registration_facts does) and whether they hold a registration already.
  auto& q = c.prepare(
      "WITH input(email, event_id) AS (SELECT * FROM unnest(CAST(?1 AS TEXT[]), CAST(?2 AS BIGINT[]))), "
      "p AS (INSERT INTO persons(email) SELECT DISTINCT email FROM input ORDER BY email "
      "ON CONFLICT(email) DO UPDATE SET email = excluded.email RETURNING id, email, xmax = 0 AS made) "
      "SELECT p.email, p.id, i.event_id, CASE WHEN a.found IS NULL THEN 0 ELSE 1 END, p.made FROM input i JOIN p ON p.email = i.email "
      // A lateral probe of the index per pair: as EXISTS, the planner hashed the whole table for each batch.
      "LEFT JOIN LATERAL (SELECT 1 AS found FROM registrations r WHERE r.event_id = i.event_id AND r.person_id = p.id "
      "AND r.status <> 'cancelled' LIMIT 1) a ON true");
  // Ids drawn now, under the events' locks: they follow the order of the decisions across nodes.
  auto& n = c.prepare("SELECT nextval(pg_get_serial_sequence('registrations', 'id')) FROM generate_series(1, ?)");
  f.bind(1, postgres_array(event_ids));
  f.prefetch();
  q.bind(1, postgres_array(emails));
  q.bind(2, postgres_array(events));
  q.prefetch();
  n.bind(1, static_cast<std::int64_t>(jobs.size()));
  n.prefetch();
  while (f.executeStep()) {
    const id_t id = f.getColumn(6).getInt64();
    b.seats.emplace(id, read_seat_facts(f, id));
  }
  f.reset();
  while (q.executeStep()) {
    const id_t person = q.getColumn(1).getInt64();
    b.persons.emplace(q.getColumn(0).getString(), person);
    if (q.getColumn(3).getInt64() != 0) b.active.insert({q.getColumn(2).getInt64(), person});
    if (q.getColumn(4).getInt64() != 0) b.made_unused.insert(person);  // inserted now (xmax 0), not found
  }
  q.reset();
  while (n.executeStep()) b.ids.push_back(n.getColumn(0).getInt64());
  n.reset();
  std::sort(b.ids.begin(), b.ids.end());
  b.ready = true;
}

void sql_store::send_held_registrations(connection& c, bool read_now) {
  auto& sql = here().batch.sql;
  if (sql && sql->jobs > 0 && !sql->sent) {
    auto& q = c.prepare(sql_registration_sql);
    for (std::size_t i = 0; i < sql_inputs; ++i) q.bind(static_cast<int>(i) + 1, postgres_array(sql->columns[i]));
    q.bind(18, ticket_key_);
    q.bind(19, cfg_.mail != "off" ? 1 : 0);
    q.bind(20, node_id_);
    q.bind(21, std::to_string(static_cast<int>(change::kind::registered)));
    sql->sent = &q;
    here().batched_sent += sql->jobs;
    if (read_now)
      take_sql_answers(*sql);  // another kind of job follows: the answer now (a round trip); a failure is the batch's
    else
      q.prefetch();  // its rows come with the COMMIT's answer: read_sql_registrations
  }
  auto& made = here().batch.made_unused;
  if (!made.empty()) {
    // Made by this transaction for registrations that were refused: nothing else refers to them yet.
    std::vector<std::optional<std::string>> ids;
    for (const auto id : made) ids.emplace_back(std::to_string(id));
    made.clear();
    auto& d = c.prepare("DELETE FROM persons WHERE id = ANY(CAST(? AS BIGINT[]))");
    d.bind(1, postgres_array(ids));
    d.defer();
  }
  auto& held = here().batch.held;
  if (held.empty()) return;
  static const std::string insert = unnest_insert("registrations", HELD_COLUMNS, held_types, std::size(held_types));
  auto& r = c.prepare(insert.c_str());
  std::vector<std::optional<std::string>> column;
  for (std::size_t i = 0; i < std::size(held_types); ++i) {
    column.clear();
    for (const auto& h : held) column.push_back(h.row[i]);
    r.bind(static_cast<int>(i) + 1, postgres_array(column));
  }
  r.defer();
  here().batched_sent += held.size();
  static constexpr const char* mail_types[] = {"TEXT", "BIGINT", "BIGINT", "TEXT", "BIGINT", "BIGINT"};
  static const std::string mail = unnest_insert(
      "mail_outbox", "kind, registration_id, event_id, secret, next_attempt_at, created_at", mail_types, std::size(mail_types));
  std::vector<std::optional<std::string>> kinds, ids, events, secrets, times;
  for (const auto& h : held) {
    if (h.mail_kind.empty()) continue;
    kinds.emplace_back(h.mail_kind);
    ids.emplace_back(std::to_string(h.id));
    events.emplace_back(std::to_string(h.event_id));
    secrets.emplace_back(h.secret);
    times.emplace_back(std::to_string(h.now));
  }
  held.clear();
  if (kinds.empty()) return;
  auto& m = c.prepare(mail.c_str());
  m.bind(1, postgres_array(kinds));
  m.bind(2, postgres_array(ids));
  m.bind(3, postgres_array(events));
  m.bind(4, postgres_array(secrets));
  m.bind(5, postgres_array(times));
  m.bind(6, postgres_array(times));
  m.defer();
}

std::optional<domain::registration> sql_store::find_by_manage_token(const std::string& token) {
  auto c = borrow();
  return registration_by_token(*c, token);
}

std::optional<domain::registration> sql_store::get_registration(id_t id) {
  auto c = borrow();
  return registration_by_id(*c, id);
}

std::vector<domain::registration> sql_store::list_registrations(id_t event_id, const std::string& query,
                                                                   std::optional<domain::registration_status> status) {
  auto c = borrow();
#define LIST_SQL(LIKE)                                                                                               \
  "SELECT " REGISTRATION_COLUMNS                                                                                     \
  " FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.event_id = :event_id "             \
  "AND (CAST(:like AS TEXT) IS NULL OR r.name " LIKE " :like ESCAPE '\\' OR r.organisation " LIKE " :like ESCAPE '\\' "            \
  "OR r.email " LIKE " :like ESCAPE '\\' OR r.ticket_code " LIKE " :like ESCAPE '\\') "                              \
  "AND (CAST(:status AS TEXT) IS NULL OR r.status = :status) ORDER BY r.id"
  // SQLite's LIKE ignores the case of ASCII letters; PostgreSQL's ILIKE of every letter.
  auto& q = c->prepare(postgres() ? LIST_SQL("ILIKE") : LIST_SQL("LIKE"));
#undef LIST_SQL
  q.bind(":event_id", event_id);
  bind_opt(q, ":like", query.empty() ? std::nullopt : std::optional<std::string>(like_pattern(query)));
  bind_opt(q, ":status", status ? std::optional<std::string>(std::string(domain::to_string(*status))) : std::nullopt);
  // Waitlist positions without a query per row; a filtered list still needs the true positions.
  std::int64_t position = 0;
  std::vector<domain::registration> rows;
  while (q.executeStep()) rows.push_back(read_registration(q));
  q.reset();
  if (!query.empty()) {
    for (auto& r : rows) load_waitlist_position(*c, r);
  } else {
    for (auto& r : rows)
      if (r.status == domain::registration_status::waitlisted) r.waitlist_position = ++position;
  }
  return rows;
}

registration_page sql_store::list_registrations_page(id_t event_id, const registration_page_query& f) {
  auto c = borrow();
#define PAGE_SQL(LIKE)                                                                                                \
  "SELECT " REGISTRATION_COLUMNS ", r.client_network"                                                                  \
  " FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.event_id = :event_id "              \
  "AND r.id > :after "                                                                                                 \
  "AND (CAST(:like AS TEXT) IS NULL OR r.name " LIKE " :like ESCAPE '\\' OR r.organisation " LIKE " :like ESCAPE '\\' "             \
  "OR r.email " LIKE " :like ESCAPE '\\' OR r.ticket_code " LIKE " :like ESCAPE '\\') "                               \
  "AND (CAST(:status AS TEXT) IS NULL OR r.status = :status) AND (CAST(:network AS TEXT) IS NULL OR r.client_network = :network) "                \
  "AND (CAST(:created_from AS BIGINT) IS NULL OR r.created_at >= :created_from) AND (CAST(:created_to AS BIGINT) IS NULL OR r.created_at < :created_to) " \
  "ORDER BY r.id LIMIT :limit"
  static constexpr sql_text sql{PAGE_SQL("LIKE")};
  static constexpr sql_text sql_pg{PAGE_SQL("ILIKE")};
#undef PAGE_SQL
  auto& q = c->prepare(postgres() ? sql_pg.c_str() : sql.c_str());
  q.bind(":event_id", event_id);
  bind_opt(q, ":like", f.q.empty() ? std::nullopt : std::optional<std::string>(like_pattern(f.q)));
  bind_opt(q, ":status", f.status ? std::optional<std::string>(std::string(domain::to_string(*f.status))) : std::nullopt);
  q.bind(":after", f.after);
  bind_opt(q, ":network", f.network);
  bind_opt(q, ":created_from", f.created_from);
  bind_opt(q, ":created_to", f.created_to);
  q.bind(":limit", f.limit + 1);  // one more tells whether another page follows
  registration_page page;
  while (q.executeStep()) {
    page.items.push_back(read_registration(q));
    const auto network = q.getColumn(sql["client_network"]);
    if (!network.isNull()) page.items.back().client_network = network.getString();
  }
  q.reset();
  if (page.items.size() > static_cast<std::size_t>(f.limit)) {
    page.items.pop_back();
    page.next = page.items.back().id;
  }
  // Waitlist positions: counted once up to the page, then in order, unless a filter leaves gaps between rows.
  const bool contiguous = f.q.empty() && !f.network && !f.created_from && !f.created_to;
  std::optional<std::int64_t> position;
  for (auto& r : page.items) {
    if (r.status != domain::registration_status::waitlisted) continue;
    if (!contiguous || !position) {
      load_waitlist_position(*c, r);
      position = r.waitlist_position;
    } else {
      r.waitlist_position = ++*position;
    }
  }
  return page;
}

void sql_store::cancel_registrations(id_t event_id, std::vector<id_t> ids, callback<bulk_cancel_result> cb) {
  write<bulk_cancel_result>(
      [this, event_id, ids = std::move(ids)](connection& c) {
        bulk_cancel_result out;
        const auto now = static_cast<std::int64_t>(domain::now());
        std::vector<id_t> done;
        for (const auto id : ids) {
          auto& u = c.prepare(
              "UPDATE registrations SET status = 'cancelled', cancelled_at = :now "
              "WHERE id = :id AND event_id = :event_id AND status <> 'cancelled'");
          u.bind(":now", now);
          u.bind(":id", id);
          u.bind(":event_id", event_id);
          if (u.exec() == 0) {
            out.skipped.push_back(id);
          } else {
            done.push_back(id);
            noted(change::kind::cancelled, id, event_id);
            end_meetings_of(c, id, false, false);
          }
        }
        // Once, after the whole set: freed places go to waitlisted people outside it.
        if (!done.empty()) promote(c, event_id);
        for (const auto id : done) out.cancelled.push_back(*registration_by_id(c, id));
        return out;
      },
      std::move(cb), event_id);
}

void sql_store::update_person(std::string token, domain::person_fields p, callback<domain::registration> cb) {
  const bool home = p.municipality && home_.contains(*p.municipality);
  p = domain::normalise_person(std::move(p));
  write<domain::registration>(
      [=, this, p = std::move(p)](connection& c) {
        const auto r = registration_for_link(c, token);
        if (r.erased) fail(errc::conflict, "this registration's personal data has been erased");
        auto& before = c.prepare("SELECT person_id FROM registrations WHERE id = ?");
        before.bind(1, r.id);
        before.executeStep();
        const id_t old_person_id = before.getColumn(0).getInt64();
        before.reset();
        const id_t person_id = person_id_for(c, p.email);
        if (r.status != domain::registration_status::cancelled &&
            holds_active_registration(c, r.event_id, person_id, r.id))
          throw store_error{refused(domain::registration_refusal::duplicate)};
        auto& q = c.prepare("UPDATE registrations SET (" PERSON_COLUMNS ") = (?,?,?,?,?,?,?,?,?,?,?,?), "
                            "person_id = :person_id WHERE id = :id");
        bind_person(q, 1, p, home);  // the list's parameters come first
        q.bind(":person_id", person_id);
        q.bind(":id", r.id);
        q.exec();
        if (person_id != old_person_id) release_person(c, old_person_id);
        noted(change::kind::edited, r.id, r.event_id);
        return *registration_by_id(c, r.id);
      },
      std::move(cb));
}

void sql_store::cancel_by_token(std::string token, callback<domain::registration> cb) {
  write<domain::registration>(
      [this, token](connection& c) {
        const auto r = registration_for_link(c, token);
        return cancel(c, r);
      },
      std::move(cb));
}

void sql_store::cancel_registration(id_t event_id, id_t registration_id, callback<domain::registration> cb) {
  write<domain::registration>(
      [=, this](connection& c) {
        auto r = registration_by_id(c, registration_id);
        if (!r || r->event_id != event_id) fail(errc::not_found, "no such registration for this event");
        return cancel(c, *r);
      },
      std::move(cb), event_id);
}

void sql_store::erase_by_token(std::string token, callback<domain::registration> cb) {
  write<domain::registration>(
      [this, token](connection& c) {
        const auto r = registration_for_link(c, token);
        // An erased registration no longer holds a seat: cancel it first, which promotes the waitlist.
        if (r.status != domain::registration_status::cancelled) cancel(c, r);
        // The person asked: their names in the counselling log go too (first, so their address can go with it).
        erase_counselled(c, r.id);
        erase_personal_data(c, r.id, r.event_id, false, r.created_at);
        if (!r.erased && cfg_.erasure_notices && cfg_.mail != "off") queue_erasure_notice(c, r);
        return *registration_by_id(c, r.id);
      },
      std::move(cb));
}

void sql_store::erase_ended_before(domain::time_point cutoff, callback<std::int64_t> cb) {
  write<std::int64_t>(
      [this, cutoff](connection& c) {
        std::vector<std::pair<id_t, id_t>> ids;  // registration, event
        auto& q = c.prepare(
            "SELECT r.id, r.event_id FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.erased = 0 AND e.ends_at < ?");
        q.bind(1, static_cast<std::int64_t>(cutoff));
        while (q.executeStep()) ids.emplace_back(q.getColumn(0).getInt64(), q.getColumn(1).getInt64());
        q.reset();
        for (const auto& [id, event_id] : ids) erase_personal_data(c, id, event_id, true);
        // Nothing in the outbox outlives the retention rule: the mail log of those events goes too.
        auto& m = c.prepare("DELETE FROM mail_outbox WHERE registration_id IN (SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id "
            "WHERE e.ends_at < ?)");
        m.bind(1, static_cast<std::int64_t>(cutoff));
        m.exec();
        if (erase_support_before(c, domain::stockholm_day(cutoff))) noted(change::kind::support_erased, 0, 0);
        return static_cast<std::int64_t>(ids.size());
      },
      std::move(cb));
}

void sql_store::promote(connection& c, id_t event_id) {
  lock_event_once(c, event_id);
  auto e = event_by_id(c, event_id);
  if (!e) return;
  const auto now = domain::now();
  const std::int64_t seats = domain::seats_to_promote(*e, now);
  if (seats <= 0) return;
  // The earliest arrivals are all domain::promotions can take.
  std::vector<id_t> waitlist;
  auto& q = c.prepare(
      "SELECT id FROM registrations WHERE event_id = :event_id AND status = 'waitlisted' ORDER BY id LIMIT :seats");
  q.bind(":event_id", event_id);
  q.bind(":seats", seats);
  while (q.executeStep()) waitlist.push_back(q.getColumn(0).getInt64());
  q.reset();
  for (const auto id : domain::promotions(*e, std::move(waitlist), now)) {
    auto& u = c.prepare("UPDATE registrations SET status = 'confirmed' WHERE id = ?");
    u.bind(1, id);
    u.exec();
    // The ticket comes with a working private link: only hashes are kept, so the message carries a fresh one (the
    // link of the waitlist mail keeps working too).
    queue_mail(c, "promotion", id, event_id, new_link(c, id, true));
    noted(change::kind::promoted, id, event_id);
  }
}

domain::registration sql_store::cancel(connection& c, const domain::registration& r) {
  if (r.status == domain::registration_status::cancelled) fail(errc::conflict, "the registration is already cancelled");
  auto& q = c.prepare("UPDATE registrations SET status = 'cancelled', cancelled_at = :now WHERE id = :id");
  q.bind(":now", static_cast<std::int64_t>(domain::now()));
  q.bind(":id", r.id);
  q.exec();
  noted(change::kind::cancelled, r.id, r.event_id);
  end_meetings_of(c, r.id, false, false);
  promote(c, r.event_id);
  return *registration_by_id(c, r.id);
}

// Clears what identifies a person, keeps the anonymous facts (event, organisation type, home region, gender,
// check-in, an evaluation answer detached from the registration). The person keeps an anonymous id, so statistics count them once; their address goes when nothing
// else still uses it.
void sql_store::erase_personal_data(connection& c, id_t registration_id, id_t event_id, bool keep_public_profile,
                                    domain::time_point created_at) {
  auto& q = c.prepare(erase_sql());
  q.bind(1, registration_id);
  q.exec();
  auto& p = c.prepare(
      "UPDATE persons SET email = NULL WHERE id = (SELECT person_id FROM registrations WHERE id = ?1) AND NOT EXISTS "
      "(SELECT 1 FROM registrations WHERE person_id = persons.id AND erased = 0) AND NOT EXISTS "
      "(SELECT 1 FROM support_session_persons s WHERE s.person_id = persons.id AND s.name IS NOT NULL)");
  p.bind(1, registration_id);
  p.exec();
  // The stored answers of its scans name the person: blanked, a repeat renders them again without (see scan).
  auto& a = c.prepare("UPDATE scans SET response = '' WHERE registration_id = ? AND response <> ''");
  a.bind(1, registration_id);
  a.exec();
  // Further links sent by mail stop working (the first one still shows the erased registration).
  auto& l = c.prepare("DELETE FROM registration_links WHERE registration_id = ?");
  l.bind(1, registration_id);
  l.exec();
  // Messages not yet sent to the person are not sent; the link one would carry goes.
  auto& m = c.prepare("UPDATE mail_outbox SET state = 'dropped', secret = NULL WHERE registration_id = ? AND state = 'pending'");
  m.bind(1, registration_id);
  m.exec();
  // The evaluation answer stays in the figures, detached: nothing links it back to the registration.
  auto& v = c.prepare("UPDATE evaluations SET registration_id = NULL WHERE registration_id = ?");
  v.bind(1, registration_id);
  v.exec();
  // Its meetings end and its partner profile goes (one its owner listed in the partner database outlives the
  // retention rule, as they chose: it names an organisation, not them).
  end_meetings_of(c, registration_id, true, keep_public_profile);
  change ch{change::kind::erased, registration_id, nullptr, event_id};
  if (!keep_public_profile) ch.erased_created_at = created_at;  // the person asked: the erasure journal names the row
  here().changes_in_job.push_back(std::move(ch));
}

void sql_store::erase_again(std::vector<erasure_entry> entries, callback<std::vector<erasure_entry>> cb) {
  write<std::vector<erasure_entry>>(
      [this, entries](connection& c) {
        std::vector<erasure_entry> known;
        for (const auto& e : entries) {
          auto& q = c.prepare("SELECT erased FROM registrations WHERE id = ? AND event_id = ? AND created_at = ?");
          q.bind(1, e.registration_id);
          q.bind(2, e.event_id);
          q.bind(3, static_cast<std::int64_t>(e.created_at));
          if (!q.executeStep()) {
            q.reset();
            continue;
          }
          const bool erased = q.getColumn(0).getInt() != 0;
          q.reset();
          known.push_back(e);
          if (erased) continue;
          const auto r = registration_by_id(c, e.registration_id);
          if (r->status != domain::registration_status::cancelled) cancel(c, *r);
          erase_counselled(c, r->id);
          erase_personal_data(c, r->id, r->event_id, false, r->created_at);
        }
        return known;
      },
      std::move(cb));
}

// After an e-mail change the old address belongs to no one: it goes like an erased one (erase_personal_data).
void sql_store::release_person(connection& c, id_t person_id) {
  auto& p = c.prepare(
      "UPDATE persons SET email = NULL WHERE id = ?1 AND email IS NOT NULL AND NOT EXISTS "
      "(SELECT 1 FROM registrations WHERE person_id = ?1 AND erased = 0) AND NOT EXISTS "
      "(SELECT 1 FROM support_session_persons s WHERE s.person_id = ?1 AND s.name IS NOT NULL)");
  p.bind(1, person_id);
  p.exec();
}

}  // namespace eventd::store::sql
