// The SQL store: one class, its member functions defined by use case in this folder (accounts, events,
// registrations, checkins, reports, support, evaluations, mail, partners; store.cpp wires the writer, the read pool
// and, on SQLite, the checkpointer). The same code runs on SQLite and on PostgreSQL (issue 11, under way): their
// SQL is the same but for the few places `engine` decides.
#pragma once

#include "auth/crypto.hpp"
#include "domain/config.hpp"
#include "store/database.hpp"
#include "store/postgres/pg_listener.hpp"
#include "store/sql/common.hpp"
#include "store/store.hpp"
#include "store/writer.hpp"
#include "support/log.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <optional>
#include <set>
#include <type_traits>
#include <cstdio>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace eventd::store::sql {

class sql_store final : public store {
public:
  enum class engine { sqlite, postgres };
  // `tickets`: the installation's ticket scheme (settings "ticket_scheme"); on PostgreSQL the sha256 one lets seats be
  // decided in SQL (config postgres_seat_decisions).
  sql_store(const domain::config& cfg, const std::string& ticket_key, engine = engine::sqlite,
            auth::ticket_cipher::scheme tickets = auth::ticket_cipher::scheme::siphash);
  ~sql_store() override;

  bool ready() override;
  void stop_writes() override;
  write_stats stats() override;

  // accounts.cpp
  std::int64_t user_count() override;
  std::optional<user_record> find_user(const std::string& email) override;
  std::vector<domain::user> list_users() override;
  void create_user(domain::user, std::string password_hash, callback<domain::user>) override;
  void set_password(std::string email, std::string password_hash, callback<domain::user>) override;
  std::optional<domain::user> get_user(id_t) override;
  void update_user(id_t id, id_t actor, std::optional<std::string> name, std::optional<domain::role> role,
                   std::optional<bool> active, callback<domain::user>) override;
  void invite_user(domain::user, std::string secret, domain::time_point expires, callback<domain::user>) override;
  void force_password_reset(id_t id, id_t actor, std::string secret, domain::time_point expires,
                            callback<domain::user>) override;
  void request_password_reset(std::string email, std::string secret, domain::time_point expires, callback<bool>) override;
  void complete_password_reset(std::string secret, std::string password_hash, domain::time_point now,
                               callback<domain::user>) override;
  bool password_link_valid(const std::string& secret, domain::time_point now) override;
  std::optional<session_record> find_session(const std::string& token_hash, domain::time_point now) override;
  void create_session(id_t user_id, std::string token_hash, std::string csrf, domain::time_point expires,
                      callback<bool>) override;
  void delete_session(std::string token_hash, callback<bool>) override;

  // events.cpp
  std::vector<domain::event> list_events(const event_filter&) override;
  std::optional<domain::event> get_event(id_t) override;
  void create_event(domain::event, callback<domain::event>) override;
  void update_event(id_t, domain::event_patch, domain::version_condition, callback<domain::event>) override;
  void cancel_event(id_t, callback<domain::event>) override;
  bool empty_of_events() override;
  std::optional<std::string> setting(const std::string& key) override;
  void put_setting(std::string key, std::string value, callback<bool>) override;

  // registrations.cpp
  void register_person(id_t event_id, domain::person_fields, bool walk_in, callback<created_registration>,
                       std::optional<domain::time_point> attended_at, id_t user_id, std::string client_network) override;
  std::optional<domain::registration> find_by_manage_token(const std::string& token) override;
  std::optional<domain::registration> get_registration(id_t) override;
  void on_commit(std::function<void(const std::vector<change>&)>) override;
  std::vector<domain::registration> list_registrations(id_t event_id, const std::string& query,
                                                       std::optional<domain::registration_status>) override;
  registration_page list_registrations_page(id_t event_id, const registration_page_query&) override;
  void cancel_registrations(id_t event_id, std::vector<id_t> ids, callback<bulk_cancel_result>) override;
  void update_person(std::string manage_token, domain::person_fields, callback<domain::registration>) override;
  void cancel_by_token(std::string manage_token, callback<domain::registration>) override;
  void cancel_registration(id_t event_id, id_t registration_id, callback<domain::registration>) override;
  void erase_by_token(std::string manage_token, callback<domain::registration>) override;
  void erase_ended_before(domain::time_point cutoff, callback<std::int64_t>) override;
  void erase_again(std::vector<erasure_entry>, callback<std::vector<erasure_entry>>) override;

