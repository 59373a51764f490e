// What every handler may use, and the checks they share: who is calling, with which role.
#pragma once

#include "api/http_types.hpp"
#include "api/json.hpp"
#include "api/blocking.hpp"
#include "api/mail.hpp"
#include "api/metrics.hpp"
#include "api/router.hpp"
#include "auth/auth.hpp"
#include "auth/crypto.hpp"
#include "domain/config.hpp"
#include "store/store.hpp"

#include <memory>
#include <optional>
#include <string>

namespace eventd::api {

struct services {
  store::store& db;
  domain::config cfg;
  auth::signin_throttle signin_throttle;
  // Checked when the address names no user, so an unknown address costs as much time as a wrong password.
  std::string dummy_password_hash;
  api::metrics& stats;
  api::outbox* mail = nullptr;  // none in unit tests
  blocking_pool slow;           // password hashing
  auth::session_cache<store::session_record> sessions{5};

  services(store::store& s, const domain::config& c, api::metrics& m)
      : db(s), cfg(c), signin_throttle(c.signin_max_failures, c.signin_window_seconds),
        dummy_password_hash(auth::hash_password(auth::random_token(16), c.password_cost == "moderate")),
        stats(m) {}
};

struct principal {
  domain::user user;
  std::string token_hash;
  std::string csrf_token;
  bool via_cookie = false;
};

inline constexpr const char* session_cookie = "eventd_session";

std::optional<principal> authenticate(services&, const request&);
// The caller when they hold at least `minimum`; otherwise `denied` is the 401/403 to send (CSRF included).
std::optional<principal> require(services&, const request&, domain::role minimum, response& denied);

// The resources' routes.
void add_system_routes(router&, services&);
void add_account_routes(router&, services&);
void add_event_routes(router&, services&);
void add_registration_routes(router&, services&);
void add_checkin_routes(router&, services&);
void add_report_routes(router&, services&);
void add_static_files(router&, services&);
void add_all_routes(router&, services&);

// Tells a participant moved up from the waitlist that they have a place (run off the writer thread).
void send_promotion_mail(services&, domain::id_t registration_id);
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
