// The storage interface: the domain's own operations. SQL implements it (store::sql::sql_store, on SQLite; PostgreSQL is coming, issue 11).
#pragma once

#include "domain/config.hpp"
#include "domain/evaluation_rules.hpp"
#include "domain/event_rules.hpp"
#include "domain/goals.hpp"
#include "domain/partner_rules.hpp"
#include "domain/support_rules.hpp"
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

// precondition_failed: an If-Match names an older version (412); invalid: fields wrong against the stored row (422).
enum class errc { not_found, conflict, unavailable, precondition_failed, invalid };

struct failure {
  errc code = errc::unavailable;
  std::string detail;
  // Extra machine-readable facts for the problem document (e.g. "registration_status").
  std::map<std::string, std::string> facts;
  // The same for numbers (e.g. "confirmed"), and field errors when the fields are at fault.
  std::map<std::string, std::int64_t> figures;
  domain::field_errors errors;
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

// One page of an event's registrations for organisers, in arrival order.
struct registration_page_query {
  std::string q;  // part of name, organisation, e-mail or ticket code
  std::optional<domain::registration_status> status;
  std::optional<std::string> network;  // the coarse client network, e.g. "203.0.113.0/24"
  std::optional<domain::time_point> created_from;  // inclusive
  std::optional<domain::time_point> created_to;    // exclusive
  domain::id_t after = 0;                          // ids above this
  int limit = 100;
};

struct registration_page {
  std::vector<domain::registration> items;
  std::optional<domain::id_t> next;  // pass as `after` for the next page; none on the last
};

struct bulk_cancel_result {
  std::vector<domain::registration> cancelled;
  std::vector<domain::id_t> skipped;  // not of this event, or already cancelled
};

struct created_registration {
  domain::registration registration;
  std::string manage_token;  // returned once, to the participant; only its hash is stored
};

// What a committed write did, for whoever acts on it after the commit (the participants' mail, the live hub).
// registered: someone registered (a walk-in with a check-in too); promoted: moved up from the waitlist; erased: personal
// data blanked; cancelled; edited: personal fields changed; checked_in / check_in_undone; event_saved: the event was
// created, edited or cancelled (registration_id 0); support_saved: a counselling session was created, changed or
// deleted (both ids 0; the goals' support figures move); support_erased: counselled persons' names and addresses
// were blanked by the retention rule (both ids 0; no figure moves); evaluated: an evaluation answer given or changed;
// mail_queued: a message was added to the outbox by a write that changed nothing anyone sees (a fresh private link);
// meeting_changed: a meeting request to or from the registration was made, answered, moved or cancelled (one change
// per party); profile_saved: the registration's partner profile was written.
// Registrations by the form and promotions queue their messages too, without a change of this kind.
struct change {
  enum class kind {
    registered, promoted, erased, cancelled, edited, checked_in, check_in_undone, event_saved, support_saved, support_erased,
    evaluated, mail_queued, meeting_changed, profile_saved,
    // Anything may have changed (another node's changes were missed: its notification was too long, or this node
    // was not listening for a while): everything watched is read again.
    resync,
    // A staff account changed in a way that ends or alters its sessions (role, deactivation, a new or reset
    // password): registration_id holds the user's id, event_id 0. Every node drops its cached sessions of that user.
    // After resync so that the numbers other nodes already know keep their meaning.
    account_changed
  };
  kind what = kind::registered;
  domain::id_t registration_id = 0;
  // registered: the new registration and its private link's token (kept nowhere else once the answer has left).
  std::shared_ptr<const created_registration> created;
  domain::id_t event_id = 0;
  // checked_in: the attendance as the goal figures count it, built by the writer from the row it just wrote, so the
  // live tally need not read it back (the registered walk-in's is in `created`).
  std::optional<domain::goal_attendance> attendance;
  // erased, when the person asked for it (not the retention rule): the registration's creation time, which with its
  // id and event names it in the erasure journal (app/erasure_journal.hpp). 0 otherwise, and from other nodes.
  domain::time_point erased_created_at = 0;
};

// One erasure a person asked for, as the erasure journal keeps it: no personal data, only what names the row.
struct erasure_entry {
  domain::id_t registration_id = 0;
  domain::id_t event_id = 0;
  domain::time_point created_at = 0;
  bool operator==(const erasure_entry&) const = default;
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

// scan_id_reused: the scan_id was first sent with another request (another event or ticket); nothing changed.
enum class checkin_result { checked_in, already_checked_in, unknown, not_admissible, scan_id_reused };

// A check-in result as the API names it (also kept beside a stored scan answer), and back; unknown text -> unknown.
inline const char* result_text(checkin_result r) {
  switch (r) {
    case checkin_result::checked_in: return "checked_in";
    case checkin_result::already_checked_in: return "already_checked_in";
    case checkin_result::unknown: return "unknown";
    case checkin_result::not_admissible: return "not_admissible";
    case checkin_result::scan_id_reused: return "scan_id_reused";
  }
  return "unknown";
}
inline checkin_result result_from_text(const std::string& s) {
  for (auto r : {checkin_result::checked_in, checkin_result::already_checked_in, checkin_result::not_admissible,
                 checkin_result::scan_id_reused})
    if (s == result_text(r)) return r;
  return checkin_result::unknown;
}

struct checkin_outcome {
  checkin_result result = checkin_result::unknown;
  std::optional<domain::registration> registration;
  std::optional<domain::id_t> other_event_id;  // the ticket exists, but for another event
  // Not admissible although forced: the person holds this other active registration for the event.
  std::optional<domain::id_t> active_registration_id;
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
  std::vector<domain::goal_evaluation> evaluations;
};

struct write_stats {
  std::uint64_t batches = 0;
  std::uint64_t commands = 0;
  std::uint64_t commit_micros_total = 0;
  std::uint64_t queued = 0;          // jobs accepted into the queue
  std::uint64_t refused = 0;         // jobs refused at once: queue full or writer stopped
  std::uint64_t failed_batches = 0;  // transactions that failed even after retries (their callers got 503)
  std::uint64_t waiting = 0;         // jobs in the queue now
  // Histogram of batch sizes: <=1, <=2, <=4, ... <=512, more.
  std::vector<std::uint64_t> batch_size_buckets;
  std::uint64_t conflicts = 0;  // jobs run again after another node's transaction got in the way (PostgreSQL)
  // PostgreSQL's pipelined writer: batches run again without sending writes ahead because one of those failed, and
  // registrations decided from their batch's one read and written with the batch's one INSERT.
  std::uint64_t pipeline_reruns = 0;
  std::uint64_t batched_registrations = 0;
  std::uint64_t round_trips = 0;  // the writers' waits for PostgreSQL's answers, over all batches
  // The connections (filled by the store, not the writer).
  std::uint64_t pool_idle = 0;           // read connections waiting in the pool
  std::uint64_t pool_open = 0;           // read connections open (idle or lent), at most max_read_connections
  std::uint64_t pool_waits = 0;          // reads that waited for a connection (all were lent)
  std::uint64_t pool_timeouts = 0;       // of those, reads that gave up after 2 s (answered 503)
  std::uint64_t connections_opened = 0;  // connections opened since the start (the writer's, readers', the others)
  std::uint64_t connect_failures = 0;    // attempts that found the database unreachable
  std::uint64_t silent_connections = 0;  // PostgreSQL: connections given up because the server sent nothing in time
  std::uint64_t pool_closed = 0;         // pooled read connections the server had closed, dropped when next lent
  bool shared = false;                   // PostgreSQL: the figures below mean something
  bool listening = false;                // hearing other nodes' changes now
  bool background_turn = false;          // running the once-only background work now
};

// Mail (issue 9): a message waiting in the transactional outbox, as the sender composes it. The recipient, name and
// event are read from their rows when it is composed; `secret` is the private link's token it carries, if any.
struct mail_item {
  domain::id_t id = 0;
  std::string message_id;  // without angle brackets
  std::string kind;        // confirmation, promotion, link
  domain::id_t registration_id = 0;
  domain::id_t event_id = 0;
  std::string secret;
  int attempts = 0;
  domain::time_point created_at = 0;
  std::string subject, body;  // an organiser's message: its subject and text
  std::string to_address, language;  // an erasure notice's: the erased address, and the language to write in
  domain::id_t meeting_id = 0;         // a message about a meeting: which one
};

// Whom organisers write to: every active registration, the confirmed, the waitlisted, or those checked in.
enum class mail_audience { all, confirmed, waitlisted, checked_in };

// What one delivery attempt came to. sent: the mail server (or the outbox folder) took it; retry: try again at
// `next_attempt_at`; failed: it can never be delivered (the server refused it for good, or it was tried too long);
// dropped: there is nobody to write to any more (erased).
struct mail_attempt {
  enum class outcome { sent, retry, failed, dropped };
  domain::id_t id = 0;
  outcome what = outcome::sent;
  std::string error;  // why, for organisers: no address or content
  domain::time_point next_attempt_at = 0;
};

// A message as organisers see it in an event's mail log.
struct mail_record {
  domain::id_t id = 0;
  std::string kind;
  domain::id_t registration_id = 0;
  std::optional<std::string> name, email;  // the registration's, while not erased
  std::optional<std::string> subject;      // an organiser's message's
  std::string state;  // pending, sent, failed, dropped
  int attempts = 0;
  std::optional<std::string> last_error;
  domain::time_point created_at = 0;
  std::optional<domain::time_point> sent_at;
};

// Partner search (issue 10): a forum's meeting slots and tables, and its figures for organisers.
struct forum_slots {
  std::vector<domain::meeting_slot> slots;  // by start
  int tables = 0;
};
// held: accepted meetings whose slot has ended with both participants checked in at the forum.
struct forum_figures {
  std::int64_t profiles = 0, requests = 0, accepted = 0, held = 0;
};

class store {
public:
  virtual ~store() = default;

