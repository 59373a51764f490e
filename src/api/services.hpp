// What every handler may use, and the checks they share: who is calling, with which role.
#pragma once

#include "api/http_types.hpp"
#include "api/json.hpp"
#include "api/blocking.hpp"
#include "api/mail.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "auth/auth.hpp"
#include "auth/rate_limit.hpp"
#include "auth/crypto.hpp"
#include "domain/config.hpp"
#include "domain/goal_tally.hpp"
#include "store/store.hpp"

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>

namespace eventd::api {

class live_goals;

// The partner profiles of each forum, read from the store once after each change to them and shared: matches rank
// among thousands of profiles from memory. note() takes each commit's changes (the writer's commit hook): a profile
// written, a registration cancelled, erased or edited makes its forum's copy stale. A copy read while a commit
// landed is never kept (each forum's generation is compared before and after the read).
class profile_cache {
public:
  void note(const std::vector<store::change>&);
  std::shared_ptr<const std::vector<domain::partner_profile>> forum(store::store&, domain::id_t event_id);

private:
  struct entry {
    std::uint64_t generation = 0;
    std::shared_ptr<const std::vector<domain::partner_profile>> profiles;
  };
  std::mutex mutex_;
  std::map<domain::id_t, std::uint64_t> generations_;
  std::map<domain::id_t, entry> entries_;
};

struct services {
  store::store& db;
  domain::config cfg;
  auth::signin_throttle signin_throttle;
  // Checked when the address names no user, so an unknown address costs as much time as a wrong password.
  std::string dummy_password_hash;
  api::metrics& stats;
  api::mail_sender* mail = nullptr;  // none in unit tests, or with mail off
  blocking_pool slow;           // password hashing
  auth::session_cache<store::session_record> sessions{5};
  // Abuse limits of the public form: writes per client address, confirmation mails per recipient.
  auth::token_buckets public_writes;
  auth::token_buckets mail_recipients;
  std::vector<auth::ip_network> trusted_proxies;
  // The live goals' tally, which also answers GET /api/v1/goals (none in unit tests).
  live_goals* goals = nullptr;
  profile_cache profiles;
  // Heavy reads (exports, full lists, goal figures): two threads, at most 16 waiting.
  read_pool reads{2, 16};

  services(store::store& s, const domain::config& c, api::metrics& m)
      : db(s),
        cfg(c),
        signin_throttle(c.signin_max_failures, c.signin_window_seconds),
        dummy_password_hash(auth::hash_password(auth::random_token(16), c.password_cost == "moderate")),
        stats(m),
        public_writes(c.public_write_burst, std::int64_t{c.public_write_refill_seconds} * 1000),
        mail_recipients(c.mail_per_recipient_per_hour, c.mail_per_recipient_per_hour > 0 ? 3'600'000 / c.mail_per_recipient_per_hour : 1) {
    for (const auto& p : c.trusted_proxies)
      if (auto n = auth::parse_network(p)) trusted_proxies.push_back(*n);
  }
};

// Runs `work(done)` on the slow-work pool. When its queue is full (or it has stopped) the caller hears 503 with
// Retry-After at once instead of waiting behind a flood.
template <class F>
void run_slow(services& s, responder done, F work) {
  auto shared = std::make_shared<responder>(std::move(done));
  const bool queued = s.slow.post([shared, work = std::move(work)]() mutable { work(std::move(*shared)); });
  if (queued) return;
  auto busy = problem(503, "Busy", "the server has too much slow work queued; try again shortly");
  busy.headers.emplace_back("Retry-After", "2");
  (*shared)(std::move(busy));
}

struct principal {
  domain::user user;
  std::string token_hash;
  std::string csrf_token;
  bool via_cookie = false;
};

inline constexpr const char* session_cookie = "eventd_session";

// The session token a request carries: its bearer, else its session cookie (then *via_cookie is set); empty when none.
std::string session_token(const request&, bool* via_cookie = nullptr);
std::optional<principal> authenticate(services&, const request&);
// The client's address: the socket's peer, or what a trusted proxy says in X-Forwarded-For.
std::string client_of(const services&, const request&);
// True when this client has used up its public writes; `done` has then been answered 429 with Retry-After.
bool over_public_limit(services&, const request&, const responder& done);
// A public write's JSON body, once the client is within its allowance: nullopt when `done` has been answered (429, or
// the 400/413/415 of a body that is no JSON object).
std::optional<json> public_write_body(services&, const request&, const responder& done);
// The caller when they hold at least `minimum`; otherwise `denied` is the 401/403 to send (CSRF included).
std::optional<principal> require(services&, const request&, domain::role minimum, response& denied);

// The goals document of GET /api/v1/goals (also the live topic `goals`).
// `period`: the ?from=&to= the figures were limited to (echoed as "period", nulls when open).
// A period as the documents echo it: {"from","to"}, null at an open end.
json period_json(const domain::goal_period&);
json goals_json(const domain::goals&, const domain::goal_period& period = {});
// The live `goals` topic, kept by a tally that follows the commits (domain::goal_tally): note() takes each commit's
// changes (on the writer's thread, from the commit hook, before the hub hears of them); document() reads back only
// the events and registrations they touched, one row each, and renders the figures (on the hub's thread). The first
// document() loads every fact once.
// GET /api/v1/goals is answered from the same tally when it holds exactly the facts asked for (no period, or a period
// every fact falls in). Nothing is noted before the first document() or figures(): that first call loads every fact.
class live_goals {
public:
  explicit live_goals(services&);
  void note(const std::vector<store::change>&);
  std::string document();
  // The goals document (goals_json) over `period` from the tally, caught up with the commits, or nullopt when the
  // tally does not hold exactly that period's facts (then they come from the store). With `may_block` false (an I/O
  // thread) it also answers nullopt rather than wait for the tally or read the store: when the tally is busy, or
  // behind the commits. The last rendering is kept until the next change or the next second.
  std::optional<std::string> body(const domain::goal_period&, bool may_block);

private:
  void catch_up();  // under tally_mutex_

