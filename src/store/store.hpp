// The storage interface: the domain's own operations. SQLite implements it (sqlite_store); others may follow.
#pragma once

#include "domain/config.hpp"
#include "domain/goals.hpp"
#include "domain/types.hpp"
#include "domain/validation.hpp"

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace eventd::store {

enum class errc { not_found, conflict, unavailable };

struct failure {
  errc code = errc::unavailable;
  std::string detail;
  // Extra machine-readable facts for the problem document (e.g. "registration_status").
  std::map<std::string, std::string> facts;
};

// A value or the reason there is none.
template <class T>
class outcome {
public:
  outcome(T v) : v_(std::move(v)) {}
  outcome(failure f) : v_(std::move(f)) {}
  bool ok() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  const failure& error() const { return std::get<1>(v_); }

private:
  std::variant<T, failure> v_;
};

template <class T>
using callback = std::function<void(outcome<T>)>;

struct event_filter {
  std::optional<std::string> kind;
  std::optional<domain::time_point> from;  // events ending at or after
  std::optional<domain::time_point> to;    // events starting before
  bool include_drafts = false;
  bool include_cancelled = true;
};

struct created_registration {
  domain::registration registration;
  std::string manage_token;  // returned once, to the participant; only its hash is stored
};

struct user_record {
  domain::user user;
  std::string password_hash;
};

struct session_record {
  domain::user user;
  std::string csrf_token;
  domain::time_point expires_at = 0;
};

struct checkin_command {
  domain::id_t event_id = 0;
  std::optional<std::string> ticket_code;
  std::optional<domain::id_t> registration_id;
  std::optional<std::string> scan_id;
  std::optional<domain::time_point> attended_at;
  bool force = false;
  domain::id_t user_id = 0;
  std::string device;
};

enum class checkin_result { checked_in, already_checked_in, unknown, not_admissible };

struct checkin_outcome {
  checkin_result result = checkin_result::unknown;
  std::optional<domain::registration> registration;
  std::optional<domain::id_t> other_event_id;  // the ticket exists, but for another event
};

// The answer to one scan, as the client saw it: kept per scan_id so a repeat returns it unchanged.
struct scan_answer {
  int status = 0;
  std::string body;
};
using scan_renderer = std::function<scan_answer(const checkin_outcome&)>;
// The problem answer (404 or 503) for a batch item that broke; `f.detail` is escaped as a JSON string.
scan_answer failure_answer(const failure& f);

struct needs_report {
  std::vector<std::string> offered;
  std::map<std::string, std::int64_t> requested;
  std::vector<std::string> uncovered;
};

struct goal_facts {
  std::vector<domain::goal_event> events;
  std::vector<domain::goal_attendance> attendances;
  std::vector<domain::goal_support_session> support;
};

struct write_stats {
  std::uint64_t batches = 0;
  std::uint64_t commands = 0;
  std::uint64_t commit_micros_total = 0;
  // Histogram of batch sizes: <=1, <=2, <=4, ... <=512, more.
  std::vector<std::uint64_t> batch_size_buckets;
};

class store {
public:
  virtual ~store() = default;

  virtual bool ready() = 0;
  virtual write_stats stats() = 0;

  // Users and sessions
  virtual std::int64_t user_count() = 0;
  virtual std::optional<user_record> find_user(const std::string& email) = 0;
  virtual std::vector<domain::user> list_users() = 0;
  virtual void create_user(domain::user, std::string password_hash, callback<domain::user>) = 0;
  virtual std::optional<session_record> find_session(const std::string& token_hash, domain::time_point now) = 0;
  virtual void create_session(domain::id_t user_id, std::string token_hash, std::string csrf, domain::time_point expires,
                              callback<bool>) = 0;
  virtual void delete_session(std::string token_hash, callback<bool>) = 0;

  // Events
  virtual std::vector<domain::event> list_events(const event_filter&) = 0;
  virtual std::optional<domain::event> get_event(domain::id_t) = 0;
  virtual void create_event(domain::event, callback<domain::event>) = 0;
  // Replaces the event's fields; a larger capacity promotes waitlisted registrations at once.
  virtual void update_event(domain::event, callback<domain::event>) = 0;
  virtual void cancel_event(domain::id_t, callback<domain::event>) = 0;
  virtual needs_report needs(domain::id_t event_id) = 0;

  // Registrations
  virtual void register_person(domain::id_t event_id, domain::person_fields, bool walk_in, callback<created_registration>,
                               std::optional<domain::time_point> attended_at = std::nullopt, domain::id_t user_id = 0) = 0;
  virtual std::optional<domain::registration> find_by_manage_token(const std::string& token) = 0;
  virtual std::optional<domain::registration> get_registration(domain::id_t) = 0;
  // Called on the writer thread after a commit that moved registrations from the waitlist to confirmed (keep it
  // short: hand the work on). Set once, before serving.
  virtual void on_promotion(std::function<void(std::vector<domain::id_t>)>) = 0;
  virtual std::vector<domain::registration> list_registrations(domain::id_t event_id, const std::string& query,
                                                               std::optional<domain::registration_status>) = 0;
  virtual void update_person(std::string manage_token, domain::person_fields, callback<domain::registration>) = 0;
  virtual void cancel_by_token(std::string manage_token, callback<domain::registration>) = 0;
  virtual void cancel_registration(domain::id_t event_id, domain::id_t registration_id, callback<domain::registration>) = 0;
  virtual void erase_by_token(std::string manage_token, callback<domain::registration>) = 0;
  // Erases the personal data of every registration whose event ended before `cutoff` (the retention rule);
  // statuses, check-ins and the anonymous facts stay. Answers how many registrations were erased.
  virtual void erase_ended_before(domain::time_point cutoff, callback<std::int64_t>) = 0;

  // Check-in
  virtual void check_in(checkin_command, scan_renderer, callback<scan_answer>) = 0;
  virtual void check_in_batch(std::vector<checkin_command>, scan_renderer, callback<std::vector<scan_answer>>) = 0;
  virtual void undo_check_in(domain::id_t event_id, domain::id_t registration_id, callback<domain::registration>) = 0;

  // Goals
  virtual goal_facts goal_facts_now() = 0;

  // True while no event exists (demo data is loaded only into an empty database).
  virtual bool empty_of_events() = 0;
};

std::unique_ptr<store> make_sqlite_store(const domain::config&);

}  // namespace eventd::store