  // checkins.cpp
  void check_in(checkin_command, scan_renderer, callback<scan_answer>) override;
  void check_in_batch(std::vector<checkin_command>, scan_renderer, callback<std::vector<scan_answer>>) override;
  void undo_check_in(id_t event_id, id_t registration_id, callback<domain::registration>) override;

  // reports.cpp
  needs_report needs(id_t event_id) override;
  void for_each_participant(const std::function<void(const domain::event&, const domain::registration&)>&) override;
  goal_facts goal_facts_now() override;
  std::optional<domain::goal_event> goal_event_of(id_t event_id) override;
  std::optional<domain::goal_attendance> goal_attendance_of(id_t registration_id) override;
  std::vector<domain::goal_support_session> goal_support_now() override;

  // support.cpp
  void create_support_session(domain::support_session, callback<domain::support_session>) override;
  void update_support_session(id_t, domain::support_session_patch, callback<domain::support_session>) override;
  void delete_support_session(id_t, callback<bool>) override;
  std::optional<domain::support_session> get_support_session(id_t) override;
  std::vector<domain::support_session> list_support_sessions(const domain::goal_period&) override;
  // evaluations.cpp
  void save_evaluation(std::string manage_token, domain::evaluation_answer, callback<domain::evaluation>) override;
  std::optional<domain::evaluation> evaluation_of(id_t registration_id) override;
  std::vector<domain::evaluation> event_evaluations(id_t event_id) override;
  std::vector<domain::goal_evaluation> goal_evaluations_of(id_t event_id) override;

  // partners.cpp
  void save_profile(std::string manage_token, domain::profile_fields, callback<domain::partner_profile>) override;
  std::optional<domain::partner_profile> profile_of(id_t registration_id) override;
  std::optional<domain::partner_profile> get_profile(id_t profile_id) override;
  std::vector<domain::partner_profile> forum_profiles(id_t event_id) override;
  std::vector<domain::partner_profile> public_profiles() override;
  void set_meeting_slots(id_t event_id, std::vector<domain::meeting_slot>, int tables, callback<forum_slots>) override;
  forum_slots meeting_slots(id_t event_id) override;
  void request_meeting(std::string manage_token, id_t profile_id, std::optional<std::string> message,
                       callback<domain::meeting>) override;
  void answer_meeting(std::string manage_token, id_t meeting_id, bool accept, callback<domain::meeting>) override;
  void withdraw_meeting(std::string manage_token, id_t meeting_id, callback<domain::meeting>) override;
  std::optional<domain::meeting> get_meeting(id_t meeting_id) override;
  std::vector<domain::meeting> meetings_of(id_t registration_id) override;
  std::vector<domain::meeting> forum_meetings(id_t event_id) override;
  void move_meeting(id_t event_id, id_t meeting_id, id_t slot_id, int table, callback<domain::meeting>) override;
  void cancel_meeting(id_t event_id, id_t meeting_id, callback<domain::meeting>) override;
  forum_figures figures_of_forum(id_t event_id, domain::time_point now) override;