  virtual bool ready() = 0;
  // Commits what is queued, answers every waiting caller, and stops taking writes (later ones are refused with
  // `unavailable`). Part of the stop order; reads go on working.
  virtual void stop_writes() = 0;
  virtual write_stats stats() = 0;
  // Whether this process runs, now, the background work that must run once however many nodes share the database
  // (the retention sweep, mail delivery, reminders). Always on one node: PostgreSQL's advisory lock held on a
  // connection of its own decides among several, and passes to another node when the holder dies. Cheap to ask.
  virtual bool background_turn() { return true; }

  // Users and sessions
  virtual std::int64_t user_count() = 0;
  virtual std::optional<user_record> find_user(const std::string& email) = 0;
  virtual std::vector<domain::user> list_users() = 0;
  virtual void create_user(domain::user, std::string password_hash, callback<domain::user>) = 0;
  // A new password for the user with this e-mail (normalised); every session of theirs ends, and so does any
  // reset they were waiting for. not_found when none.
  virtual void set_password(std::string email, std::string password_hash, callback<domain::user>) = 0;
  virtual std::optional<domain::user> get_user(domain::id_t) = 0;
  // An admin's change to a user (what is set changes). `actor` is the admin: conflict when they would demote or
  // deactivate themselves, or when no active admin would be left. Deactivating ends the user's sessions and links.
  virtual void update_user(domain::id_t id, domain::id_t actor, std::optional<std::string> name,
                           std::optional<domain::role> role, std::optional<bool> active, callback<domain::user>) = 0;
  // Password links (issue 12). Each stores only the secret's hash and mails the secret through the outbox, in one
  // transaction; a new link replaces the user's earlier ones.
  // An account without a working password (conflict when the e-mail exists), mailed an invitation to choose one.
  virtual void invite_user(domain::user, std::string secret, domain::time_point expires, callback<domain::user>) = 0;
  // An admin's forced reset: the password stops working, the sessions end, a link is mailed. conflict for `actor`
  // themselves, not_found when there is no such user.
  virtual void force_password_reset(domain::id_t id, domain::id_t actor, std::string secret, domain::time_point expires,
                                    callback<domain::user>) = 0;
  // "Forgot my password": a link for the active user with this e-mail; false (and nothing written) when none.
  virtual void request_password_reset(std::string email, std::string secret, domain::time_point expires,
                                      callback<bool>) = 0;
  // Whether the secret names an unexpired link of an active user (a read: checked before a new password is hashed).
  virtual bool password_link_valid(const std::string& secret, domain::time_point now) = 0;
  // Uses a link: its user's new password; every link and session of theirs ends. not_found when the secret names
  // no unexpired link of an active user.
  virtual void complete_password_reset(std::string secret, std::string password_hash, domain::time_point now,
                                       callback<domain::user>) = 0;
  virtual std::optional<session_record> find_session(const std::string& token_hash, domain::time_point now) = 0;
  virtual void create_session(domain::id_t user_id, std::string token_hash, std::string csrf, domain::time_point expires,
                              callback<bool>) = 0;
  virtual void delete_session(std::string token_hash, callback<bool>) = 0;

