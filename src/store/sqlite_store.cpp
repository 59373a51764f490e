// SQLite implementation of the store: reads on a small pool of read-only connections, writes through the writer.
#include "store/store.hpp"

#include "auth/crypto.hpp"
#include "domain/checkin_rules.hpp"
#include "domain/event_rules.hpp"
#include "domain/time.hpp"
#include "store/database.hpp"
#include "store/writer.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <cstdio>
#include <thread>
#include <mutex>
#include <set>
#include <sstream>

namespace eventd::store {
namespace {

using domain::id_t;

struct store_error {
  failure f;
};

[[noreturn]] void fail(errc code, std::string detail, std::map<std::string, std::string> facts = {}) {
  throw store_error{failure{code, std::move(detail), std::move(facts)}};
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ',';
    out += w;
  }
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string w;
  while (std::getline(in, w, ','))
    if (!w.empty()) out.push_back(w);
  return out;
}

std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
void bind_opt(SQLite::Statement& s, int i, const std::optional<std::string>& v) {
  if (v) s.bind(i, *v); else s.bind(i);
}
void bind_opt(SQLite::Statement& s, int i, const std::optional<std::int64_t>& v) {
  if (v) s.bind(i, *v); else s.bind(i);
}

#define EVENT_COLUMNS                                                                                              \
  "id, kind, title, description, starts_at, ends_at, utc_offset_minutes, capacity, focus_area, topic, network, " \
  "organised_by_project, registration_closes_at, language, status, venue_name, venue_address, venue_accessibility, " \
  "created_at, updated_at, confirmed_count, waitlisted_count, walk_in_count, checked_in_count, version"

domain::event read_event(SQLite::Statement& q) {
  domain::event e;
  e.id = q.getColumn(0).getInt64();
  e.kind = q.getColumn(1).getString();
  e.title = q.getColumn(2).getString();
  e.description = q.getColumn(3).getString();
  e.starts_at = q.getColumn(4).getInt64();
  e.ends_at = q.getColumn(5).getInt64();
  e.utc_offset_minutes = q.getColumn(6).getInt();
  e.capacity = opt_int(q.getColumn(7));
  e.focus_area = opt_text(q.getColumn(8));
  e.topic = opt_text(q.getColumn(9));
  e.network = opt_text(q.getColumn(10));
  e.organised_by_project = q.getColumn(11).getInt() != 0;
  e.registration_closes_at = opt_int(q.getColumn(12));
  e.language = q.getColumn(13).getString();
  e.status = domain::event_status_from(q.getColumn(14).getString()).value_or(domain::event_status::draft);
  if (!q.getColumn(15).isNull() || !q.getColumn(16).isNull() || !q.getColumn(17).getString().empty())
    e.place = domain::venue{q.getColumn(15).getString(), q.getColumn(16).getString(), split(q.getColumn(17).getString())};
  e.created_at = q.getColumn(18).getInt64();
  e.updated_at = q.getColumn(19).getInt64();
  e.counts.confirmed = q.getColumn(20).getInt64();
  e.counts.waitlisted = q.getColumn(21).getInt64();
  e.counts.walk_ins = q.getColumn(22).getInt64();
  e.counts.checked_in = q.getColumn(23).getInt64();
  e.version = q.getColumn(24).getInt64();
  e.counts.capacity = e.capacity;
  return e;
}

void bind_event(SQLite::Statement& s, const domain::event& e) {
  s.bind(1, e.kind);
  s.bind(2, e.title);
  s.bind(3, e.description);
  s.bind(4, static_cast<std::int64_t>(e.starts_at));
  s.bind(5, static_cast<std::int64_t>(e.ends_at));
  s.bind(6, e.utc_offset_minutes);
  bind_opt(s, 7, e.capacity);
  bind_opt(s, 8, e.focus_area);
  bind_opt(s, 9, e.topic);
  bind_opt(s, 10, e.network);
  s.bind(11, e.organised_by_project ? 1 : 0);
  bind_opt(s, 12, e.registration_closes_at ? std::optional<std::int64_t>(*e.registration_closes_at) : std::nullopt);
  s.bind(13, e.language);
  s.bind(14, std::string(domain::to_string(e.status)));
  if (e.place) {
    s.bind(15, e.place->name);
    s.bind(16, e.place->address);
    s.bind(17, join(e.place->accessibility));
  } else {
    s.bind(15);
    s.bind(16);
    s.bind(17, std::string());
  }
}

std::optional<domain::event> event_by_id(connection& c, id_t id) {
  auto& q = c.prepare("SELECT " EVENT_COLUMNS " FROM events WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto e = read_event(q);
  q.reset();
  return e;
}

#define REGISTRATION_COLUMNS                                                                                       \
  "r.id, r.event_id, r.status, r.ticket_code, r.name, r.email, r.organisation, r.organisation_type, r.municipality, " \
  "r.country, r.home_region, r.gender, r.accessibility_needs, r.accessibility_note, r.dietary, r.language, "        \
  "r.walk_in, r.erased, r.created_at, r.cancelled_at, c.attended_at, c.forced, c.user_id, c.device, c.received_at"

domain::registration read_registration(SQLite::Statement& q) {
  domain::registration r;
  r.id = q.getColumn(0).getInt64();
  r.event_id = q.getColumn(1).getInt64();
  r.status = domain::registration_status_from(q.getColumn(2).getString()).value_or(domain::registration_status::cancelled);
  r.ticket_code = q.getColumn(3).getString();
  r.person.name = q.getColumn(4).getString();
  r.person.email = q.getColumn(5).getString();
  r.person.organisation = q.getColumn(6).getString();
  r.person.organisation_type = q.getColumn(7).getString();
  r.person.municipality = opt_text(q.getColumn(8));
  r.person.country = opt_text(q.getColumn(9));
  r.home_region = q.getColumn(10).getInt() != 0;
  r.person.gender = q.getColumn(11).getString();
  r.person.accessibility_needs = split(q.getColumn(12).getString());
  r.person.accessibility_note = opt_text(q.getColumn(13));
  r.person.dietary = opt_text(q.getColumn(14));
  r.person.language = q.getColumn(15).getString();
  r.walk_in = q.getColumn(16).getInt() != 0;
  r.erased = q.getColumn(17).getInt() != 0;
  r.created_at = q.getColumn(18).getInt64();
  r.cancelled_at = opt_int(q.getColumn(19));
  r.checked_in_at = opt_int(q.getColumn(20));
  r.checkin_forced = !q.getColumn(21).isNull() && q.getColumn(21).getInt() != 0;
  r.checkin_user_id = opt_int(q.getColumn(22));
  r.checkin_device = q.getColumn(23).isNull() ? std::string() : q.getColumn(23).getString();
  r.checkin_received_at = opt_int(q.getColumn(24));
  return r;
}

void load_waitlist_position(connection& c, domain::registration& r) {
  if (r.status != domain::registration_status::waitlisted) {
    r.waitlist_position.reset();
    return;
  }
  auto& q = c.prepare("SELECT count(*) FROM registrations WHERE event_id = ? AND status = 'waitlisted' AND id <= ?");
  q.bind(1, r.event_id);
  q.bind(2, r.id);
  q.executeStep();
  r.waitlist_position = q.getColumn(0).getInt64();
}

std::optional<domain::registration> registration_by_id(connection& c, id_t id) {
  auto& q = c.prepare("SELECT " REGISTRATION_COLUMNS
                      " FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto r = read_registration(q);
  q.reset();
  load_waitlist_position(c, r);
  return r;
}

// A manage token is "<registration id>-<secret>": the id finds the row by its key, the secret's hash proves the
// holder. No index over token hashes, whose random inserts would cost a page write per registration.
std::optional<domain::registration> registration_by_token(connection& c, const std::string& token) {
  const auto dash = token.find('-');
  if (dash == std::string::npos || dash == 0 || dash > 15) return std::nullopt;
  id_t id = 0;
  for (std::size_t i = 0; i < dash; ++i) {
    if (token[i] < '0' || token[i] > '9') return std::nullopt;
    id = id * 10 + (token[i] - '0');
  }
  auto& q = c.prepare("SELECT manage_token_hash FROM registrations WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  const bool match = auth::equal_constant_time(q.getColumn(0).getString(), auth::sha256_hex(token.substr(dash + 1)));
  q.reset();
  if (!match) return std::nullopt;
  return registration_by_id(c, id);
}

// The person with this (normalised) e-mail address, made on first sight.
id_t person_id_for(connection& c, const std::string& email) {
  auto& q = c.prepare("INSERT INTO persons(email) VALUES (?) ON CONFLICT(email) DO UPDATE SET email = excluded.email RETURNING id");
  q.bind(1, email);
  q.executeStep();
  const id_t id = q.getColumn(0).getInt64();
  q.reset();
  return id;
}

// Binds the twelve personal columns, name .. language, in the order the registrations table has them.
void bind_person(SQLite::Statement& s, int first, const domain::person_fields& p, bool home) {
  auto trimmed = [](const std::optional<std::string>& v) { return v ? std::optional<std::string>(domain::trim(*v)) : std::nullopt; };
  s.bind(first, domain::trim(p.name));
  s.bind(first + 1, domain::normalise_email(p.email));
  s.bind(first + 2, domain::trim(p.organisation));
  s.bind(first + 3, p.organisation_type);
  bind_opt(s, first + 4, trimmed(p.municipality));
  bind_opt(s, first + 5, trimmed(p.country));
  s.bind(first + 6, home ? 1 : 0);
  s.bind(first + 7, p.gender);
  s.bind(first + 8, join(p.accessibility_needs));
  bind_opt(s, first + 9, p.accessibility_note);
  bind_opt(s, first + 10, p.dietary);
  s.bind(first + 11, p.language);
}

// Just what a registration decision needs (not the description or venue): the hot path reads little.
std::optional<domain::event> seat_facts(connection& c, id_t id) {
  auto& q = c.prepare(
      "SELECT status, capacity, registration_closes_at, starts_at, confirmed_count, waitlisted_count FROM events WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  domain::event e;
  e.id = id;
  e.status = domain::event_status_from(q.getColumn(0).getString()).value_or(domain::event_status::draft);
  e.capacity = opt_int(q.getColumn(1));
  e.registration_closes_at = opt_int(q.getColumn(2));
  e.starts_at = q.getColumn(3).getInt64();
  e.counts.confirmed = q.getColumn(4).getInt64();
  e.counts.waitlisted = q.getColumn(5).getInt64();
  e.counts.capacity = e.capacity;
  q.reset();
  return e;
}

// A read transaction on a read connection: every statement inside sees the same snapshot. Ended by end(), or rolled
// back when an exception leaves the scope, so the connection goes back to the pool outside any transaction.
class read_transaction {
public:
  explicit read_transaction(connection& c) : c_(c) { c_.db().exec("BEGIN"); }
  void end() {
    c_.reset_all();
    c_.db().exec("COMMIT");
    open_ = false;
  }
  ~read_transaction() {
    if (!open_) return;
    try {
      c_.reset_all();
      c_.db().exec("ROLLBACK");
    } catch (...) {
    }
  }
  read_transaction(const read_transaction&) = delete;
  read_transaction& operator=(const read_transaction&) = delete;

private:
  connection& c_;
  bool open_ = true;
};


// Confirms waitlisted registrations in arrival order while seats are free.
// Registrations promoted by the job now running on the writer thread; handed to the promotion listener after commit.
thread_local std::vector<id_t> promoted_in_job;
// Registrations whose personal data the running job erased; handed to the erasure listener after commit.
thread_local std::vector<id_t> erased_in_job;

void promote(connection& c, id_t event_id) {
  auto e = event_by_id(c, event_id);
  if (!e) return;
  const std::int64_t free_seats = domain::seats_to_promote(*e, domain::now());
  if (free_seats <= 0) return;
  auto& q = c.prepare(
      "UPDATE registrations SET status = 'confirmed' WHERE id IN (SELECT id FROM registrations WHERE event_id = ? "
      "AND status = 'waitlisted' ORDER BY id LIMIT ?) RETURNING id");
  q.bind(1, event_id);
  q.bind(2, free_seats);
  while (q.executeStep()) promoted_in_job.push_back(q.getColumn(0).getInt64());
}


}  // namespace

class sqlite_store final : public store {
public:
  sqlite_store(const domain::config& cfg, const std::string& ticket_key)
      : tickets_(std::make_unique<auth::ticket_cipher>(ticket_key)),
        cfg_(cfg),
        home_(cfg.home_municipalities),
        path_(cfg.database),
        writer_(cfg.database, cfg.commit_mode == "per_request" ? 1 : cfg.max_batch) {
    writer_.on_commit([this] {
      {
        std::lock_guard lock(checkpoint_mutex_);
        ++commits_since_checkpoint_;
      }
      checkpoint_wake_.notify_one();
    });
    checkpointer_ = std::thread([this] { checkpoint_loop(); });
  }

  ~sqlite_store() override {
    writer_.stop();
    {
      std::lock_guard lock(checkpoint_mutex_);
      stopping_ = true;
    }
    checkpoint_wake_.notify_one();
    checkpointer_.join();
    // Leave a compact database file behind: everything in the WAL goes into the main file.
    try {
      connection c(path_, true);
      c.db().exec("PRAGMA wal_checkpoint(TRUNCATE)");
    } catch (const std::exception& e) {
      std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"final checkpoint failed\",\"error\":\"%s\"}\n", e.what());
    }
  }

  bool ready() override {
    try {
      auto c = borrow();
      return c->db().execAndGet("SELECT count(*) FROM schema_migrations").getInt() > 0;
    } catch (const std::exception&) {
      return false;
    }
  }

  write_stats stats() override { return writer_.stats(); }
  void stop_writes() override { writer_.stop(); }

  // ---- users and sessions
  std::int64_t user_count() override {
    auto c = borrow();
    return c->db().execAndGet("SELECT count(*) FROM users").getInt64();
  }

  std::optional<user_record> find_user(const std::string& email) override {
    auto c = borrow();
    auto& q = c->prepare("SELECT id, email, name, role, password_hash FROM users WHERE email = ?");
    q.bind(1, domain::normalise_email(email));
    if (!q.executeStep()) return std::nullopt;
    user_record u;
    u.user = read_user(q);
    u.password_hash = q.getColumn(4).getString();
    return u;
  }

  std::vector<domain::user> list_users() override {
    auto c = borrow();
    auto& q = c->prepare("SELECT id, email, name, role FROM users ORDER BY id");
    std::vector<domain::user> out;
    while (q.executeStep()) out.push_back(read_user(q));
    return out;
  }

  void create_user(domain::user u, std::string hash, callback<domain::user> cb) override {
    write<domain::user>(
        [u = std::move(u), hash = std::move(hash)](connection& c) mutable {
          u.email = domain::normalise_email(u.email);
          auto& q = c.prepare(
              "INSERT INTO users(email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) "
              "ON CONFLICT(email) DO NOTHING");
          q.bind(1, u.email);
          q.bind(2, u.name);
          q.bind(3, std::string(domain::to_string(u.role)));
          q.bind(4, hash);
          q.bind(5, static_cast<std::int64_t>(domain::now()));
          if (q.exec() == 0) fail(errc::conflict, "a user with this e-mail address exists");
          u.id = c.db().getLastInsertRowid();
          return u;
        },
        std::move(cb));
  }

  std::optional<session_record> find_session(const std::string& token_hash, domain::time_point now) override {
    auto c = borrow();
    auto& q = c->prepare(
        "SELECT u.id, u.email, u.name, u.role, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
        "WHERE s.token_hash = ? AND s.expires_at > ?");
    q.bind(1, token_hash);
    q.bind(2, static_cast<std::int64_t>(now));
    if (!q.executeStep()) return std::nullopt;
    return session_record{read_user(q), q.getColumn(4).getString(), q.getColumn(5).getInt64()};
  }

  void create_session(id_t user_id, std::string token_hash, std::string csrf, domain::time_point expires,
                      callback<bool> cb) override {
    write<bool>(
        [=](connection& c) {
          auto& q = c.prepare("INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
          q.bind(1, token_hash);
          q.bind(2, user_id);
          q.bind(3, csrf);
          q.bind(4, static_cast<std::int64_t>(domain::now()));
          q.bind(5, static_cast<std::int64_t>(expires));
          q.exec();
          // Old sessions go as new ones come, so the table does not grow without end.
          auto& d = c.prepare("DELETE FROM sessions WHERE expires_at <= ?");
          d.bind(1, static_cast<std::int64_t>(domain::now()));
          d.exec();
          return true;
        },
        std::move(cb));
  }

  void delete_session(std::string token_hash, callback<bool> cb) override {
    write<bool>(
        [token_hash](connection& c) {
          auto& q = c.prepare("DELETE FROM sessions WHERE token_hash = ?");
          q.bind(1, token_hash);
          return q.exec() > 0;
        },
        std::move(cb));
  }

  // ---- events
  std::vector<domain::event> list_events(const event_filter& f) override {
    auto c = borrow();
    auto& q = c->prepare("SELECT " EVENT_COLUMNS
                         " FROM events WHERE (?1 IS NULL OR kind = ?1) AND (?2 IS NULL OR ends_at >= ?2) "
                         "AND (?3 IS NULL OR starts_at < ?3) AND (?4 OR status <> 'draft') AND (?5 OR status <> 'cancelled') "
                         "ORDER BY starts_at, id");
    bind_opt(q, 1, f.kind);
    bind_opt(q, 2, f.from ? std::optional<std::int64_t>(*f.from) : std::nullopt);
    bind_opt(q, 3, f.to ? std::optional<std::int64_t>(*f.to) : std::nullopt);
    q.bind(4, f.include_drafts ? 1 : 0);
    q.bind(5, f.include_cancelled ? 1 : 0);
    std::vector<domain::event> out;
    while (q.executeStep()) out.push_back(read_event(q));
    return out;
  }

  std::optional<domain::event> get_event(id_t id) override {
    auto c = borrow();
    return event_by_id(*c, id);
  }

  void create_event(domain::event e, callback<domain::event> cb) override {
    write<domain::event>(
        [e = std::move(e)](connection& c) mutable {
          auto& q = c.prepare(
              "INSERT INTO events(kind, title, description, starts_at, ends_at, utc_offset_minutes, capacity, focus_area, "
              "topic, network, organised_by_project, registration_closes_at, language, status, venue_name, venue_address, "
              "venue_accessibility, created_at, updated_at) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?18,?18)");
          bind_event(q, e);
          q.bind(18, static_cast<std::int64_t>(domain::now()));
          q.exec();
          return *event_by_id(c, c.db().getLastInsertRowid());
        },
        std::move(cb));
  }

  void update_event(id_t id, domain::event_patch patch, domain::version_condition if_match,
                    callback<domain::event> cb) override {
    write<domain::event>(
        [this, id, patch = std::move(patch), if_match = std::move(if_match)](connection& c) {
          // Decided against the row as it is now, inside the write: an earlier read may be out of date.
          auto stored = event_by_id(c, id);
          if (!stored) fail(errc::not_found, "no such event");
          auto d = domain::decide_event_edit(*stored, patch, if_match, cfg_);
          switch (d.refusal) {
            case domain::edit_refusal::none: break;
            case domain::edit_refusal::not_found: fail(errc::not_found, "no such event");
            case domain::edit_refusal::stale:
              throw store_error{failure{errc::precondition_failed, d.detail, {{"reason", "stale"}}, {{"current_version", stored->version}}, {}}};
            case domain::edit_refusal::cancelled: fail(errc::conflict, d.detail, {{"reason", "cancelled"}});
            case domain::edit_refusal::invalid: throw store_error{failure{errc::invalid, d.detail, {}, {}, d.errors}};
            case domain::edit_refusal::capacity_below_confirmed:
              throw store_error{failure{errc::conflict, d.detail, {{"reason", "capacity_below_confirmed"}},
                                        {{"confirmed", stored->counts.confirmed}}, d.errors}};
          }
          auto& q = c.prepare(
              "UPDATE events SET kind=?, title=?, description=?, starts_at=?, ends_at=?, utc_offset_minutes=?, capacity=?, "
              "focus_area=?, topic=?, network=?, organised_by_project=?, registration_closes_at=?, language=?, status=?, "
              "venue_name=?, venue_address=?, venue_accessibility=?, updated_at=?18, version = version + 1 "
              "WHERE id=?19 AND version=?20 AND status <> 'cancelled'");
          bind_event(q, d.updated);
          q.bind(18, static_cast<std::int64_t>(domain::now()));
          q.bind(19, id);
          q.bind(20, stored->version);
          // Only the writer changes rows, and it read this one just now: a miss here would be a bug, not a race.
          if (q.exec() == 0) fail(errc::conflict, "the event changed while it was being saved; try again");
          promote(c, id);
          return *event_by_id(c, id);
        },
        std::move(cb));
  }

  void cancel_event(id_t id, callback<domain::event> cb) override {
    write<domain::event>(
        [id](connection& c) {
          auto& q = c.prepare(
              "UPDATE events SET status = 'cancelled', updated_at = ?, version = version + 1 WHERE id = ? AND status <> 'cancelled'");
          q.bind(1, static_cast<std::int64_t>(domain::now()));
          q.bind(2, id);
          if (q.exec() == 0) {
            if (!event_by_id(c, id)) fail(errc::not_found, "no such event");
            fail(errc::conflict, "the event is already cancelled", {{"reason", "cancelled"}});
          }
          return *event_by_id(c, id);
        },
        std::move(cb));
  }

  needs_report needs(id_t event_id) override {
    auto c = borrow();
    needs_report r;
    auto e = event_by_id(*c, event_id);
    if (e && e->place) r.offered = e->place->accessibility;
    auto& q = c->prepare("SELECT accessibility_needs FROM registrations WHERE event_id = ? AND status <> 'cancelled'");
    q.bind(1, event_id);
    while (q.executeStep())
      for (const auto& need : split(q.getColumn(0).getString())) ++r.requested[need];
    for (const auto& [need, _] : r.requested)
      if (!domain::contains(r.offered, need)) r.uncovered.push_back(need);
    return r;
  }

  // ---- registrations
  void register_person(id_t event_id, domain::person_fields p, bool walk_in, callback<created_registration> cb,
                       std::optional<domain::time_point> attended_at, id_t user_id, std::string client_network) override {
    const bool home = p.municipality && home_.contains(*p.municipality);
    std::string token = auth::random_token(32);
    write<created_registration>(
        [=, this, p = std::move(p), token = std::move(token)](connection& c) mutable {
          auto e = seat_facts(c, event_id);
          if (!e) fail(errc::not_found, "no such event");
          const auto now = domain::now();
          if (e->status == domain::event_status::cancelled) fail(errc::conflict, "the event is cancelled", {{"reason", "cancelled"}});
          if (!walk_in) {
            if (e->status != domain::event_status::published) fail(errc::conflict, "the event is not open for registration", {{"reason", "unpublished"}});
            if (now >= e->closes_at()) fail(errc::conflict, "registration for this event has closed", {{"reason", "closed"}});
          }
          const std::string email = domain::normalise_email(p.email);
          const id_t person_id = person_id_for(c, email);
          auto& dup = c.prepare("SELECT 1 FROM registrations WHERE event_id = ? AND person_id = ? AND status <> 'cancelled'");
          dup.bind(1, event_id);
          dup.bind(2, person_id);
          if (dup.executeStep()) fail(errc::conflict, "this e-mail address is already registered for the event", {{"reason", "duplicate"}});
          dup.reset();
          const bool seat = domain::gets_seat(*e, walk_in);
          created_registration out;
          // Ids are assigned here, in the single writer, so the ticket code can be derived before the insert.
          // The counter lives on the writer thread; an id used by a batch that then failed is simply skipped.
          if (next_registration_id_ == 0) {
            auto& next = c.prepare("SELECT coalesce(max(id), 0) + 1 FROM registrations");
            next.executeStep();
            next_registration_id_ = next.getColumn(0).getInt64();
            next.reset();
          }
          const id_t new_id = next_registration_id_++;
          out.registration.ticket_code = tickets_->encode(static_cast<std::uint64_t>(new_id));
          auto& ins = c.prepare(
              "INSERT INTO registrations(event_id, person_id, status, ticket_code, manage_token_hash, name, email, organisation, "
              "organisation_type, municipality, country, home_region, gender, accessibility_needs, accessibility_note, dietary, "
              "language, walk_in, created_at, id, client_network) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)");
          ins.bind(20, new_id);
          if (client_network.empty()) ins.bind(21); else ins.bind(21, client_network);
          ins.bind(1, event_id);
          ins.bind(2, person_id);
          ins.bind(3, seat ? "confirmed" : "waitlisted");
          ins.bind(4, out.registration.ticket_code);
          ins.bind(5, auth::sha256_hex(token));
          bind_person(ins, 6, p, home);
          ins.bind(18, walk_in ? 1 : 0);
          ins.bind(19, static_cast<std::int64_t>(now));
          ins.exec();
          const id_t id = c.db().getLastInsertRowid();
          out.manage_token = std::to_string(id) + "-" + token;
          // Built from what was just written rather than read back: this is the hot path of the benchmark.
          auto& reg = out.registration;
          reg.id = id;
          reg.event_id = event_id;
          reg.status = seat ? domain::registration_status::confirmed : domain::registration_status::waitlisted;
          if (!seat) reg.waitlist_position = e->counts.waitlisted + 1;
          reg.person = p;
          reg.person.name = domain::trim(p.name);
          reg.person.email = email;
          reg.person.organisation = domain::trim(p.organisation);
          if (reg.person.municipality) reg.person.municipality = domain::trim(*reg.person.municipality);
          if (reg.person.country) reg.person.country = domain::trim(*reg.person.country);
          reg.home_region = home;
          reg.walk_in = walk_in;
          reg.created_at = now;
          if (walk_in) {
            auto& ci = c.prepare(
                "INSERT INTO checkins(registration_id, event_id, attended_at, received_at, user_id, device, forced) VALUES (?,?,?,?,?,?,0)");
            ci.bind(1, id);
            ci.bind(2, event_id);
            ci.bind(3, static_cast<std::int64_t>(attended_at.value_or(now)));
            ci.bind(4, static_cast<std::int64_t>(now));
            if (user_id) ci.bind(5, user_id); else ci.bind(5);
            ci.bind(6, "walk-in");
            ci.exec();
            reg.checked_in_at = attended_at.value_or(now);
          }
          return out;
        },
        std::move(cb));
  }

  std::optional<domain::registration> find_by_manage_token(const std::string& token) override {
    auto c = borrow();
    return registration_by_token(*c, token);
  }

  std::vector<domain::registration> list_registrations(id_t event_id, const std::string& query,
                                                       std::optional<domain::registration_status> status) override {
    auto c = borrow();
    std::string like;
    if (!query.empty()) {
      like = "%";
      for (char ch : query) {
        if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
        like += ch;
      }
      like += '%';
    }
    auto& q = c->prepare("SELECT " REGISTRATION_COLUMNS
                         " FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.event_id = ?1 "
                         "AND (?2 IS NULL OR r.name LIKE ?2 ESCAPE '\\' OR r.organisation LIKE ?2 ESCAPE '\\' "
                         "OR r.email LIKE ?2 ESCAPE '\\' OR r.ticket_code LIKE ?2 ESCAPE '\\') "
                         "AND (?3 IS NULL OR r.status = ?3) ORDER BY r.id");
    q.bind(1, event_id);
    bind_opt(q, 2, like.empty() ? std::nullopt : std::optional<std::string>(like));
    bind_opt(q, 3, status ? std::optional<std::string>(std::string(domain::to_string(*status))) : std::nullopt);
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

  registration_page list_registrations_page(id_t event_id, const registration_page_query& f) override {
    auto c = borrow();
    std::string like;
    if (!f.q.empty()) {
      like = "%";
      for (char ch : f.q) {
        if (ch == '%' || ch == '_' || ch == '\\') like += '\\';
        like += ch;
      }
      like += '%';
    }
    auto& q = c->prepare("SELECT " REGISTRATION_COLUMNS ", r.client_network"
                         " FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.event_id = ?1 "
                         "AND r.id > ?4 "
                         "AND (?2 IS NULL OR r.name LIKE ?2 ESCAPE '\\' OR r.organisation LIKE ?2 ESCAPE '\\' "
                         "OR r.email LIKE ?2 ESCAPE '\\' OR r.ticket_code LIKE ?2 ESCAPE '\\') "
                         "AND (?3 IS NULL OR r.status = ?3) AND (?5 IS NULL OR r.client_network = ?5) "
                         "AND (?6 IS NULL OR r.created_at >= ?6) AND (?7 IS NULL OR r.created_at < ?7) "
                         "ORDER BY r.id LIMIT ?8");
    q.bind(1, event_id);
    bind_opt(q, 2, like.empty() ? std::nullopt : std::optional<std::string>(like));
    bind_opt(q, 3, f.status ? std::optional<std::string>(std::string(domain::to_string(*f.status))) : std::nullopt);
    q.bind(4, f.after);
    bind_opt(q, 5, f.network);
    bind_opt(q, 6, f.created_from ? std::optional<std::int64_t>(*f.created_from) : std::nullopt);
    bind_opt(q, 7, f.created_to ? std::optional<std::int64_t>(*f.created_to) : std::nullopt);
    q.bind(8, f.limit + 1);  // one more tells whether another page follows
    registration_page page;
    while (q.executeStep()) {
      page.items.push_back(read_registration(q));
      if (!q.getColumn(25).isNull()) page.items.back().client_network = q.getColumn(25).getString();
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

  void for_each_participant(const std::function<void(const domain::event&, const domain::registration&)>& row) override {
    auto c = borrow();
    auto& q = c->prepare("SELECT " REGISTRATION_COLUMNS ", e.title, e.kind, e.starts_at, e.status"
                         " FROM registrations r JOIN events e ON e.id = r.event_id"
                         " LEFT JOIN checkins c ON c.registration_id = r.id ORDER BY e.starts_at, e.id, r.id");
    domain::event e;
    while (q.executeStep()) {
      auto r = read_registration(q);
      if (r.event_id != e.id) {
        e = domain::event{};
        e.id = r.event_id;
        e.title = q.getColumn(25).getString();
        e.kind = q.getColumn(26).getString();
        e.starts_at = q.getColumn(27).getInt64();
        e.status = domain::event_status_from(q.getColumn(28).getString()).value_or(domain::event_status::draft);
      }
      row(e, r);
    }
  }

  void cancel_registrations(id_t event_id, std::vector<id_t> ids, callback<bulk_cancel_result> cb) override {
    write<bulk_cancel_result>(
        [event_id, ids = std::move(ids)](connection& c) {
          bulk_cancel_result out;
          const auto now = static_cast<std::int64_t>(domain::now());
          std::vector<id_t> done;
          for (const auto id : ids) {
            auto& u = c.prepare(
                "UPDATE registrations SET status = 'cancelled', cancelled_at = ? WHERE id = ? AND event_id = ? AND status <> 'cancelled'");
            u.bind(1, now);
            u.bind(2, id);
            u.bind(3, event_id);
            if (u.exec() == 0) out.skipped.push_back(id); else done.push_back(id);
          }
          // Once, after the whole set: freed places go to waitlisted people outside it.
          if (!done.empty()) promote(c, event_id);
          for (const auto id : done) out.cancelled.push_back(*registration_by_id(c, id));
          return out;
        },
        std::move(cb));
  }

  void update_person(std::string token, domain::person_fields p, callback<domain::registration> cb) override {
    const bool home = p.municipality && home_.contains(*p.municipality);
    write<domain::registration>(
        [=, p = std::move(p)](connection& c) {
          auto r = registration_by_token(c, token);
          if (!r) fail(errc::not_found, "no registration for this link");
          if (r->erased) fail(errc::conflict, "this registration's personal data has been erased");
          auto& before = c.prepare("SELECT person_id FROM registrations WHERE id = ?");
          before.bind(1, r->id);
          before.executeStep();
          const id_t old_person_id = before.getColumn(0).getInt64();
          before.reset();
          const std::string email = domain::normalise_email(p.email);
          const id_t person_id = person_id_for(c, email);
          if (r->status != domain::registration_status::cancelled) {
            auto& dup = c.prepare("SELECT 1 FROM registrations WHERE event_id = ? AND person_id = ? AND status <> 'cancelled' AND id <> ?");
            dup.bind(1, r->event_id);
            dup.bind(2, person_id);
            dup.bind(3, r->id);
            if (dup.executeStep()) fail(errc::conflict, "this e-mail address is already registered for the event", {{"reason", "duplicate"}});
          }
          auto& q = c.prepare(
              "UPDATE registrations SET person_id=?, name=?, email=?, organisation=?, organisation_type=?, municipality=?, country=?, "
              "home_region=?, gender=?, accessibility_needs=?, accessibility_note=?, dietary=?, language=? WHERE id=?");
          q.bind(1, person_id);
          bind_person(q, 2, p, home);
          q.bind(14, r->id);
          q.exec();
          if (person_id != old_person_id) release_person(c, old_person_id);
          return *registration_by_id(c, r->id);
        },
        std::move(cb));
  }

  void cancel_by_token(std::string token, callback<domain::registration> cb) override {
    write<domain::registration>(
        [token](connection& c) {
          auto r = registration_by_token(c, token);
          if (!r) fail(errc::not_found, "no registration for this link");
          return cancel(c, *r);
        },
        std::move(cb));
  }

  void cancel_registration(id_t event_id, id_t registration_id, callback<domain::registration> cb) override {
    write<domain::registration>(
        [=](connection& c) {
          auto r = registration_by_id(c, registration_id);
          if (!r || r->event_id != event_id) fail(errc::not_found, "no such registration for this event");
          return cancel(c, *r);
        },
        std::move(cb));
  }

  void erase_by_token(std::string token, callback<domain::registration> cb) override {
    write<domain::registration>(
        [token](connection& c) {
          auto r = registration_by_token(c, token);
          if (!r) fail(errc::not_found, "no registration for this link");
          // An erased registration no longer holds a seat: cancel it first, which promotes the waitlist.
          if (r->status != domain::registration_status::cancelled) cancel(c, *r);
          erase_personal_data(c, r->id);
          return *registration_by_id(c, r->id);
        },
        std::move(cb));
  }

  void erase_ended_before(domain::time_point cutoff, callback<std::int64_t> cb) override {
    write<std::int64_t>(
        [cutoff](connection& c) {
          std::vector<id_t> ids;
          auto& q = c.prepare(
              "SELECT r.id FROM registrations r JOIN events e ON e.id = r.event_id WHERE r.erased = 0 AND e.ends_at < ?");
          q.bind(1, static_cast<std::int64_t>(cutoff));
          while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
          q.reset();
          for (const auto id : ids) erase_personal_data(c, id);
          return static_cast<std::int64_t>(ids.size());
        },
        std::move(cb));
  }

  // ---- check-in
  void check_in(checkin_command cmd, scan_renderer render, callback<scan_answer> cb) override {
    write<scan_answer>([this, cmd = std::move(cmd), render = std::move(render)](connection& c) { return scan(c, *tickets_, cmd, render); },
                       std::move(cb));
  }

  void check_in_batch(std::vector<checkin_command> cmds, scan_renderer render, callback<std::vector<scan_answer>> cb) override {
    write<std::vector<scan_answer>>(
        [this, cmds = std::move(cmds), render = std::move(render)](connection& c) {
          std::vector<scan_answer> out;
          for (const auto& cmd : cmds) {
            // Each item alone, as the single call would be: a failing one leaves the others standing.
            c.prepare("SAVEPOINT item").exec();
            try {
              out.push_back(scan(c, *tickets_, cmd, render));
            } catch (const store_error& e) {
              c.reset_all();
              c.prepare("ROLLBACK TO item").exec();
              out.push_back(failure_answer(e.f));
            } catch (const std::exception& e) {
              const nlohmann::json line = {{"level", "error"}, {"msg", "check-in item failed"}, {"error", e.what()}};
              std::fprintf(stderr, "%s\n", line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
              c.reset_all();
              c.prepare("ROLLBACK TO item").exec();
              out.push_back(failure_answer(failure{errc::unavailable, "this scan could not be saved; send it again"}));
            }
            c.prepare("RELEASE item").exec();
          }
          return out;
        },
        std::move(cb));
  }

  void undo_check_in(id_t event_id, id_t registration_id, callback<domain::registration> cb) override {
    write<domain::registration>(
        [=](connection& c) {
          auto& q = c.prepare("DELETE FROM checkins WHERE registration_id = ? AND event_id = ?");
          q.bind(1, registration_id);
          q.bind(2, event_id);
          if (q.exec() == 0) fail(errc::not_found, "this registration is not checked in for this event");
          return *registration_by_id(c, registration_id);
        },
        std::move(cb));
  }

  goal_facts goal_facts_now() override {
    auto c = borrow();
    goal_facts f;
    // One read transaction: the three tables come from one snapshot, so a check-in or a cancellation committed
    // between the statements cannot make the figures disagree with each other.
    read_transaction snapshot(*c);
    auto& e = c->prepare("SELECT id, kind, status, starts_at, focus_area, topic, network, organised_by_project FROM events");
    while (e.executeStep()) {
      domain::goal_event g;
      g.id = e.getColumn(0).getInt64();
      g.kind = e.getColumn(1).getString();
      g.cancelled = e.getColumn(2).getString() == "cancelled";
      g.starts_at = e.getColumn(3).getInt64();
      g.focus_area = opt_text(e.getColumn(4));
      g.topic = opt_text(e.getColumn(5));
      g.network = opt_text(e.getColumn(6));
      g.organised_by_project = e.getColumn(7).getInt() != 0;
      f.events.push_back(std::move(g));
    }
    auto& a = c->prepare(
        "SELECT r.event_id, r.person_id, r.gender, r.organisation_type, r.home_region FROM checkins k "
        "JOIN registrations r ON r.id = k.registration_id ORDER BY k.attended_at, r.id");
    while (a.executeStep())
      f.attendances.push_back({a.getColumn(0).getInt64(), a.getColumn(1).getInt64(), a.getColumn(2).getString(),
                               a.getColumn(3).getString(), a.getColumn(4).getInt() != 0});
    auto& s = c->prepare(
        "SELECT s.id, s.project_idea_key, s.hours, p.person_id FROM support_sessions s "
        "LEFT JOIN support_session_persons p ON p.session_id = s.id ORDER BY s.id");
    id_t last = -1;
    while (s.executeStep()) {
      if (s.getColumn(0).getInt64() != last) {
        last = s.getColumn(0).getInt64();
        f.support.push_back({s.getColumn(1).getString(), s.getColumn(2).getDouble(), {}});
      }
      if (!s.getColumn(3).isNull()) f.support.back().person_ids.push_back(s.getColumn(3).getInt64());
    }
    s.reset();
    snapshot.end();
    return f;
  }

  void on_promotion(std::function<void(std::vector<id_t>)> listener) override { promotion_listener_ = std::move(listener); }
  void on_erasure(std::function<void(std::vector<id_t>)> listener) override { erasure_listener_ = std::move(listener); }

  std::optional<domain::registration> get_registration(id_t id) override {
    auto c = borrow();
    return registration_by_id(*c, id);
  }

  bool empty_of_events() override {
    auto c = borrow();
    return c->db().execAndGet("SELECT count(*) FROM events").getInt64() == 0;
  }

private:
  static domain::user read_user(SQLite::Statement& q) {
    domain::user u;
    u.id = q.getColumn(0).getInt64();
    u.email = q.getColumn(1).getString();
    u.name = q.getColumn(2).getString();
    u.role = domain::role_from(q.getColumn(3).getString()).value_or(domain::role::steering);
    return u;
  }

  static domain::registration cancel(connection& c, const domain::registration& r) {
    if (r.status == domain::registration_status::cancelled) fail(errc::conflict, "the registration is already cancelled");
    auto& q = c.prepare("UPDATE registrations SET status = 'cancelled', cancelled_at = ? WHERE id = ?");
    q.bind(1, static_cast<std::int64_t>(domain::now()));
    q.bind(2, r.id);
    q.exec();
    promote(c, r.event_id);
    return *registration_by_id(c, r.id);
  }

  // Clears what identifies a person, keeps the anonymous facts (event, organisation type, home region, gender,
  // check-in). The person keeps an anonymous id, so statistics count them once; their address goes when nothing
  // else still uses it.
  static void erase_personal_data(connection& c, id_t registration_id) {
    auto& q = c.prepare(
        "UPDATE registrations SET name = NULL, email = NULL, organisation = NULL, municipality = NULL, country = NULL, "
        "accessibility_needs = '', accessibility_note = NULL, dietary = NULL, client_network = NULL, erased = 1 WHERE id = ?");
    q.bind(1, registration_id);
    q.exec();
    auto& p = c.prepare(
        "UPDATE persons SET email = NULL WHERE id = (SELECT person_id FROM registrations WHERE id = ?1) AND NOT EXISTS "
        "(SELECT 1 FROM registrations WHERE person_id = persons.id AND erased = 0) AND NOT EXISTS "
        "(SELECT 1 FROM support_session_persons s WHERE s.person_id = persons.id)");
    p.bind(1, registration_id);
    p.exec();
    // The stored answers of its scans name the person: blanked, a repeat renders them again without (see scan).
    auto& a = c.prepare("UPDATE scans SET response = '' WHERE registration_id = ? AND response <> ''");
    a.bind(1, registration_id);
    a.exec();
    erased_in_job.push_back(registration_id);
  }

  // After an e-mail change the old address belongs to no one: it goes like an erased one (erase_personal_data).
  static void release_person(connection& c, id_t person_id) {
    auto& p = c.prepare(
        "UPDATE persons SET email = NULL WHERE id = ?1 AND email IS NOT NULL AND NOT EXISTS "
        "(SELECT 1 FROM registrations WHERE person_id = ?1 AND erased = 0) AND NOT EXISTS "
        "(SELECT 1 FROM support_session_persons s WHERE s.person_id = ?1)");
    p.bind(1, person_id);
    p.exec();
  }

  static scan_answer scan(connection& c, const auth::ticket_cipher& tickets, const checkin_command& cmd,
                          const scan_renderer& render) {
    // The registration the scan names: by id, or the one its code decodes to (found or not).
    std::optional<id_t> named = cmd.registration_id;
    if (!named && cmd.ticket_code) {
      if (auto id = tickets.decode(domain::normalise_ticket_code(*cmd.ticket_code))) named = static_cast<id_t>(*id);
    }
    const domain::scan_request request{cmd.event_id, domain::scan_subject(named, cmd.ticket_code.value_or(""))};
    if (cmd.scan_id) {
      auto& seen = c.prepare("SELECT status, response, event_id, subject, registration_id, result FROM scans WHERE scan_id = ?");
      seen.bind(1, *cmd.scan_id);
      if (seen.executeStep()) {
        std::optional<domain::scan_request> first_request;
        if (!seen.getColumn(2).isNull())
          first_request = domain::scan_request{seen.getColumn(2).getInt64(), seen.getColumn(3).getString()};
        if (!domain::same_scan_request(first_request, request)) {
          // The key belongs to another request: refuse, change nothing, and keep the key tied to its first request.
          checkin_outcome reused;
          reused.result = checkin_result::scan_id_reused;
          return render(reused);
        }
        scan_answer first{seen.getColumn(0).getInt(), seen.getColumn(1).getString()};
        if (!first.body.empty() || seen.getColumn(4).isNull()) return first;
        // Blanked by an erasure: the same answer again, rendered from the registration as it is now (erased).
        checkin_outcome again;
        again.result = result_from_text(seen.getColumn(5).isNull() ? "" : seen.getColumn(5).getString());
        const id_t registration_id = seen.getColumn(4).getInt64();
        seen.reset();
        again.registration = registration_by_id(c, registration_id);
        if (!again.registration) again.result = checkin_result::unknown;
        first.body = render(again).body;
        return first;
      }
    }
    checkin_outcome o;
    std::optional<domain::registration> r;
    if (named) r = registration_by_id(c, *named);
    if (r && r->event_id != cmd.event_id) {
      o.other_event_id = r->event_id;
      r.reset();
    }
    const auto now = domain::now();
    if (!r) {
      o.result = checkin_result::unknown;
    } else {
      bool another = false;
      if (cmd.force && r->status == domain::registration_status::cancelled) {
        auto& other = c.prepare(
            "SELECT o.id FROM registrations o JOIN registrations r ON r.id = ?1 WHERE o.event_id = r.event_id "
            "AND o.person_id = r.person_id AND o.status <> 'cancelled' AND o.id <> r.id LIMIT 1");
        other.bind(1, r->id);
        if (other.executeStep()) {
          another = true;
          o.active_registration_id = other.getColumn(0).getInt64();
        }
        other.reset();
      }
      const auto d = domain::decide_admission(*r, cmd.force, another);
      if (d.result == domain::admission::already_checked_in) {
        o.result = checkin_result::already_checked_in;
      } else if (d.result == domain::admission::not_admissible) {
        o.result = checkin_result::not_admissible;
      } else {
        if (d.confirms) {
          // In the room, so holding a place: the counts follow the status (triggers), beyond capacity if need be.
          auto& u = c.prepare("UPDATE registrations SET status = 'confirmed', cancelled_at = NULL WHERE id = ?");
          u.bind(1, r->id);
          u.exec();
        }
        auto& ins = c.prepare(
            "INSERT INTO checkins(registration_id, event_id, attended_at, received_at, user_id, device, forced) VALUES (?,?,?,?,?,?,?)");
        ins.bind(1, r->id);
        ins.bind(2, cmd.event_id);
        ins.bind(3, static_cast<std::int64_t>(cmd.attended_at.value_or(now)));
        ins.bind(4, static_cast<std::int64_t>(now));
        if (cmd.user_id) ins.bind(5, cmd.user_id); else ins.bind(5);
        ins.bind(6, cmd.device);
        ins.bind(7, d.forced ? 1 : 0);
        ins.exec();
        o.result = checkin_result::checked_in;
        // What was just written, without reading it back.
        r->checked_in_at = cmd.attended_at.value_or(now);
        r->checkin_forced = d.forced;
        if (d.confirms) {
          r->status = domain::registration_status::confirmed;
          r->waitlist_position.reset();
          r->cancelled_at.reset();
        }
      }
    }
    o.registration = std::move(r);
    scan_answer answer = render(o);
    if (cmd.scan_id) {
      auto& s = c.prepare(
          "INSERT INTO scans(scan_id, status, response, created_at, event_id, subject, registration_id, result) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
      s.bind(1, *cmd.scan_id);
      s.bind(2, answer.status);
      s.bind(3, answer.body);
      s.bind(4, static_cast<std::int64_t>(now));
      s.bind(5, request.event_id);
      s.bind(6, request.subject);
      // Which registration the answer speaks of, so its erasure can reach this copy too.
      if (o.registration) s.bind(7, o.registration->id); else s.bind(7);
      s.bind(8, std::string(result_text(o.result)));
      s.exec();
    }
    return answer;
  }

  template <class T, class F>
  void write(F fn, callback<T> cb) {
    // Made before the job takes `cb`: answers the caller when the job cannot be saved at all.
    refusal refuse = [cb] { cb(outcome<T>(failure{errc::unavailable, "the database is busy; nothing was saved, please try again"})); };
    writer_.submit([this, fn = std::move(fn), cb = std::move(cb)](connection& c) mutable -> job_result {
      promoted_in_job.clear();
      erased_in_job.clear();
      try {
        auto value = std::make_shared<T>(fn(c));
        return {true, [this, cb, value, promoted = std::move(promoted_in_job), erased = std::move(erased_in_job)](bool committed) {
                  if (committed && !promoted.empty() && promotion_listener_) promotion_listener_(promoted);
                  // Before the caller hears of it: copies outside the database are gone by the time anyone looks.
                  if (committed && !erased.empty()) after_erasure(erased);
                  if (committed)
                    cb(outcome<T>(std::move(*value)));
                  else
                    cb(outcome<T>(failure{errc::unavailable, "the database could not commit this change; nothing was saved"}));
                }};
      } catch (const store_error& e) {
        return {false, [cb, f = e.f](bool) { cb(outcome<T>(f)); }};
      } catch (const std::exception& e) {
        std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"write failed\",\"error\":\"%s\"}\n", e.what());
        return {false, [cb](bool) { cb(outcome<T>(failure{errc::unavailable, "the database failed; nothing was saved"})); }};
      }
    }, std::move(refuse));
  }

  // A read connection from the pool, returned when the handle goes.
  struct lease {
    sqlite_store* owner;
    std::unique_ptr<connection> conn;
    connection* operator->() { return conn.get(); }
    connection& operator*() { return *conn; }
    ~lease() {
      if (conn) {
        conn->reset_all();
        std::lock_guard lock(owner->pool_mutex_);
        owner->pool_.push_back(std::move(conn));
      }
    }
  };

  lease borrow() {
    {
      std::lock_guard lock(pool_mutex_);
      if (!pool_.empty()) {
        auto c = std::move(pool_.back());
        pool_.pop_back();
        return lease{this, std::move(c)};
      }
    }
    return lease{this, std::make_unique<connection>(path_, false)};
  }

  std::unique_ptr<auth::ticket_cipher> tickets_;
  id_t next_registration_id_ = 0;  // touched on the writer thread only
  std::function<void(std::vector<id_t>)> promotion_listener_;
  std::function<void(std::vector<id_t>)> erasure_listener_;

  // Erased data still sits in old WAL frames: the checkpointer folds the WAL in and truncates it to nothing.
  void after_erasure(const std::vector<id_t>& ids) {
    if (erasure_listener_) erasure_listener_(ids);
    {
      std::lock_guard lock(checkpoint_mutex_);
      truncate_wanted_ = true;
    }
    checkpoint_wake_.notify_one();
  }
  domain::config cfg_;
  domain::home_region home_;
  std::string path_;
  writer writer_;
  // Checkpoints copy the WAL into the database file and sync it. They run here, beside the writer, instead of
  // inside some commit that crosses SQLite's auto-checkpoint threshold and would make its whole batch wait.
  // A PASSIVE checkpoint never waits, but it cannot shrink the WAL, nor restart it while readers use it: under a
  // steady burst the file grows without end. So when it passes cfg_.wal_limit_bytes, or when an erasure left old
  // frames behind, a TRUNCATE checkpoint empties it. That one holds new writers back while it waits for readers,
  // so it waits briefly (checkpoint_busy_ms) and tries again on a later round rather than stall commits.
  void checkpoint_loop() {
    std::unique_ptr<connection> c;
    std::unique_lock lock(checkpoint_mutex_);
    for (;;) {
      checkpoint_wake_.wait_for(lock, std::chrono::milliseconds(500),
                                [&] { return stopping_ || truncate_wanted_ || commits_since_checkpoint_ >= 64; });
      if (stopping_) return;
      if (commits_since_checkpoint_ == 0 && !truncate_wanted_) continue;
      commits_since_checkpoint_ = 0;
      bool truncate = truncate_wanted_;
      truncate_wanted_ = false;
      lock.unlock();
      try {
        if (!c) {
          c = std::make_unique<connection>(path_, true);
          c->db().setBusyTimeout(checkpoint_busy_ms);
        }
        if (!truncate) {
          c->db().exec("PRAGMA wal_checkpoint(PASSIVE)");
          std::error_code ec;
          const auto size = std::filesystem::file_size(path_ + "-wal", ec);
          truncate = !ec && size > cfg_.wal_limit_bytes;
        }
        if (truncate) {
          // The first column is 1 when readers or a writer kept it from finishing: try again later.
          SQLite::Statement q(c->db(), "PRAGMA wal_checkpoint(TRUNCATE)");
          if (q.executeStep() && q.getColumn(0).getInt() == 0) truncate = false;
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "{\"level\":\"warn\",\"msg\":\"checkpoint failed\",\"error\":\"%s\"}\n", e.what());
      }
      lock.lock();
      if (truncate) {
        // Kept from finishing by readers or a writer: again a second later, not at once, so writers are not
        // held back over and over.
        truncate_wanted_ = true;
        checkpoint_wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
      }
    }
  }
  static constexpr int checkpoint_busy_ms = 200;

  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  std::uint64_t commits_since_checkpoint_ = 0;
  bool truncate_wanted_ = false;
  bool stopping_ = false;
  std::thread checkpointer_;
  std::mutex pool_mutex_;
  std::vector<std::unique_ptr<connection>> pool_;
};

std::unique_ptr<store> make_sqlite_store(const domain::config& cfg) {
  migrate(cfg.database);
  std::string key;
  {
    connection c(cfg.database, true);
    auto& ins = c.prepare("INSERT OR IGNORE INTO settings(key, value) VALUES ('ticket_key', ?)");
    ins.bind(1, auth::ticket_cipher::new_key_hex());
    ins.exec();
    key = c.db().execAndGet("SELECT value FROM settings WHERE key = 'ticket_key'").getString();
  }
  return std::make_unique<sqlite_store>(cfg, key);
}

scan_answer failure_answer(const failure& f) {
  // Only reached when an item broke unexpectedly; the api renders ordinary answers. The detail may hold any text.
  const int status = f.code == errc::not_found ? 404 : 503;
  const nlohmann::json body = {{"type", "about:blank"}, {"title", "Check-in failed"}, {"status", status}, {"detail", f.detail}};
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace eventd::store
