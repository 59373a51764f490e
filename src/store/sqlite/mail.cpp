// The transactional outbox in the SQLite store (issue 9): messages queued by the writes that cause them, what the
// sender finds due, the record of its attempts, and link recovery.
#include "store/sqlite/sqlite_store.hpp"

#include "auth/crypto.hpp"
#include "domain/time.hpp"

namespace eventd::store::sqlite {

std::string message_host(const std::string& public_url) {
  auto rest = public_url;
  if (const auto scheme = rest.find("://"); scheme != std::string::npos) rest.erase(0, scheme + 3);
  rest = rest.substr(0, rest.find_first_of("/?#"));
  if (const auto at = rest.rfind('@'); at != std::string::npos) rest.erase(0, at + 1);
  if (!rest.empty() && rest.front() == '[') {
    rest = rest.substr(1, rest.find(']') - 1);  // an IPv6 literal: no port to cut
  } else if (const auto colon = rest.find(':'); colon != std::string::npos) {
    rest.erase(colon);
  }
  std::string host;
  for (char ch : rest)
    if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || (ch >= '0' && ch <= '9') || ch == '.' || ch == '-')
      host += static_cast<char>(ch >= 'A' && ch <= 'Z' ? ch - 'A' + 'a' : ch);
  return host.empty() ? "eventd.invalid" : host;
}

void sqlite_store::queue_mail(connection& c, const char* kind, id_t registration_id, id_t event_id, const std::string& secret) {
  if (cfg_.mail == "off") return;
  // Random, so a message is recognisably the same on every attempt and unique across installations.
  const auto message_id = std::string(kind) + "." + std::to_string(registration_id) + "." + auth::random_token(12) + "@" + mail_host_;
  static constexpr sql_text insert{
      "INSERT INTO mail_outbox(message_id, kind, registration_id, event_id, secret, next_attempt_at, created_at) "
      "VALUES (?,?,?,?,?,?,?)"};
  const auto now = static_cast<std::int64_t>(domain::now());
  auto& q = c.prepare(insert.c_str());
  q.bind(insert.param("message_id"), message_id);
  q.bind(insert.param("kind"), kind);
  q.bind(insert.param("registration_id"), registration_id);
  q.bind(insert.param("event_id"), event_id);
  if (secret.empty()) q.bind(insert.param("secret")); else q.bind(insert.param("secret"), secret);
  q.bind(insert.param("next_attempt_at"), now);
  q.bind(insert.param("created_at"), now);
  q.exec();
}

std::string sqlite_store::new_link(connection& c, id_t registration_id, bool keep_old) {
  const auto secret = auth::random_token(32);
  auto& q = c.prepare(keep_old ? "UPDATE registrations SET second_token_hash = ? WHERE id = ?"
                               : "UPDATE registrations SET manage_token_hash = ?, second_token_hash = NULL WHERE id = ?");
  q.bind(1, auth::sha256_hex(secret));
  q.bind(2, registration_id);
  q.exec();
  return std::to_string(registration_id) + "-" + secret;
}

std::vector<mail_item> sqlite_store::due_mail(domain::time_point now, int limit) {
  auto c = borrow();
  static constexpr sql_text sql{
      "SELECT id, message_id, kind, registration_id, event_id, secret, attempts, created_at FROM mail_outbox "
      "WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"};
  auto& q = c->prepare(sql.c_str());
  q.bind(1, static_cast<std::int64_t>(now));
  q.bind(2, limit);
  std::vector<mail_item> out;
  while (q.executeStep()) {
    mail_item m;
    m.id = q.getColumn(sql["id"]).getInt64();
    m.message_id = q.getColumn(sql["message_id"]).getString();
    m.kind = q.getColumn(sql["kind"]).getString();
    m.registration_id = opt_int(q.getColumn(sql["registration_id"])).value_or(0);
    m.event_id = opt_int(q.getColumn(sql["event_id"])).value_or(0);
    m.secret = opt_text(q.getColumn(sql["secret"])).value_or("");
    m.attempts = q.getColumn(sql["attempts"]).getInt();
    m.created_at = q.getColumn(sql["created_at"]).getInt64();
    out.push_back(std::move(m));
  }
  q.reset();
  return out;
}