  // Events
  virtual std::vector<domain::event> list_events(const event_filter&) = 0;
  virtual std::optional<domain::event> get_event(domain::id_t) = 0;
  virtual void create_event(domain::event, callback<domain::event>) = 0;
  // Applies the patch to the event as stored at the moment of writing (domain::decide_event_edit: a stale version,
  // a cancelled event, invalid fields or a capacity below the confirmed count are refused and nothing is written).
  // A larger capacity promotes waitlisted registrations at once.
  virtual void update_event(domain::id_t, domain::event_patch, domain::version_condition, callback<domain::event>) = 0;
  virtual void cancel_event(domain::id_t, callback<domain::event>) = 0;
  virtual needs_report needs(domain::id_t event_id) = 0;

  // Registrations
  virtual void register_person(domain::id_t event_id, domain::person_fields, bool walk_in, callback<created_registration>,
                               std::optional<domain::time_point> attended_at = std::nullopt, domain::id_t user_id = 0,
                               std::string client_network = {}) = 0;
  virtual std::optional<domain::registration> find_by_manage_token(const std::string& token) = 0;
  virtual std::optional<domain::registration> get_registration(domain::id_t) = 0;
  // The one way side effects start: called on the writer thread after the commit of each write that registered,
  // promoted or erased someone, with what it did, before its caller hears the answer (so an erased person's copies
  // outside the database go before anyone can look). Keep it short: hand the work on. Set before serving; reset to
  // nullptr once writes have stopped.
  virtual void on_commit(std::function<void(const std::vector<change>&)>) = 0;
  virtual std::vector<domain::registration> list_registrations(domain::id_t event_id, const std::string& query,
                                                               std::optional<domain::registration_status>) = 0;
  virtual registration_page list_registrations_page(domain::id_t event_id, const registration_page_query&) = 0;
  // Every registration of every event (drafts included) with its event, ordered by event start, event and arrival:
  // one query, rows handed over as they are read.
  virtual void for_each_participant(const std::function<void(const domain::event&, const domain::registration&)>&) = 0;
  // Cancels each listed registration of the event that is not cancelled yet, then promotes the waitlist once (so
  // waitlisted members of the set never get the freed places), all in one transaction.
  virtual void cancel_registrations(domain::id_t event_id, std::vector<domain::id_t> ids, callback<bulk_cancel_result>) = 0;
  virtual void update_person(std::string manage_token, domain::person_fields, callback<domain::registration>) = 0;
  virtual void cancel_by_token(std::string manage_token, callback<domain::registration>) = 0;
  virtual void cancel_registration(domain::id_t event_id, domain::id_t registration_id, callback<domain::registration>) = 0;
  virtual void erase_by_token(std::string manage_token, callback<domain::registration>) = 0;
  // Erases the personal data of every registration whose event ended before `cutoff` (the retention rule);
  // statuses, check-ins and the anonymous facts stay. Also blanks the names and notes of counselling sessions dated
  // before cutoff's Stockholm day (their persons stay counted by id). An address goes once no unerased registration
  // or counselling session names it. Answers how many registrations were erased.
  virtual void erase_ended_before(domain::time_point cutoff, callback<std::int64_t>) = 0;
  // Erases again what the journal says was erased (after a restore from a backup older than those erasures): each
  // entry whose registration exists with that event and creation time and is not erased yet is cancelled and erased
  // as erase_by_token does, without a notice. Answers the entries that name an existing registration (erased now or
  // before); the others name rows the restored database never had, whose ids new registrations may take.
  virtual void erase_again(std::vector<erasure_entry>, callback<std::vector<erasure_entry>>) = 0;