  // mail.cpp
  std::vector<mail_item> due_mail(domain::time_point now, int limit) override;
  std::optional<domain::time_point> next_mail_due() override;
  void record_mail_attempts(std::vector<mail_attempt>, callback<bool>) override;
  void recover_link(id_t event_id, std::string email, callback<bool>) override;
  std::vector<mail_record> event_mail(id_t event_id) override;
  void queue_scheduled_mail(domain::time_point reminder_before, callback<std::int64_t>) override;
  std::vector<domain::registration> audience_of(id_t event_id, mail_audience) override;
  void queue_event_message(id_t event_id, mail_audience, std::string subject, std::string text,
                           callback<std::int64_t>) override;
  void resend_confirmation(id_t event_id, id_t registration_id, callback<bool>) override;

private:
  // registrations.cpp; on the writer thread, inside a job.
  // Confirms waitlisted registrations in arrival order while seats are free.
  void promote(connection& c, id_t event_id);
  domain::registration cancel(connection& c, const domain::registration& r);
  // keep_public_profile: the retention rule's erasure (a partner profile listed publicly stays). Otherwise the
  // person asked, and the change carries the registration's created_at for the erasure journal.
  void erase_personal_data(connection& c, id_t registration_id, id_t event_id, bool keep_public_profile,
                           domain::time_point created_at = 0);
  // PostgreSQL: a registration's row and its mail's, held back to go with the others of the batch in one INSERT.
  struct held_registration {
    std::vector<std::optional<std::string>> row;  // registration_batch_columns, in order, as text
    std::string mail_kind, secret;                // mail_kind empty: no mail
    id_t id = 0, event_id = 0;
    std::int64_t now = 0;
  };
  // What one read told the transaction about the registrations its batch holds (prepare_registrations), kept true
  // by the registrations decided from it: the locked events' seat facts, the persons by address, the active
  // (event, person) pairs, and registration ids drawn under the events' locks. Dropped (ready = false) as soon as
  // anything else writes in the transaction.
  // PostgreSQL with seats decided in SQL (sql_seats_): the transaction's public registrations, sent as one statement
  // (send_sql_registrations) that decides, numbers and writes them all, and its answer for each, read once it came.
  struct sql_registration_answer {
    std::string refusal;  // empty: registered; else a domain::registration_refusal's word, or "not_found"
    id_t id = 0, person_id = 0;
    std::string status, ticket_code;
    std::int64_t waitlist_position = 0;
    bool known = false;  // the statement's row for this job was read (or its registration found again)
  };
  struct sql_registrations {
    std::vector<std::vector<std::optional<std::string>>> columns;  // one array per input column (registrations.cpp)
    std::size_t jobs = 0;
    statement* sent = nullptr;  // the statement once sent: its rows are the answers
    std::vector<sql_registration_answer> answers;  // by job, once answered
    bool answered = false;
  };
  struct registration_batch {
    // sql_seats_: registrations of this transaction go into `sql`; another kind of job between them ends one
    // statement and starts the next.
    bool sql_ready = false;
    std::shared_ptr<sql_registrations> sql;
    bool ready = false;
    std::map<id_t, domain::event> seats;
    std::map<std::string, id_t, std::less<>> persons;
    std::set<std::pair<id_t, id_t>> active;
    std::deque<id_t> ids;
    std::vector<held_registration> held;
    // Persons the batch's read made (first sight of the address) that no registration of the batch has used yet:
    // a refused registration leaves no address behind (send_held_registrations removes them).
    std::set<id_t> made_unused;
  };
  // prepare_registrations's read, and the held rows' INSERT (sent ahead, without waiting); registrations.cpp.
  void prepare_registrations(connection& c, const std::vector<std::pair<std::int64_t, std::string>>& jobs);
  // Sends what the transaction held back: the rows of registrations decided in C++, and the statement of those to be
  // decided in SQL. read_now: that statement's answer is read at once (another kind of job follows), else it comes
  // with the COMMIT and read_sql_registrations takes it.
  void send_held_registrations(connection& c, bool read_now = true);
  void read_sql_registrations(connection& c);  // after the COMMIT; never throws
  void recover_sql_registrations(connection& c);  // after a COMMIT found committed; never throws
  static void take_sql_answers(sql_registrations& batch);
  // A public registration's part of the transaction's SQL statement: its inputs, and the answer its caller gets.
  job_result add_sql_registration(id_t event_id, const domain::person_fields& p, bool home, const std::string& token,
                                  const std::string& token_hash, domain::time_point now, const std::string& client_network,
                                  callback<created_registration> cb);
  // A registration decided and about to be written (register_person): held for its batch's INSERT, or inserted alone.
  struct new_registration {
    id_t id, event_id, person_id;
    domain::registration_status status;
    const std::string& ticket_code;
    const std::string& token_hash;
    bool home, walk_in;
    domain::time_point now;
    const std::string& client_network;  // empty: none
    const char* mail_kind;              // PostgreSQL: the outbox row that goes with it, or nullptr
    const std::string& manage_token;
  };
  void hold_registration(const new_registration& r, const domain::person_fields& p);
  void insert_registration(connection& c, const new_registration& r, const domain::person_fields& p);
  id_t next_sqlite_registration_id(connection& c);
  // Registrations written by their batch's statement (send_held_registrations), counted once their COMMIT went through.
  std::atomic<std::uint64_t> batched_registrations_{0};
  // What a writer thread keeps about the job and the transaction it is running (PostgreSQL runs several writers).
  struct writer_thread_state {
    registration_batch batch;
    std::vector<change> changes_in_job;  // what the running job promoted and erased (for the commit listener)
    std::string notes;                   // the transaction's changes, as its NOTIFY will carry them
    bool notes_overflow = false;
    std::vector<id_t> locked_events;  // the event rows the transaction locked up front (sorted)
    std::uint64_t batched_sent = 0;   // registrations the transaction sent in batch statements, for the metric
    std::string commit_mark;          // the transaction's row in commit_marks
    std::uint64_t commit_serial = 0;
    std::string writer_token;  // random, made on the writer's first commit
  };
  static writer_thread_state& here() {
    static thread_local writer_thread_state s;
    return s;
  }
  void noted(change::kind what, id_t registration_id, id_t event_id) {
    here().changes_in_job.push_back(change{what, registration_id, nullptr, event_id});
  }
  // The writer a job goes to: on PostgreSQL its event's (one of postgres_writers) or, for a job of no event, writer_;
  // on SQLite writer_.
  writer& writer_for(id_t event_id) {
    if (more_writers_.empty() || event_id <= 0) return writer_;
    return *more_writers_[static_cast<std::size_t>(event_id) % more_writers_.size()];
  }
  void setup_postgres_writer(writer& w);
  static void release_person(connection& c, id_t person_id);
  // mail.cpp; on the writer thread. Adds a message to the outbox, due now (an organiser's has a subject and text).
  void queue_mail(connection& c, const char* kind, id_t registration_id, id_t event_id, const std::string& secret,
                  const std::string& subject = {}, const std::string& body = {});
  // The same message to each registration of the audience (never an erased one); with_link: each carries a fresh
  // private link. Answers how many.
  std::int64_t queue_for(connection& c, const char* kind, id_t event_id, mail_audience who, bool with_link,
                         const std::string& subject = {}, const std::string& body = {});
  // A message to a staff account (password_reset, account_invite) carrying a password link's secret, to `to`.
  void queue_account_mail(connection& c, const char* kind, const std::string& to, const std::string& secret);
  // The notice to a person who erased their data, to the address the erasure has just removed everywhere else.
  void queue_erasure_notice(connection& c, const domain::registration& r);
  // After an organiser's change: the registered are told of a new time or place, or of the cancellation.
  void tell_of_change(connection& c, const domain::event& before, const domain::event& after);
  // A message's Message-ID (without brackets), derived from its outbox row.
  std::string message_id(id_t id, const std::string& kind, id_t registration_id, std::int64_t created_at) const;
  // Gives the registration a fresh private link and answers its token. keep_old: the link it had keeps working
  // beside it (a promotion); else the new one is the only one (link recovery).
  static std::string new_link(connection& c, id_t registration_id, bool keep_old);

