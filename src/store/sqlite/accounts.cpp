// Users and sessions of the SQLite store.
#include "store/sqlite/sqlite_store.hpp"

#include "domain/time.hpp"

namespace eventd::store::sqlite {
namespace {

domain::user read_user(SQLite::Statement& q) {
  domain::user u;
  u.id = q.getColumn(0).getInt64();
  u.email = q.getColumn(1).getString();
  u.name = q.getColumn(2).getString();
  u.role = domain::role_from(q.getColumn(3).getString()).value_or(domain::role::steering);
  return u;
}

}  // namespace

std::int64_t sqlite_store::user_count() {
  auto c = borrow();
  return c->db().execAndGet("SELECT count(*) FROM users").getInt64();
}

std::optional<user_record> sqlite_store::find_user(const std::string& email) {
  auto c = borrow();
  auto& q = c->prepare("SELECT id, email, name, role, password_hash FROM users WHERE email = ?");
  q.bind(1, domain::normalise_email(email));
  if (!q.executeStep()) return std::nullopt;
  user_record u;
  u.user = read_user(q);
  u.password_hash = q.getColumn(4).getString();
  return u;
}

std::vector<domain::user> sqlite_store::list_users() {
  auto c = borrow();
  auto& q = c->prepare("SELECT id, email, name, role FROM users ORDER BY id");
  std::vector<domain::user> out;
  while (q.executeStep()) out.push_back(read_user(q));
  return out;
}

void sqlite_store::create_user(domain::user u, std::string hash, callback<domain::user> cb) {
  write<domain::user>(
      [u = std::move(u), hash = std::move(hash)](connection& c) mutable {
        u.email = domain::normalise_email(u.email);
        auto& q = c.prepare(
            "INSERT INTO users(email, name, role, password_hash, created_at) VALUES (?, ?, ?, ?, ?) "
            "ON CONFLICT(email) DO NOTHING");
        q.bind(1, u.email);
        q.bind(2, u.name);
        q.bind(3, std::string(domain::to_string(u.role)));
        q.bind(4, hash);
        q.bind(5, static_cast<std::int64_t>(domain::now()));
        if (q.exec() == 0) fail(errc::conflict, "a user with this e-mail address exists");
        u.id = c.db().getLastInsertRowid();
        return u;
      },
      std::move(cb));
}

std::optional<session_record> sqlite_store::find_session(const std::string& token_hash, domain::time_point now) {
  auto c = borrow();
  auto& q = c->prepare(
      "SELECT u.id, u.email, u.name, u.role, s.csrf_token, s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id "
      "WHERE s.token_hash = ? AND s.expires_at > ?");
  q.bind(1, token_hash);
  q.bind(2, static_cast<std::int64_t>(now));
  if (!q.executeStep()) return std::nullopt;
  return session_record{read_user(q), q.getColumn(4).getString(), q.getColumn(5).getInt64()};
}

void sqlite_store::create_session(id_t user_id, std::string token_hash, std::string csrf, domain::time_point expires,
                                  callback<bool> cb) {
  write<bool>(
      [=](connection& c) {
        auto& q = c.prepare("INSERT INTO sessions(token_hash, user_id, csrf_token, created_at, expires_at) VALUES (?, ?, ?, ?, ?)");
        q.bind(1, token_hash);
        q.bind(2, user_id);
        q.bind(3, csrf);
        q.bind(4, static_cast<std::int64_t>(domain::now()));
        q.bind(5, static_cast<std::int64_t>(expires));
        q.exec();
        // Old sessions go as new ones come, so the table does not grow without end.
        auto& d = c.prepare("DELETE FROM sessions WHERE expires_at <= ?");
        d.bind(1, static_cast<std::int64_t>(domain::now()));
        d.exec();
        return true;
      },
      std::move(cb));
}

void sqlite_store::delete_session(std::string token_hash, callback<bool> cb) {
  write<bool>(
      [token_hash](connection& c) {
        auto& q = c.prepare("DELETE FROM sessions WHERE token_hash = ?");
        q.bind(1, token_hash);
        return q.exec() > 0;
      },
      std::move(cb));
}

}  // namespace eventd::store::sqlite
