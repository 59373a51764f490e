// Users and sessions of the SQLite store.
#include "store/sql/sql_store.hpp"

#include "auth/crypto.hpp"
#include "domain/time.hpp"

namespace eventd::store::sql {
namespace {

// A user as read_user reads it, first in the statement's columns.
#define USER_COLUMNS "u.id, u.email, u.name, u.role, u.active, u.password_reset_pending, u.created_at"
constexpr sql_text user_columns{USER_COLUMNS};

domain::user read_user(statement& q) {
  constexpr auto& col = user_columns;
  domain::user u;
  u.id = q.getColumn(col["id"]).getInt64();
  u.email = q.getColumn(col["email"]).getString();
  u.name = q.getColumn(col["name"]).getString();
  u.role = domain::role_from(q.getColumn(col["role"]).getString()).value_or(domain::role::steering);
  u.active = q.getColumn(col["active"]).getInt() != 0;
  u.password_reset_pending = q.getColumn(col["password_reset_pending"]).getInt() != 0;
  u.created_at = q.getColumn(col["created_at"]).getInt64();
  return u;
}

// The user with this id as the connection sees it, if any.
std::optional<domain::user> user_row(connection& c, id_t id) {
  auto& q = c.prepare("SELECT " USER_COLUMNS " FROM users u WHERE u.id = ?");
  q.bind(1, id);
  std::optional<domain::user> u;
  if (q.executeStep()) u = read_user(q);
  q.reset();
  return u;
}

// The same in a write: not_found when there is none.
domain::user user_in(connection& c, id_t id) {
  auto u = user_row(c, id);
  if (!u) fail(errc::not_found, "no such user");
  return *u;
}

// A new user with this password hash (normalised e-mail); conflict when the address is taken. Answers its id.
id_t insert_user(connection& c, const domain::user& u, const std::string& hash, bool reset_pending) {
  auto& q = c.prepare(
      "INSERT INTO users(email, name, role, password_hash, created_at, password_reset_pending) "
      "VALUES (:email, :name, :role, :password_hash, :now, :pending) ON CONFLICT(email) DO NOTHING");
  q.bind(":email", u.email);
  q.bind(":name", u.name);
  q.bind(":role", std::string(domain::to_string(u.role)));
  q.bind(":password_hash", hash);
  q.bind(":now", static_cast<std::int64_t>(domain::now()));
  q.bind(":pending", reset_pending ? 1 : 0);
  if (q.exec() == 0) fail(errc::conflict, "a user with this e-mail address exists", {{"reason", "email_taken"}});
  return c.last_insert_id();
}

void end_sessions_and_links(connection& c, id_t user_id) {
  auto& d = c.prepare("DELETE FROM sessions WHERE user_id = ?");
  d.bind(1, user_id);
  d.exec();
  auto& l = c.prepare("DELETE FROM password_resets WHERE user_id = ?");
  l.bind(1, user_id);
  l.exec();
}

// A password link for the user: its hash kept (the user's earlier links go), its secret mailed.
void add_link(connection& c, id_t user_id, const std::string& secret, domain::time_point expires) {
  auto& l = c.prepare("DELETE FROM password_resets WHERE user_id = ?");
  l.bind(1, user_id);
  l.exec();
  auto& q = c.prepare("INSERT INTO password_resets(token_hash, user_id, created_at, expires_at) VALUES (?, ?, ?, ?)");
  q.bind(1, auth::sha256_hex(secret));
  q.bind(2, user_id);
  q.bind(3, static_cast<std::int64_t>(domain::now()));
  q.bind(4, static_cast<std::int64_t>(expires));
  q.exec();
}

}  // namespace

std::int64_t sql_store::user_count() {
  auto c = borrow();
  return scalar_int(*c, "SELECT count(*) FROM users");
}

std::optional<user_record> sql_store::find_user(const std::string& email) {
  auto c = borrow();
  static constexpr sql_text sql{"SELECT " USER_COLUMNS ", u.password_hash FROM users u WHERE u.email = ?"};
  auto& q = c->prepare(sql.c_str());
  q.bind(1, domain::normalise_email(email));
  if (!q.executeStep()) return std::nullopt;
  user_record u;
  u.user = read_user(q);
  u.password_hash = q.getColumn(sql["password_hash"]).getString();
  return u;
}

std::vector<domain::user> sql_store::list_users() {
  auto c = borrow();
  auto& q = c->prepare("SELECT " USER_COLUMNS " FROM users u ORDER BY u.id");
  std::vector<domain::user> out;
  while (q.executeStep()) out.push_back(read_user(q));
  return out;
}

void sql_store::create_user(domain::user u, std::string hash, callback<domain::user> cb) {
  write<domain::user>(
      [u = std::move(u), hash = std::move(hash)](connection& c) mutable {
        u.email = domain::normalise_email(u.email);
        u.id = insert_user(c, u, hash, false);
        return u;
      },
      std::move(cb));
}

void sql_store::set_password(std::string email, std::string hash, callback<domain::user> cb) {
  write<domain::user>(
      [this, email = domain::normalise_email(email), hash = std::move(hash)](connection& c) {
        auto& q = c.prepare("UPDATE users SET password_hash = ?, password_reset_pending = 0 WHERE email = ?");
        q.bind(1, hash);
        q.bind(2, email);
        if (q.exec() == 0) fail(errc::not_found, "no user with this e-mail address");
        auto& u = c.prepare("SELECT id FROM users WHERE email = ?");
        u.bind(1, email);
        u.executeStep();
        const auto id = u.getColumn(0).getInt64();
        u.reset();
        // Whoever held the old password is signed out everywhere, and a link mailed earlier no longer works.
        end_sessions_and_links(c, id);
        noted(change::kind::account_changed, id, 0);
        return user_in(c, id);
      },
      std::move(cb));
}

std::optional<domain::user> sql_store::get_user(id_t id) {
  auto c = borrow();
  return user_row(*c, id);
}

void sql_store::update_user(id_t id, id_t actor, std::optional<std::string> name, std::optional<domain::role> role,
                            std::optional<bool> active, callback<domain::user> cb) {
  write<domain::user>(
      [=, this](connection& c) {
        auto u = user_in(c, id);
        const bool demoted = role && u.role == domain::role::admin && *role != domain::role::admin;
        const bool deactivated = active && u.active && !*active;
        if (id == actor && (demoted || deactivated))
          fail(errc::conflict, "you cannot take your own admin role or deactivate yourself; ask another admin", {{"reason", "self"}});
        if (u.active && u.role == domain::role::admin && (demoted || deactivated) &&
            scalar_int(c, "SELECT count(*) FROM users WHERE role = 'admin' AND active = 1") <= 1)
          fail(errc::conflict, "this is the last active admin; make another admin first", {{"reason", "last_admin"}});
        auto& q = c.prepare(
            "UPDATE users SET name = coalesce(?, name), role = coalesce(?, role), active = coalesce(?, active) WHERE id = ?");
        if (name) q.bind(1, *name); else q.bind(1);
        if (role) q.bind(2, std::string(domain::to_string(*role))); else q.bind(2);
        if (active) q.bind(3, *active ? 1 : 0); else q.bind(3);
        q.bind(4, id);
        q.exec();
        if (deactivated) end_sessions_and_links(c, id);
        if (role || active) noted(change::kind::account_changed, id, 0);
        return user_in(c, id);
      },
      std::move(cb));
}

void sql_store::invite_user(domain::user u, std::string secret, domain::time_point expires, callback<domain::user> cb) {
  write<domain::user>(
      [this, u = std::move(u), secret = std::move(secret), expires](connection& c) mutable {
        u.email = domain::normalise_email(u.email);
        // "!" is no argon2 hash: no password matches it until the invitation's link sets one.
        const auto id = insert_user(c, u, "!", true);
        add_link(c, id, secret, expires);
        queue_account_mail(c, "account_invite", u.email, secret);
        return user_in(c, id);
      },
      std::move(cb));
}

void sql_store::force_password_reset(id_t id, id_t actor, std::string secret, domain::time_point expires,
                                     callback<domain::user> cb) {
  write<domain::user>(
      [this, id, actor, secret = std::move(secret), expires](connection& c) {
        if (id == actor) fail(errc::conflict, "change your own password through \"forgot password\" instead", {{"reason", "self"}});
        auto u = user_in(c, id);
        auto& q = c.prepare("UPDATE users SET password_hash = '!', password_reset_pending = 1 WHERE id = ?");
        q.bind(1, id);
        q.exec();
        end_sessions_and_links(c, id);
        noted(change::kind::account_changed, id, 0);
        // A deactivated user is not mailed: the link would not work until an admin reactivates them.
        if (u.active) {
          add_link(c, id, secret, expires);
          queue_account_mail(c, "password_reset", u.email, secret);
        }
        return user_in(c, id);
      },
      std::move(cb));
}

void sql_store::request_password_reset(std::string email, std::string secret, domain::time_point expires,
                                       callback<bool> cb) {
  write<bool>(
      [this, email = domain::normalise_email(email), secret = std::move(secret), expires](connection& c) {
        auto& q = c.prepare("SELECT id FROM users WHERE email = ? AND active = 1");
        q.bind(1, email);
        if (!q.executeStep()) {
          q.reset();
          return false;
        }
        const auto id = q.getColumn(0).getInt64();
        q.reset();
        add_link(c, id, secret, expires);
        queue_account_mail(c, "password_reset", email, secret);
        return true;
      },
      std::move(cb));
}

bool sql_store::password_link_valid(const std::string& secret, domain::time_point now) {
  auto c = borrow();
  auto& q = c->prepare(
      "SELECT 1 FROM password_resets p JOIN users u ON u.id = p.user_id WHERE p.token_hash = ? AND p.expires_at > ? "
      "AND u.active = 1");
  q.bind(1, auth::sha256_hex(secret));
  q.bind(2, static_cast<std::int64_t>(now));
  return q.executeStep();
}

void sql_store::complete_password_reset(std::string secret, std::string hash, domain::time_point now,
                                        callback<domain::user> cb) {
  write<domain::user>(
      [this, token_hash = auth::sha256_hex(secret), hash = std::move(hash), now](connection& c) {
        auto& q = c.prepare(
            "SELECT p.user_id FROM password_resets p JOIN users u ON u.id = p.user_id "
            "WHERE p.token_hash = ? AND p.expires_at > ? AND u.active = 1");
        q.bind(1, token_hash);
        q.bind(2, static_cast<std::int64_t>(now));
        if (!q.executeStep()) {
          q.reset();
          fail(errc::not_found, "this link is unknown, used or expired");
        }
        const auto id = q.getColumn(0).getInt64();
        q.reset();
        auto& u = c.prepare("UPDATE users SET password_hash = ?, password_reset_pending = 0 WHERE id = ?");
        u.bind(1, hash);
        u.bind(2, id);
        u.exec();
        end_sessions_and_links(c, id);
        noted(change::kind::account_changed, id, 0);
        return user_in(c, id);
      },
      std::move(cb));
}

std::optional<session_record> sql_store::find_session(const std::string& token_hash, domain::time_point now) {
  auto c = borrow();
  static constexpr sql_text sql{
      "SELECT " USER_COLUMNS ", s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.token_hash = :token_hash AND s.expires_at > :now AND u.active = 1"};
  auto& q = c->prepare(sql.c_str());
  q.bind(":token_hash", token_hash);
  q.bind(":now", static_cast<std::int64_t>(now));
  if (!q.executeStep()) return std::nullopt;
  return session_record{read_user(q), q.getColumn(sql["csrf_token"]).getString(),
                        q.getColumn(sql["expires_at"]).getInt64()};
}

void sql_store::create_session(id_t user_id, std::string token_hash, std::string csrf, domain::time_point expires,
                                  callback<bool> cb) {
  write<bool>(
      [=](connection& c) {
        auto& q = c.prepare(
            "INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at) "
            "VALUES (:token_hash, :user_id, :csrf_token, :now, :expires_at)");
        q.bind(":token_hash", token_hash);
        q.bind(":user_id", user_id);
        q.bind(":csrf_token", csrf);
        q.bind(":now", static_cast<std::int64_t>(domain::now()));
        q.bind(":expires_at", static_cast<std::int64_t>(expires));
        q.exec();
        // Old sessions go as new ones come, so the table does not grow without end.
        auto& d = c.prepare("DELETE FROM sessions WHERE expires_at <= ?");
        d.bind(1, static_cast<std::int64_t>(domain::now()));
        d.exec();
        return true;
      },
      std::move(cb));
}

void sql_store::delete_session(std::string token_hash, callback<bool> cb) {
  write<bool>(
      [token_hash](connection& c) {
        auto& q = c.prepare("DELETE FROM sessions WHERE token_hash = ?");
        q.bind(1, token_hash);
        return q.exec() > 0;
      },
      std::move(cb));
}

}  // namespace eventd::store::sql