  // partners.cpp; on the writer thread. A registration that was cancelled or erased meets nobody: its open requests
  // and meetings are cancelled (the other party is told by mail); erased: the messages it wrote or got are blanked and
  // its profile goes, unless `keep_public` (the retention rule keeps profiles their owners listed publicly).
  void end_meetings_of(connection& c, id_t registration_id, bool erased, bool keep_public);
  // A message about a meeting, due now.
  void queue_meeting_mail(connection& c, const char* kind, id_t registration_id, id_t event_id, id_t meeting_id);

  // support.cpp; on the writer thread. Blanks the names in the counselling log of the person behind a registration
  // (erasure by their link).
  static void erase_counselled(connection& c, id_t registration_id);
  // Blanks names and notes of the sessions dated before `day` (the retention rule); true when any were blanked.
  static bool erase_support_before(connection& c, const std::string& day);

  // checkins.cpp
  scan_answer scan(connection& c, const auth::ticket_cipher& tickets, const checkin_command& cmd,
                          const scan_renderer& render);

  // Runs `fn` as a job of the writer; `cb` hears its value once the batch is durable, or why there is none.
  // `event_id`: the event whose row the job locks (lock_event), taken with the batch's others in order up front.
  template <class T, class F>
  void write(F fn, callback<T> cb, id_t event_id = 0, std::string hint = {});
  // write's parts: the job that runs `fn` and answers `cb`, and its submission with the answers for a job that
  // cannot be saved.
  template <class T, class F>
  job job_for(F fn, callback<T> cb);
  template <class T>
  void submit_job(job j, callback<T> cb, id_t event_id, std::string hint);