std::optional<domain::time_point> sqlite_store::next_mail_due() {
  auto c = borrow();
  auto& q = c->prepare("SELECT min(next_attempt_at) FROM mail_outbox WHERE state = 'pending'");
  q.executeStep();
  auto at = opt_int(q.getColumn(0));
  q.reset();
  if (!at) return std::nullopt;
  return static_cast<domain::time_point>(*at);
}

void sqlite_store::record_mail_attempts(std::vector<mail_attempt> attempts, callback<bool> cb) {
  write<bool>(
      [attempts = std::move(attempts)](connection& c) {
        const auto now = static_cast<std::int64_t>(domain::now());
        for (const auto& a : attempts) {
          using o = mail_attempt::outcome;
          // Only a pending row moves: one dropped by an erasure meanwhile stays dropped.
          if (a.what == o::retry) {
            auto& q = c.prepare(
                "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = :next, last_error = :error "
                "WHERE id = :id AND state = 'pending'");
            q.bind(":next", static_cast<std::int64_t>(a.next_attempt_at));
            q.bind(":error", a.error);
            q.bind(":id", a.id);
            q.exec();
            continue;
          }
          // Delivered or never deliverable: the link it carried goes.
          auto& q = c.prepare(
              "UPDATE mail_outbox SET state = :state, attempts = attempts + 1, secret = NULL, last_error = :error, "
              "sent_at = :sent_at WHERE id = :id AND state = 'pending'");
          q.bind(":state", a.what == o::sent ? "sent" : a.what == o::failed ? "failed" : "dropped");
          if (a.error.empty()) q.bind(":error"); else q.bind(":error", a.error);
          if (a.what == o::sent) q.bind(":sent_at", now); else q.bind(":sent_at");
          q.bind(":id", a.id);
          q.exec();
        }
        return true;
      },
      std::move(cb));
}

void sqlite_store::recover_link(id_t event_id, std::string email, callback<bool> cb) {
  email = domain::normalise_email(email);
  write<bool>(
      [this, event_id, email](connection& c) {
        static constexpr sql_text find{
            "SELECT r.id FROM registrations r JOIN persons p ON p.id = r.person_id "
            "WHERE p.email = ? AND r.event_id = ? AND r.erased = 0 "
            "ORDER BY r.status = 'cancelled', r.id DESC LIMIT 1"};
        auto& q = c.prepare(find.c_str());
        q.bind(1, email);
        q.bind(2, event_id);
        if (!q.executeStep()) return true;
        const id_t id = q.getColumn(0).getInt64();
        q.reset();
        // At most three fresh links an hour per registration: a stranger cannot flood someone's mailbox.
        auto& recent = c.prepare(
            "SELECT count(*) FROM mail_outbox WHERE registration_id = ? AND kind = 'link' AND created_at > ?");
        recent.bind(1, id);
        recent.bind(2, static_cast<std::int64_t>(domain::now()) - 3600);
        recent.executeStep();
        const auto queued = recent.getColumn(0).getInt64();
        recent.reset();
        if (queued >= 3) return true;
        queue_mail(c, "link", id, event_id, new_link(c, id, false));
        noted(change::kind::mail_queued, id, event_id);
        return true;
      },
      std::move(cb));
}

std::vector<mail_record> sqlite_store::event_mail(id_t event_id) {
  auto c = borrow();
  static constexpr sql_text sql{
      "SELECT id, message_id, kind, registration_id, state, attempts, last_error, created_at, sent_at FROM mail_outbox "
      "WHERE event_id = ? ORDER BY id DESC"};
  auto& q = c->prepare(sql.c_str());
  q.bind(1, event_id);
  std::vector<mail_record> out;
  while (q.executeStep()) {
    mail_record m;
    m.id = q.getColumn(sql["id"]).getInt64();
    m.message_id = q.getColumn(sql["message_id"]).getString();
    m.kind = q.getColumn(sql["kind"]).getString();
    m.registration_id = opt_int(q.getColumn(sql["registration_id"])).value_or(0);
    m.state = q.getColumn(sql["state"]).getString();
    m.attempts = q.getColumn(sql["attempts"]).getInt();
    m.last_error = opt_text(q.getColumn(sql["last_error"]));
    m.created_at = q.getColumn(sql["created_at"]).getInt64();
    if (auto at = opt_int(q.getColumn(sql["sent_at"]))) m.sent_at = *at;
    out.push_back(std::move(m));
  }
  q.reset();
  return out;
}

}  // namespace eventd::store::sqlite
