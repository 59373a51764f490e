// Users and sessions of the SQLite store.
#include "store/sql/sql_store.hpp"

#include "domain/time.hpp"

namespace eventd::store::sql {
namespace {

// A user as read_user reads it, first in the statement's columns.
#define USER_COLUMNS "u.id, u.email, u.name, u.role"
constexpr sql_text user_columns{USER_COLUMNS};

domain::user read_user(statement& q) {
  constexpr auto& col = user_columns;
  domain::user u;
  u.id = q.getColumn(col["id"]).getInt64();
  u.email = q.getColumn(col["email"]).getString();
  u.name = q.getColumn(col["name"]).getString();
  u.role = domain::role_from(q.getColumn(col["role"]).getString()).value_or(domain::role::steering);
  return u;
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
        auto& q = c.prepare(
            "INSERT INTO users(email, name, role, password_hash, created_at) "
            "VALUES (:email, :name, :role, :password_hash, :now) ON CONFLICT(email) DO NOTHING");
        q.bind(":email", u.email);
        q.bind(":name", u.name);
        q.bind(":role", std::string(domain::to_string(u.role)));
        q.bind(":password_hash", hash);
        q.bind(":now", static_cast<std::int64_t>(domain::now()));
        if (q.exec() == 0) fail(errc::conflict, "a user with this e-mail address exists");
        u.id = c.last_insert_id();
        return u;
      },
      std::move(cb));
}

void sql_store::set_password(std::string email, std::string hash, callback<domain::user> cb) {
  write<domain::user>(
      [email = domain::normalise_email(email), hash = std::move(hash)](connection& c) {
        auto& q = c.prepare("UPDATE users SET password_hash = ? WHERE email = ?");
        q.bind(1, hash);
        q.bind(2, email);
        if (q.exec() == 0) fail(errc::not_found, "no user with this e-mail address");
        auto& u = c.prepare("SELECT id, name, role FROM users WHERE email = ?");
        u.bind(1, email);
        u.executeStep();
        domain::user out;
        out.id = u.getColumn(0).getInt64();
        out.email = email;
        out.name = u.getColumn(1).getString();
        out.role = domain::role_from(u.getColumn(2).getString()).value_or(domain::role::steering);
        u.reset();
        // Whoever held the old password is signed out everywhere.
        auto& d = c.prepare("DELETE FROM sessions WHERE user_id = ?");
        d.bind(1, out.id);
        d.exec();
        return out;
      },
      std::move(cb));
}

std::optional<session_record> sql_store::find_session(const std::string& token_hash, domain::time_point now) {
  auto c = borrow();
  static constexpr sql_text sql{
      "SELECT " USER_COLUMNS ", s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.token_hash = :token_hash AND s.expires_at > :now"};
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