  // Check-in
  virtual void check_in(checkin_command, scan_renderer, callback<scan_answer>) = 0;
  virtual void check_in_batch(std::vector<checkin_command>, scan_renderer, callback<std::vector<scan_answer>>) = 0;
  virtual void undo_check_in(domain::id_t event_id, domain::id_t registration_id, callback<domain::registration>) = 0;

  // Goals
  virtual goal_facts goal_facts_now() = 0;
  // The same facts one at a time, as they now are (the live goals tally follows the commits with them): an event,
  // a registration's attendance (none: not checked in, or gone), the counselling sessions.
  virtual std::optional<domain::goal_event> goal_event_of(domain::id_t event_id) = 0;
  virtual std::optional<domain::goal_attendance> goal_attendance_of(domain::id_t registration_id) = 0;
  virtual std::vector<domain::goal_support_session> goal_support_now() = 0;

  // Evaluations (DOMAIN.md 7). The answer of the registration a private link names, given or changed, when
  // domain::decide_evaluation allows it against the rows as they are at the moment of writing (not_found: no such
  // link; conflict with a "reason": refused).
  virtual void save_evaluation(std::string manage_token, domain::evaluation_answer, callback<domain::evaluation>) = 0;
  virtual std::optional<domain::evaluation> evaluation_of(domain::id_t registration_id) = 0;
  // Every answer of an event, those detached by erasure too, in the order they were first given.
  virtual std::vector<domain::evaluation> event_evaluations(domain::id_t event_id) = 0;
  // The same as goal facts (the live goals tally reads them again after each evaluated change of the event).
  virtual std::vector<domain::goal_evaluation> goal_evaluations_of(domain::id_t event_id) = 0;