  services& s_;
  std::mutex mutex_;  // the changes noted since the last catch_up()
  bool keeping_ = false;
  std::set<domain::id_t> events_, registrations_;
  std::map<domain::id_t, domain::goal_attendance> attendances_;  // attendances the writer reported with their change
  bool support_dirty_ = false;
  bool reload_ = false;  // a resync: every fact is read again at the next catch_up()
  std::set<domain::id_t> evaluated_events_;  // events whose evaluation answers changed since the last catch_up()
  std::mutex tally_mutex_;  // the tally and loaded_
  bool loaded_ = false;
  domain::goal_tally tally_;
  struct rendering {
    std::string body;
    domain::goal_period period;
    domain::time_point at = 0;
  };
  std::optional<rendering> rendered_;  // under tally_mutex_
};

// The live topics' states: `goals` from the tally, the others read from the store once per change burst
// (live::topic_source; docs/ARCHITECTURE.md).
std::function<std::optional<std::string>(const std::string& topic)> live_topics(services&, live_goals&);

// The resources' routes.
void add_system_routes(router&, services&);
void add_account_routes(router&, services&);
void add_event_routes(router&, services&);
void add_registration_routes(router&, services&);
void add_mail_routes(router&, services&);
void add_checkin_routes(router&, services&);
void add_report_routes(router&, services&);
void add_static_files(router&, services&);
void add_evaluation_routes(router&, services&);
void add_all_routes(router&, services&);
void add_support_routes(router&, services&);
void add_partner_routes(router&, services&);
// The live topic partner:{registration_id}: the participant's requests (both ways, newest first) and agenda, as
// GET .../meeting-requests and .../agenda answer them: {"requests":[...],"agenda":[...]}. None for an unknown id.
std::optional<std::string> partner_topic(services&, domain::id_t registration_id);
// A message about a meeting (kind meeting_*) to the registration `r`, composed from the meeting as it now is.
composed compose_meeting_mail(services&, const store::mail_item&, const domain::registration& r, const domain::event& e);
// Runs `work` on the read pool and answers with what it returns (from that thread: the responder posts back to the
// connection). When the pool is full, answers 503 with Retry-After at once.
void run_heavy(services&, responder done, std::function<response()> work);
// What a scan answers, the same whether it came alone or in a batch, first or repeated (the store renders with it).
store::scan_answer render_scan(const store::checkin_outcome&);
// The ?from=&to= period of the goals and the reports (YYYY-MM-DD, Stockholm days, inclusive; either may be left out);
// nullopt with `error` set to the 400 problem when a date is malformed or `to` is before `from`.
std::optional<domain::goal_period> read_period(const request&, response& error);
// Every goal fact as it now is, limited to the period (domain::limit_to_period). A heavy read: run it off the I/O threads.
store::goal_facts goal_facts_in(services&, const domain::goal_period&);
// A registration's fields in the CSV exports, in their column order.
std::vector<std::string> registration_csv_row(const domain::registration&);
// Tells a participant moved up from the waitlist that they have a place (run off the writer thread).
// The participants' mail after a commit (store::on_commit): a confirmation for each registration made by the form,
// a message to each person moved up from the waitlist, and erased people's kept messages removed. Composed on the
// mail thread.
void mail_after_commit(services&, const std::vector<store::change>&);
// Staff accounts after a commit, this node's or another's: the cached sessions of a user whose role, status or
// password changed are dropped, so the change holds at once on every node.
void accounts_after_commit(services&, const std::vector<store::change>&);
// A message waiting in the outbox as it is sent now (on the sender's thread): read from the registration and the
// event as they are, in the participant's language; none (and why) when there is nobody to write to.
composed compose_queued(services&, const store::mail_item&, round_events&);
// Whether a path segment can be a manage token at all (a cheap check before any lookup), and the 404 for one that
// names no registration: the same for every /my/registrations route.
bool plausible_token(const std::string&);
response unknown_token();
// The start of a participant's write by their private link: the public write limit, a JSON object body and the
// registration the link names. nullopt when `done` has already been answered (429, 400/415, 404).
struct link_write {
  json body;
  std::string token;
  domain::registration registration;
};
std::optional<link_write> begin_link_write(services&, const request&, const route_match&, const responder& done);
// The evaluation figures as /goals and an event's results show them.
json evaluation_figures_json(const domain::evaluation_figures&);
// Reads the participant's fields into `p`, collecting every problem.
void read_person(reader&, domain::person_fields& p, bool require_consent);
// Wraps a store callback: a failure becomes its problem, a value goes through `ok`. Store callbacks run on the
// writer thread, so the response is built later, on the connection's own thread: the writer only hands it over.
template <class T, class F>
store::callback<T> reply(responder done, F ok) {
  return [done = std::move(done), ok = std::move(ok)](store::outcome<T> r) mutable {
    response deferred;
    deferred.finish = [ok = std::move(ok), r = std::make_shared<store::outcome<T>>(std::move(r))](response& out) {
      response built = r->ok() ? ok(r->value()) : problem_from(r->error());
      out.status = built.status;
      out.content_type = std::move(built.content_type);
      out.body = std::move(built.body);
      out.headers = std::move(built.headers);
    };
    done(std::move(deferred));
  };
}

}  // namespace eventd::api