  // A read connection from the pool, returned when the handle goes.
  struct lease {
    sql_store* owner;
    std::unique_ptr<connection> conn;
    connection* operator->() { return conn.get(); }
    connection& operator*() { return *conn; }
    ~lease() {
      if (!conn) return;
      const bool lost = conn->broken();  // lost with its server: dropped, the next borrow opens a new one
      if (!lost) conn->reset_all();
      {
        std::lock_guard lock(owner->pool_mutex_);
        if (lost)
          --owner->readers_open_;
        else
          owner->pool_.push_back(std::move(conn));
      }
      owner->pool_returned_.notify_one();
    }
  };
  lease borrow();

  // Hands a committed job's changes to the listener; erased data still sits in old WAL frames, so after an
  // erasure the checkpointer folds the WAL in and truncates it to nothing.
  void after_commit(const std::vector<change>& changes);
  void checkpoint_loop();
  void vacuum_loop();  // PostgreSQL

  // Several nodes on one PostgreSQL database (store.cpp): each committed transaction tells the others what it
  // changed with one NOTIFY; each node's listener hands what it hears to the commit listener.
  void note_for_other_nodes(const std::vector<change>& changes);  // writer thread
  void heard_from_other_node(const std::string& payload);         // listener thread
  void deliver(const std::vector<change>& changes);               // the commit listener, one caller at a time

  bool background_turn() override;

  bool postgres() const { return engine_ == engine::postgres; }
  // A new connection of the engine: the writer's, a reader's.
  std::unique_ptr<connection> open(bool writable) const;

  engine engine_ = engine::sqlite;
  bool sql_seats_ = false;  // PostgreSQL decides batches of public registrations in SQL (see sql_registrations)
  std::string mail_host_;  // the right side of each Message-ID: the public URL's host
  std::string mail_key_;   // the installation's secret its Message-IDs are hashed with
  std::string ticket_key_;  // hex; PostgreSQL's eventd_ticket_code takes it (sql_seats_)
  std::unique_ptr<auth::ticket_cipher> tickets_;
  // Touched on the writer thread only (SQLite, one writer): the next registration id.
  id_t next_registration_id_ = 0;
  std::function<void(const std::vector<change>&)> commit_listener_;

  domain::config cfg_;
  domain::home_region home_;
  std::string path_;
  // open(): connection attempts pause after a failure. Before writer_, whose construction opens the first one.
  mutable std::mutex backoff_mutex_;
  mutable std::chrono::milliseconds backoff_{0};
  mutable std::chrono::steady_clock::time_point retry_at_{};
  mutable bool probing_ = false;  // within the backoff, an attempt is under way
  mutable std::atomic<std::uint64_t> connections_opened_{0}, connect_failures_{0};
  std::uint64_t pool_closed_ = 0;  // under pool_mutex_
  writer writer_;
  std::vector<std::unique_ptr<writer>> more_writers_;  // PostgreSQL: postgres_writers, for the events' writes

  static constexpr int checkpoint_busy_ms = 200;
  std::mutex checkpoint_mutex_;
  std::condition_variable checkpoint_wake_;
  std::uint64_t commits_since_checkpoint_ = 0;
  bool truncate_wanted_ = false;
  bool stopping_ = false;
  std::thread checkpointer_;
  // The read connections: at most max_read_connections open; a reader waits up to 2 s for one, then hears 503.
  std::mutex pool_mutex_;
  std::condition_variable pool_returned_;
  std::vector<std::unique_ptr<connection>> pool_;
  std::size_t readers_open_ = 0;
  std::uint64_t pool_waits_ = 0, pool_timeouts_ = 0;