  // True while no event exists (demo data is loaded only into an empty database).
  virtual bool empty_of_events() = 0;

  // The server's own settings (key -> value), e.g. the day demo data were made.
  virtual std::optional<std::string> setting(const std::string& key) = 0;
  virtual void put_setting(std::string key, std::string value, callback<bool>) = 0;

  // Mail (issue 9). Writes that cause a message add it to the outbox in their own transaction (a registration by
  // the form: its confirmation or waitlist notice; a promotion: a fresh private link). The sender takes what is due,
  // oldest first, and records each attempt; one job records a whole round.
  virtual std::vector<mail_item> due_mail(domain::time_point now, int limit) = 0;
  // When the earliest pending message is due, if any is pending.
  virtual std::optional<domain::time_point> next_mail_due() = 0;
  virtual void record_mail_attempts(std::vector<mail_attempt>, callback<bool>) = 0;
  // "Send me my link again": when the address holds a registration of the event whose data are not erased (the
  // newest active one, else the newest cancelled one), its private link is replaced by a fresh one (the old one
  // stops working) and a message carrying it is queued, unless three were queued for it in the last hour. The
  // answer is the same either way (true): a caller learns nothing about who is registered.
  virtual void recover_link(domain::id_t event_id, std::string email, callback<bool>) = 0;
  // An event's messages, newest first.
  virtual std::vector<mail_record> event_mail(domain::id_t event_id) = 0;
  // Queued once per event when due: a reminder to each confirmed registration of a published event that starts
  // within `reminder_before` seconds (0: none), and an evaluation invitation to each attendee of an event that ended
  // within the last week while its answers are open. Each carries a fresh private link. Answers how many were queued.
  virtual void queue_scheduled_mail(domain::time_point reminder_before, callback<std::int64_t>) = 0;
  // Organisers write to attendees: who the audience is now (active registrations whose data are not erased), and
  // one message to each of them, queued in one transaction. Answers how many were queued.
  virtual std::vector<domain::registration> audience_of(domain::id_t event_id, mail_audience) = 0;
  virtual void queue_event_message(domain::id_t event_id, mail_audience, std::string subject, std::string text,
                                   callback<std::int64_t>) = 0;
  // The confirmation (or waitlist notice) again, with a fresh private link beside the old one. not_found: no such
  // registration of the event; conflict: it is cancelled or its data were erased.
  virtual void resend_confirmation(domain::id_t event_id, domain::id_t registration_id, callback<bool>) = 0;

