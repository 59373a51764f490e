// Sign-in, sign-out and users.
#include "api/services.hpp"

#include "auth/crypto.hpp"
#include "domain/time.hpp"

#include <cctype>

namespace eventd::api {
namespace {

std::string cookie_value(const std::string& header, const std::string& name) {
  std::size_t pos = 0;
  while (pos < header.size()) {
    while (pos < header.size() && (header[pos] == ' ' || header[pos] == ';')) ++pos;
    const auto eq = header.find('=', pos);
    if (eq == std::string::npos) break;
    const auto end = header.find(';', eq);
    if (header.compare(pos, eq - pos, name) == 0) return header.substr(eq + 1, end == std::string::npos ? std::string::npos : end - eq - 1);
    pos = end == std::string::npos ? header.size() : end + 1;
  }
  return {};
}

constexpr std::int64_t session_lifetime = 12 * 3600;
// How long a mailed password link works: an invitation three days, an admin's reset a day, "forgot password" two hours.
constexpr std::int64_t invitation_lifetime = 72 * 3600;
constexpr std::int64_t forced_reset_lifetime = 24 * 3600;
constexpr std::int64_t requested_reset_lifetime = 2 * 3600;



// Behind https the cookie must never travel over plain http (a downgraded or mixed-content request would leak it).
std::string cookie_attributes(const domain::config& cfg) {
  std::string scheme = cfg.public_url.substr(0, 8);
  for (auto& c : scheme) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return scheme == "https://" ? "; Path=/; HttpOnly; SameSite=Strict; Secure" : "; Path=/; HttpOnly; SameSite=Strict";
}

}  // namespace

void accounts_after_commit(services& s, const std::vector<store::change>& changes) {
  for (const auto& c : changes) {
    if (c.what == store::change::kind::resync) {  // another node's changes were missed: whatever is cached may be stale
      s.sessions.forget_if([](const store::session_record&) { return true; });
      return;
    }
    if (c.what != store::change::kind::account_changed) continue;
    s.sessions.forget_if([id = c.registration_id](const store::session_record& r) { return r.user.id == id; });
  }
}

std::string session_token(const request& req, bool* via_cookie) {
  const auto& authz = req.header("authorization");
  if (authz.size() > 7 && (authz.compare(0, 7, "Bearer ") == 0 || authz.compare(0, 7, "bearer ") == 0))
    return authz.substr(7);
  auto token = cookie_value(req.header("cookie"), session_cookie);
  if (via_cookie) *via_cookie = !token.empty();
  return token;
}

std::optional<principal> authenticate(services& s, const request& req) {
  bool cookie = false;
  const std::string token = session_token(req, &cookie);
  if (token.empty() || token.size() > 200) return std::nullopt;
  const auto hash = auth::sha256_hex(token);
  const auto now = domain::now();
  auto rec = s.sessions.find(hash, now);
  if (!rec) {
    rec = s.db.find_session(hash, now);
    if (!rec) return std::nullopt;
    s.sessions.put(hash, *rec, rec->expires_at, now);
  }
  return principal{rec->user, hash, rec->csrf_token, cookie};
}

std::optional<principal> require(services& s, const request& req, domain::role minimum, response& denied) {
  auto p = authenticate(s, req);
  if (!p) {
    denied = problem(401, "Not signed in", "sign in first (POST /api/v1/session)");
    denied.headers.emplace_back("WWW-Authenticate", "Bearer");
    return std::nullopt;
  }
  if (static_cast<int>(p->user.role) < static_cast<int>(minimum)) {
    denied = problem(403, "Forbidden", "this needs the " + std::string(domain::to_string(minimum)) + " role or above");
    return std::nullopt;
  }
  // A browser's cookie rides along on any site's request; a write must also prove it came from our page.
  if (p->via_cookie && req.method != "GET" && req.method != "HEAD" &&
      !auth::equal_constant_time(req.header("x-csrf-token"), p->csrf_token)) {
    denied = problem(403, "Forbidden", "missing or wrong X-CSRF-Token header");
    return std::nullopt;
  }
  return p;
}

void add_account_routes(router& r, services& s) {
  r.add("POST", "/api/v1/session", [&s](const request& req, const route_match&, responder done) {
    response err;
    auto body = parse_body(req, err);
    if (!body) return done(err);
    domain::field_errors errors;
    reader in(*body, errors);
    auto email = in.text("email", true);
    auto password = in.text("password", true);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    const auto key = domain::normalise_email(*email);
    const auto now = domain::now();
    // Reserved before the slow check, so a burst of concurrent guesses gets no more than the allowed number through.
    // Behind a trusted proxy, the client is the one X-Forwarded-For names, not the proxy all clients share.
    const auto client = auth::client_address(req.remote_address, req.header("x-forwarded-for"), s.trusted_proxies);
    if (auto wait = s.signin_throttle.begin(client, key, now)) {
      auto res = problem(429, "Too many attempts", "too many failed sign-ins for this address; wait and try again");
      res.headers.emplace_back("Retry-After", std::to_string(*wait));
      return done(res);
    }
    auto user = password->size() <= 1024 ? s.db.find_user(key) : std::nullopt;
    // argon2id takes tens of milliseconds on purpose: do it on the slow-work thread, not the connection's.
    run_slow(s, std::move(done), [&s, key, client, now, user = std::move(user), password = std::move(*password)](responder done) mutable {
    // An unknown address is checked against a dummy hash of the same cost: the answer takes as long either way.
    const bool known = user.has_value();
    const bool right = password.size() <= 1024 &&
                       auth::verify_password(password, known ? user->password_hash : s.dummy_password_hash) && known &&
                       user->user.active;
    if (!right) return done(problem(401, "Sign-in failed", "wrong e-mail address or password"));
    s.signin_throttle.succeeded(client, key);
    auto token = auth::random_token(32);
    auto csrf = auth::random_token(24);
    auto u = user->user;
    s.db.create_session(u.id, auth::sha256_hex(token), csrf, now + session_lifetime,
                        reply<bool>(std::move(done), [=, attributes = cookie_attributes(s.cfg)](bool) {
                          auto res = json_response(200, {{"token", token}, {"csrf_token", csrf}, {"user", user_json(u)},
                                                         {"expires_in", session_lifetime}});
                          res.headers.emplace_back("Set-Cookie", std::string(session_cookie) + "=" + token + attributes +
                                                                     "; Max-Age=" + std::to_string(session_lifetime));
                          res.headers.emplace_back("Cache-Control", "no-store");
                          return res;
                        }));
    });
  });

  r.add("GET", "/api/v1/session", [&s](const request& req, const route_match&, responder done) {
    response denied;
    auto p = require(s, req, domain::role::steering, denied);
    if (!p) return done(denied);
    done(json_response(200, {{"user", user_json(p->user)}, {"csrf_token", p->csrf_token}}));
  });

  r.add("DELETE", "/api/v1/session", [&s](const request& req, const route_match&, responder done) {
    response denied;
    auto p = require(s, req, domain::role::steering, denied);
    if (!p) return done(denied);
    s.sessions.forget(p->token_hash);
    s.db.delete_session(p->token_hash, reply<bool>(std::move(done), [attributes = cookie_attributes(s.cfg)](bool) {
                          response res;
                          res.status = 204;
                          res.content_type.clear();
                          res.headers.emplace_back("Set-Cookie", std::string(session_cookie) + "=" + attributes + "; Max-Age=0");
                          return res;
                        }));
  });

  r.add("POST", "/api/v1/users", [&s](const request& req, const route_match&, responder done) {
    response denied;
    if (!require(s, req, domain::role::admin, denied)) return done(denied);
    auto body = parse_body(req, denied);
    if (!body) return done(denied);
    domain::field_errors errors;
    reader in(*body, errors);
    auto email = in.text("email", true);
    auto name = in.text("name", true);
    auto role = in.text("role", true);
    auto password = in.text("password");
    if (email)
      if (auto problem = domain::email_problem(*email)) errors.push_back({"email", std::move(*problem)});
    if (name && (domain::trim(*name).empty() || !domain::valid_text(*name, domain::max_name)))
      errors.push_back({"name", "must be 1 to 200 characters"});
    if (role && !domain::role_from(*role)) errors.push_back({"role", "must be one of: admin, organiser, steering"});
    if (password && (password->size() < 10 || password->size() > 1024))
      errors.push_back({"password", "must be 10 to 1024 characters"});
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    domain::user u{0, *email, domain::trim(*name), *domain::role_from(*role)};
    // Without a password the new user is mailed a link to choose one: the admin never knows it.
    if (!password)
      return s.db.invite_user(u, auth::random_token(32), domain::now() + invitation_lifetime,
                              reply<domain::user>(std::move(done), [](const domain::user& created) { return json_response(201, user_json(created)); }));
    run_slow(s, std::move(done), [&s, u, password = std::move(*password)](responder done) mutable {
      s.db.create_user(u, auth::hash_password(password, s.cfg.password_cost == "moderate"),
                       reply<domain::user>(std::move(done), [](const domain::user& created) { return json_response(201, user_json(created)); }));
    });
  });

  r.add("GET", "/api/v1/users/{id}", [&s](const request& req, const route_match& m, responder done) {
    response denied;
    if (!require(s, req, domain::role::admin, denied)) return done(denied);
    auto u = m.id("id") > 0 ? s.db.get_user(m.id("id")) : std::nullopt;
    if (!u) return done(problem(404, "Not found", "no such user"));
    done(json_response(200, user_json(*u)));
  });

  r.add("PATCH", "/api/v1/users/{id}", [&s](const request& req, const route_match& m, responder done) {
    response denied;
    auto p = require(s, req, domain::role::admin, denied);
    if (!p) return done(denied);
    auto body = parse_body(req, denied);
    if (!body) return done(denied);
    const auto id = m.id("id");
    if (id <= 0) return done(problem(404, "Not found", "no such user"));
    domain::field_errors errors;
    reader in(*body, errors);
    auto name = in.text("name");
    auto role = in.text("role");
    auto active = in.boolean("active");
    if (name && (domain::trim(*name).empty() || !domain::valid_text(*name, domain::max_name)))
      errors.push_back({"name", "must be 1 to 200 characters"});
    if (role && !domain::role_from(*role)) errors.push_back({"role", "must be one of: admin, organiser, steering"});
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    std::optional<domain::role> new_role;
    if (role) new_role = domain::role_from(*role);
    if (name) name = domain::trim(*name);
    s.db.update_user(id, p->user.id, std::move(name), new_role, active,
                     reply<domain::user>(std::move(done), [](const domain::user& u) { return json_response(200, user_json(u)); }));
  });

  r.add("POST", "/api/v1/users/{id}/password-reset", [&s](const request& req, const route_match& m, responder done) {
    response denied;
    auto p = require(s, req, domain::role::admin, denied);
    if (!p) return done(denied);
    const auto id = m.id("id");
    if (id <= 0) return done(problem(404, "Not found", "no such user"));
    s.db.force_password_reset(id, p->user.id, auth::random_token(32), domain::now() + forced_reset_lifetime,
                              reply<domain::user>(std::move(done), [](const domain::user& u) { return json_response(202, user_json(u)); }));
  });

  // "Forgot my password": the same answer whoever asks, so nobody learns which addresses are accounts.
  r.add("POST", "/api/v1/password-reset", [&s](const request& req, const route_match&, responder done) {
    auto body = public_write_body(s, req, done);
    if (!body) return;
    domain::field_errors errors;
    reader in(*body, errors);
    auto email = in.text("email", true);
    if (email && domain::email_problem(*email)) errors.push_back({"email", "must be an e-mail address"});
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    s.db.request_password_reset(*email, auth::random_token(32), domain::now() + requested_reset_lifetime,
                                reply<bool>(std::move(done), [](bool) {
                                  return json_response(202, {{"detail", "if the address belongs to an account, a link to choose a new password is on its way"}});
                                }));
  });

  r.add("POST", "/api/v1/password-reset/complete", [&s](const request& req, const route_match&, responder done) {
    auto body = public_write_body(s, req, done);
    if (!body) return;
    domain::field_errors errors;
    reader in(*body, errors);
    auto token = in.text("token", true);
    auto password = in.text("password", true);
    if (token && (token->empty() || token->size() > 200)) errors.push_back({"token", "this link is unknown, used or expired"});
    if (password && (password->size() < 10 || password->size() > 1024))
      errors.push_back({"password", "must be 10 to 1024 characters"});
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    // A link that cannot work costs no password hash (the write below checks it again, under the writer).
    const auto unusable = [] {
      return problem(422, "Invalid fields", "the link cannot be used", {{"token", "this link is unknown, used or expired"}});
    };
    if (!s.db.password_link_valid(*token, domain::now())) return done(unusable());
    run_slow(s, std::move(done), [&s, unusable, token = std::move(*token), password = std::move(*password)](responder done) mutable {
      s.db.complete_password_reset(
          token, auth::hash_password(password, s.cfg.password_cost == "moderate"), domain::now(),
          [unusable, done = std::move(done)](store::outcome<domain::user> r) mutable {
            if (!r.ok() && r.error().code == store::errc::not_found) return done(unusable());
            reply<domain::user>(std::move(done), [](const domain::user&) {
              response res;
              res.status = 204;
              res.content_type.clear();
              return res;
            })(std::move(r));
          });
    });
  });

  r.add("GET", "/api/v1/users", [&s](const request& req, const route_match&, responder done) {
    response denied;
    if (!require(s, req, domain::role::admin, denied)) return done(denied);
    json items = json::array();
    for (const auto& u : s.db.list_users()) items.push_back(user_json(u));
    done(json_response(200, {{"items", items}}));
  });
}

}  // namespace eventd::api