  std::mutex listener_mutex_;  // commit_listener_ and its calls: the writer's thread and the node listener's
  std::string node_id_;        // this process among the nodes (random), so that it skips its own notifications
  // lock_event, unless the transaction holds the row already.
  void lock_event_once(connection& c, id_t event_id) {
    const auto& held = here().locked_events;
    if (!std::binary_search(held.begin(), held.end(), event_id)) lock_event(c, event_id);
  }
  std::mutex turn_mutex_;                  // background_turn(): the connection holding the advisory lock
  std::unique_ptr<connection> turn_conn_;
  std::chrono::steady_clock::time_point turn_checked_{};
  bool turn_ = false;
  std::unique_ptr<pg_listener> listener_;  // last: it stops first, before anything it calls goes
};

// The answer to a write that went with a COMMIT whose answer was lost: it may have been saved.
inline failure outcome_unknown() {
  failure f{errc::unavailable, "the database went away while this was being saved, so it may have been saved: look "
                               "before trying again"};
  f.facts["reason"] = "outcome_unknown";  // for clients: not "nothing was saved"
  return f;
}

template <class T, class F>
void sql_store::write(F fn, callback<T> cb, id_t event_id, std::string hint) {
  auto j = job_for<T>(std::move(fn), cb);
  submit_job<T>(std::move(j), std::move(cb), event_id, std::move(hint));
}

template <class T>
void sql_store::submit_job(job j, callback<T> cb, id_t event_id, std::string hint) {
  // Answer the caller when the job cannot be saved at all, or may have been.
  refusal refuse = [cb] { cb(outcome<T>(failure{errc::unavailable, "the database is busy; nothing was saved, please try again"})); };
  refusal uncertain = [cb] { cb(outcome<T>(outcome_unknown())); };
  writer_for(event_id).submit(std::move(j), std::move(refuse), event_id, std::move(hint), std::move(uncertain));
}

template <class T, class F>
job sql_store::job_for(F fn, callback<T> cb) {
  return [this, fn = std::move(fn), cb = std::move(cb)](connection& c) mutable -> job_result {
    here().changes_in_job.clear();
    try {
      // A job may run more than once (a batch tried again, a conflict with another node): each run gets its own
      // copy of what the job captured, since a run may move from it.
      F run = fn;
      auto value = std::make_shared<T>(run(c));
      // The listener gets its own copy: the caller's answer takes the value apart (moves from it) right after.
      if constexpr (std::is_same_v<T, created_registration>)
        if (commit_listener_)
          here().changes_in_job.insert(here().changes_in_job.begin(), change{change::kind::registered, value->registration.id,
                                                                 std::make_shared<const created_registration>(*value),
                                                                 value->registration.event_id});
      if (postgres()) note_for_other_nodes(here().changes_in_job);
      return {true, [this, cb, value, changes = std::move(here().changes_in_job)](bool committed) {
                // Before the caller hears of it: copies outside the database are gone by the time anyone looks.
                if (committed && !changes.empty()) after_commit(changes);
                if (committed)
                  cb(outcome<T>(std::move(*value)));
                else
                  cb(outcome<T>(failure{errc::unavailable, "the database could not commit this change; nothing was saved"}));
              }};
    } catch (const store_error& e) {
      return {false, [cb, f = e.f](bool) { cb(outcome<T>(f)); }};
    } catch (const conflict_error& e) {
      return {false, [cb](bool) { cb(outcome<T>(failure{errc::unavailable, "the database is busy; nothing was saved, please try again"})); }, true};
    } catch (const deferred_error&) {
      throw;  // an earlier job's write failed: the writer runs the batch again
    } catch (const std::exception& e) {
      support::log_fault("error", "write failed", e.what());
      return {false, [cb](bool) { cb(outcome<T>(failure{errc::unavailable, "the database failed; nothing was saved"})); }};
    }
  };
}

}  // namespace eventd::store::sql