  // Counselling (../shared/API.md, Counselling). A session's persons are rows of `persons` keyed by the normalised
  // address, as registrations' are; `sessions` come as domain::normalise_support leaves them and validated. Each
  // write notes change::kind::support_saved. Unknown ids: not_found.
  virtual void create_support_session(domain::support_session, callback<domain::support_session>) = 0;
  virtual void update_support_session(domain::id_t, domain::support_session_patch, callback<domain::support_session>) = 0;
  virtual void delete_support_session(domain::id_t, callback<bool>) = 0;
  virtual std::optional<domain::support_session> get_support_session(domain::id_t) = 0;
  // The sessions dated in the period (both ends inclusive, either open), by date then id, each with its persons.
  virtual std::vector<domain::support_session> list_support_sessions(const domain::goal_period&) = 0;

  // Partner search (../shared/API.md, Partner search). A participant's profile by their private link, made or
  // replaced (conflict "reason": not_a_forum, not_registered).
  virtual void save_profile(std::string manage_token, domain::profile_fields, callback<domain::partner_profile>) = 0;
  virtual std::optional<domain::partner_profile> profile_of(domain::id_t registration_id) = 0;
  virtual std::optional<domain::partner_profile> get_profile(domain::id_t profile_id) = 0;
  // The profiles of a forum's active registrations (confirmed or waitlisted, not erased), with their names, by id.
  virtual std::vector<domain::partner_profile> forum_profiles(domain::id_t event_id) = 0;
  // The profiles their owners listed in the partner database (names left out), by id.
  virtual std::vector<domain::partner_profile> public_profiles() = 0;
  // Replaces the forum's slots and its number of tables. A slot sent with the times of an existing one keeps its id
  // (and its meetings); conflict when a slot that goes, or a table beyond the new number, holds a meeting.
  virtual void set_meeting_slots(domain::id_t event_id, std::vector<domain::meeting_slot>, int tables,
                                 callback<forum_slots>) = 0;
  virtual forum_slots meeting_slots(domain::id_t event_id) = 0;
  // A request from the link's registration to the owner of the profile; answered, or cancelled by either of the two;
  // accepting places the meeting at once (domain::forum_schedule) or refuses with no_common_slot. Refusals are
  // conflicts with a "reason" (domain::meeting_refusal); unknown links, profiles or requests: not_found.
  virtual void request_meeting(std::string manage_token, domain::id_t profile_id, std::optional<std::string> message,
                               callback<domain::meeting>) = 0;
  virtual void answer_meeting(std::string manage_token, domain::id_t meeting_id, bool accept, callback<domain::meeting>) = 0;
  virtual void withdraw_meeting(std::string manage_token, domain::id_t meeting_id, callback<domain::meeting>) = 0;
  virtual std::optional<domain::meeting> get_meeting(domain::id_t meeting_id) = 0;
  // A registration's requests and meetings, both ways, by id; a forum's, by id.
  virtual std::vector<domain::meeting> meetings_of(domain::id_t registration_id) = 0;
  virtual std::vector<domain::meeting> forum_meetings(domain::id_t event_id) = 0;
  // Organisers: a meeting moved to another slot and table (conflict when either participant or the table is taken
  // there), or cancelled.
  virtual void move_meeting(domain::id_t event_id, domain::id_t meeting_id, domain::id_t slot_id, int table,
                            callback<domain::meeting>) = 0;
  virtual void cancel_meeting(domain::id_t event_id, domain::id_t meeting_id, callback<domain::meeting>) = 0;
  virtual forum_figures figures_of_forum(domain::id_t event_id, domain::time_point now) = 0;
};

std::unique_ptr<store> make_sqlite_store(const domain::config&);
// PostgreSQL when cfg.database is a postgresql:// URL (issue 11: one node so far), else SQLite.
std::unique_ptr<store> make_store(const domain::config&);

}  // namespace eventd::store
