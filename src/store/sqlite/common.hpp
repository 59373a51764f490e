// Shared by the SQLite store's use-case files: failures, optional values, the row readers and read transactions.
#pragma once

#include "store/database.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace eventd::store::sqlite {

using domain::id_t;

// Thrown inside a write job: the job's savepoint rolls back and its caller hears the failure.
struct store_error {
  failure f;
};

[[noreturn]] void fail(errc code, std::string detail, std::map<std::string, std::string> facts = {});

// Comma-separated lists (accessibility needs) as stored.
std::string join(const std::vector<std::string>& words);
std::vector<std::string> split(const std::string& s);

inline std::optional<std::string> opt_text(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
inline std::optional<std::int64_t> opt_int(const SQLite::Column& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
inline void bind_opt(SQLite::Statement& s, int i, const std::optional<std::string>& v) {
  if (v) s.bind(i, *v); else s.bind(i);
}
inline void bind_opt(SQLite::Statement& s, int i, const std::optional<std::int64_t>& v) {
  if (v) s.bind(i, *v); else s.bind(i);
}

#define EVENT_COLUMNS                                                                                              \
  "id, kind, title, description, starts_at, ends_at, utc_offset_minutes, capacity, focus_area, topic, network, " \
  "organised_by_project, registration_closes_at, language, status, venue_name, venue_address, venue_accessibility, " \
  "created_at, updated_at, confirmed_count, waitlisted_count, walk_in_count, checked_in_count, version"

domain::event read_event(SQLite::Statement& q);
void bind_event(SQLite::Statement& s, const domain::event& e);
std::optional<domain::event> event_by_id(connection& c, id_t id);

#define REGISTRATION_COLUMNS                                                                                       \
  "r.id, r.event_id, r.status, r.ticket_code, r.name, r.email, r.organisation, r.organisation_type, r.municipality, " \
  "r.country, r.home_region, r.gender, r.accessibility_needs, r.accessibility_note, r.dietary, r.language, "        \
  "r.walk_in, r.erased, r.created_at, r.cancelled_at, c.attended_at, c.forced, c.user_id, c.device, c.received_at"

domain::registration read_registration(SQLite::Statement& q);
void load_waitlist_position(connection& c, domain::registration& r);
std::optional<domain::registration> registration_by_id(connection& c, id_t id);

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

}  // namespace eventd::store::sqlite
