// Shared by the SQLite store's use-case files: failures, optional values, the row readers and read transactions.
#pragma once

#include "store/database.hpp"
#include "store/store.hpp"

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace eventd::store::sql {

using domain::id_t;

// Thrown inside a write job: the job's savepoint rolls back and its caller hears the failure.
struct store_error {
  failure f;
};

[[noreturn]] void fail(errc code, std::string detail, std::map<std::string, std::string> facts = {});

// Comma-separated lists (accessibility needs) as stored.
std::string join(const std::vector<std::string>& words);
std::vector<std::string> split(const std::string& s);

inline std::optional<std::string> opt_text(const column_value& c) {
  if (c.isNull()) return std::nullopt;
  return c.getString();
}
inline std::optional<std::int64_t> opt_int(const column_value& c) {
  if (c.isNull()) return std::nullopt;
  return c.getInt64();
}
// NULL when empty; `at` is a parameter's number or its name (":kind").
template <class At>
void bind_opt(statement& s, At at, const std::optional<std::string>& v) {
  if (v) s.bind(at, *v); else s.bind(at);
}
template <class At>
void bind_opt(statement& s, At at, const std::optional<std::int64_t>& v) {
  if (v) s.bind(at, *v); else s.bind(at);
}

// SQL text whose columns are found by name at compile time: the result columns of a SELECT, the columns of an INSERT
// (its VALUES give the parameters in the same order), or a bare column list shared by several statements. Readers
// and binders name a column and the text alone decides its position: no magic numbers, and no lookup at run time
// (the hot paths bind and read by position). "r.name" answers to "name" too; a name missing from the list, or
// found twice, does not compile. Statements with few parameters on cold paths use named ones (":id") instead.
class sql_text {
public:
  consteval explicit sql_text(const char* text) : text_(text), list_(list_in(text)) {}
  // For connection::prepare, which keeps statements by the address of their text.
  const char* c_str() const { return text_; }
  // The 0-based result column of `name`.
  consteval int operator[](std::string_view name) const {
    int found = -1, index = 0, depth = 0;
    std::size_t start = 0;
    for (std::size_t i = 0; i <= list_.size(); ++i) {
      const char ch = i < list_.size() ? list_[i] : ',';
      if (ch == '(') {
        ++depth;
      } else if (ch == ')') {
        --depth;
      } else if (ch == ',' && depth == 0) {
        if (names(list_.substr(start, i - start), name)) {
          if (found >= 0) throw "two columns answer to this name: qualify it";
          found = index;
        }
        ++index;
        start = i + 1;
      }
    }
    if (found < 0) throw "no column of this name in the list";
    return found;
  }
  // The 1-based parameter of `name`, when a statement binds the list's columns in order from its first parameter.
  consteval int param(std::string_view name) const { return (*this)[name] + 1; }

private:
  static consteval bool names(std::string_view entry, std::string_view name) {
    while (!entry.empty() && entry.front() == ' ') entry.remove_prefix(1);
    while (!entry.empty() && entry.back() == ' ') entry.remove_suffix(1);
    if (entry == name) return true;
    const auto dot = entry.find('.');
    return dot != std::string_view::npos && name.find('.') == std::string_view::npos && entry.substr(dot + 1) == name;
  }
  static consteval std::string_view list_in(std::string_view sql) {
    if (sql.starts_with("SELECT ")) return sql.substr(7, sql.find(" FROM ") - 7);
    if (sql.starts_with("INSERT INTO ")) {
      const auto open = sql.find('(');
      return sql.substr(open + 1, sql.find(')', open) - open - 1);
    }
    return sql;
  }

  const char* text_;
  std::string_view list_;
};

// The fields of an event that its creator and editors set, bound by bind_event as the statement's first parameters.
#define EVENT_FIELDS                                                                                               \
  "kind, title, description, starts_at, ends_at, utc_offset_minutes, capacity, focus_area, topic, network, "       \
  "organised_by_project, registration_closes_at, language, status, venue_name, venue_address, venue_accessibility, " \
  "evaluation_closes_at"
inline constexpr sql_text event_fields{EVENT_FIELDS};

// An event row as read_event reads it.
#define EVENT_COLUMNS                                                                                              \
  "id, " EVENT_FIELDS ", created_at, updated_at, confirmed_count, waitlisted_count, walk_in_count, checked_in_count, " \
  "version"
inline constexpr sql_text event_columns{EVENT_COLUMNS};

domain::event read_event(statement& q);
void bind_event(statement& s, const domain::event& e);
std::optional<domain::event> event_by_id(connection& c, id_t id);
// With several writers (PostgreSQL, several nodes): locks the event's row until the transaction ends, so that a
// decision on its seats, its settings or its forum's meetings is made on what no other node is changing. Every job
// that decides so takes it first. Nothing on SQLite (one writer).
void lock_event(connection& c, id_t id);

// A registration with its check-in (registrations r LEFT JOIN checkins c), as read_registration reads it.
#define REGISTRATION_COLUMNS                                                                                       \
  "r.id, r.event_id, r.status, r.ticket_code, r.name, r.email, r.organisation, r.organisation_type, r.municipality, " \
  "r.country, r.home_region, r.gender, r.accessibility_needs, r.accessibility_note, r.dietary, r.language, "        \
  "r.walk_in, r.erased, r.created_at, r.cancelled_at, c.attended_at, c.forced, c.user_id, c.device, c.received_at, "   \
  "r.person_id"
inline constexpr sql_text registration_columns{REGISTRATION_COLUMNS};

domain::registration read_registration(statement& q);
void load_waitlist_position(connection& c, domain::registration& r);
std::optional<domain::registration> registration_by_id(connection& c, id_t id);

// The person with this (normalised) e-mail address, made on first sight (registrations and counselling share them).
id_t person_id_for(connection& c, const std::string& email);

// The attendance of a registration (at the door, a walk-in, or recorded afterwards). user_id 0: no user.
void insert_checkin(connection& c, id_t registration_id, id_t event_id, domain::time_point attended_at,
                    domain::time_point received_at, id_t user_id, const std::string& device, bool forced);

// A read transaction on a read connection: every statement inside sees the same snapshot. Ended by end(), or rolled
// back when an exception leaves the scope, so the connection goes back to the pool outside any transaction.
// PostgreSQL's default (READ COMMITTED) gives each statement a snapshot of its own: there it is REPEATABLE READ,
// which a read-only transaction gets without any risk of a serialization failure.
class read_transaction {
public:
  explicit read_transaction(connection& c) : c_(c) {
    c_.execute(c_.shared_writers() ? "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY" : "BEGIN");
  }
  void end() {
    c_.reset_all();
    c_.execute("COMMIT");
    open_ = false;
  }
  ~read_transaction() {
    if (!open_) return;
    try {
      c_.reset_all();
      c_.execute("ROLLBACK");
    } catch (...) {
    }
  }
  read_transaction(const read_transaction&) = delete;
  read_transaction& operator=(const read_transaction&) = delete;

private:
  connection& c_;
  bool open_ = true;
};

// The registration a participant's private link names (shared by registrations and evaluations), or nothing.
std::optional<domain::registration> registration_by_token(connection& c, const std::string& token);
// The same, or not_found: the same answer for a wrong secret and a missing row.
domain::registration registration_for_link(connection& c, const std::string& token);

// The one row a statement with one id parameter finds, read by `read`, or nothing.
template <class Read>
auto one_row(connection& c, const sql_text& sql, id_t id, Read read)
    -> std::optional<decltype(read(std::declval<statement&>()))> {
  auto& q = c.prepare(sql.c_str());
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto row = read(q);
  q.reset();
  return row;
}

}  // namespace eventd::store::sql
