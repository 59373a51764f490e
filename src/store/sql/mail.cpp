// The transactional outbox in the SQLite store (issue 9): messages queued by the writes that cause them, what the
// sender finds due, the record of its attempts, and link recovery.
#include "store/sql/sql_store.hpp"

#include "auth/crypto.hpp"
#include "domain/evaluation_rules.hpp"
#include "domain/time.hpp"

#include <map>

namespace eventd::store::sql {

std::string sql_store::message_id(id_t id, const std::string& kind, id_t registration_id, std::int64_t created_at) const {
  // Keyed with the installation's secret: another installation with the same host and row ids makes other ids.
  const auto digest = auth::sha256_hex(mail_key_ + ":" + std::to_string(id) + ":" + std::to_string(created_at));
  return kind + "." + std::to_string(registration_id) + "." + std::to_string(id) + "." + digest.substr(0, 16) + "@" + mail_host_;
}

void sql_store::queue_mail(connection& c, const char* kind, id_t registration_id, id_t event_id, const std::string& secret,
                              const std::string& subject, const std::string& body) {
  if (cfg_.mail == "off") return;
  static constexpr sql_text insert{
      "INSERT INTO mail_outbox(kind, registration_id, event_id, secret, next_attempt_at, created_at, subject, body) "
      "VALUES (?,?,?,?,?,?,?,?)"};
  const auto now = static_cast<std::int64_t>(domain::now());
  auto& q = c.prepare(insert.c_str());
  q.bind(insert.param("kind"), kind);
  q.bind(insert.param("registration_id"), registration_id);
  q.bind(insert.param("event_id"), event_id);
  if (secret.empty()) q.bind(insert.param("secret")); else q.bind(insert.param("secret"), secret);
  q.bind(insert.param("next_attempt_at"), now);
  q.bind(insert.param("created_at"), now);
  if (subject.empty()) q.bind(insert.param("subject")); else q.bind(insert.param("subject"), subject);
  if (body.empty()) q.bind(insert.param("body")); else q.bind(insert.param("body"), body);
  q.exec();
}

void sql_store::queue_account_mail(connection& c, const char* kind, const std::string& to, const std::string& secret) {
  if (cfg_.mail == "off") return;
  const auto now = static_cast<std::int64_t>(domain::now());
  auto& q = c.prepare(
      "INSERT INTO mail_outbox(kind, next_attempt_at, created_at, to_address, secret) VALUES (?, ?, ?, ?, ?)");
  q.bind(1, kind);
  q.bind(2, now);
  q.bind(3, now);
  q.bind(4, to);
  q.bind(5, secret);
  q.exec();
  noted(change::kind::mail_queued, 0, 0);
}

void sql_store::queue_erasure_notice(connection& c, const domain::registration& r) {
  if (r.person.email.empty()) return;
  const auto now = static_cast<std::int64_t>(domain::now());
  auto& q = c.prepare(
      "INSERT INTO mail_outbox(kind, registration_id, event_id, next_attempt_at, created_at, to_address, language) "
      "VALUES ('erased', :registration_id, :event_id, :now, :now, :to, :language)");
  q.bind(":registration_id", r.id);
  q.bind(":event_id", r.event_id);
  q.bind(":now", now);
  q.bind(":to", r.person.email);
  q.bind(":language", r.person.language);
  q.exec();
  noted(change::kind::mail_queued, r.id, r.event_id);
}

namespace {
// Which registrations of an event (r, with their check-ins c) an audience is; erased ones never are.
const char* audience_condition(mail_audience a) {
  switch (a) {
    case mail_audience::all: return "r.status IN ('confirmed', 'waitlisted')";
    case mail_audience::confirmed: return "r.status = 'confirmed'";
    case mail_audience::waitlisted: return "r.status = 'waitlisted'";
    case mail_audience::checked_in: return "c.registration_id IS NOT NULL AND r.status <> 'cancelled'";
  }
  return "0";
}
constexpr mail_audience audiences[] = {mail_audience::all, mail_audience::confirmed, mail_audience::waitlisted,
                                       mail_audience::checked_in};
// "SELECT <columns> ... WHERE <the audience>", made once per audience and kept (statements are cached by the
// address of their text).
const char* audience_sql(mail_audience a, bool whole_rows) {
  static const auto texts = [] {
    std::map<std::pair<mail_audience, bool>, std::string> out;
    for (const auto who : audiences)
      for (const bool rows : {false, true})
        out[{who, rows}] = std::string("SELECT ") + (rows ? REGISTRATION_COLUMNS : "r.id") +
                           " FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id "
                           "WHERE r.event_id = ? AND r.erased = 0 AND (" + audience_condition(who) + ") ORDER BY r.id";
    return out;
  }();
  return texts.at({a, whole_rows}).c_str();
}
}  // namespace

std::int64_t sql_store::queue_for(connection& c, const char* kind, id_t event_id, mail_audience who, bool with_link,
                                     const std::string& subject, const std::string& body) {
  if (cfg_.mail == "off") return 0;
  std::vector<id_t> ids;
  auto& q = c.prepare(audience_sql(who, false));
  q.bind(1, event_id);
  while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  q.reset();
  for (const auto id : ids) queue_mail(c, kind, id, event_id, with_link ? new_link(c, id, true) : std::string(), subject, body);
  if (!ids.empty()) noted(change::kind::mail_queued, 0, event_id);
  return static_cast<std::int64_t>(ids.size());
}

void sql_store::tell_of_change(connection& c, const domain::event& before, const domain::event& after) {
  if (before.status != domain::event_status::published) return;  // a draft has nobody registered to tell
  if (after.status == domain::event_status::cancelled) {
    queue_for(c, "event_cancelled", after.id, mail_audience::all, false);
    return;
  }
  const auto where = [](const domain::event& e) {
    return e.place ? e.place->name + "\n" + e.place->address : std::string();
  };
  const bool moved = before.starts_at != after.starts_at || before.ends_at != after.ends_at;
  if (!moved && where(before) == where(after)) return;
  queue_for(c, "event_changed", after.id, mail_audience::all, false);
  if (before.starts_at != after.starts_at) {
    // A new start: the reminder goes again before it.
    auto& q = c.prepare("UPDATE events SET reminders_queued_at = NULL WHERE id = ?");
    q.bind(1, after.id);
    q.exec();
  }
}

void sql_store::queue_scheduled_mail(domain::time_point reminder_before, callback<std::int64_t> cb) {
  write<std::int64_t>(
      [this, reminder_before](connection& c) {
        const auto now = static_cast<std::int64_t>(domain::now());
        std::int64_t queued = 0;
        std::vector<id_t> events;
        if (reminder_before > 0) {
          auto& q = c.prepare(
              "SELECT id FROM events WHERE status = 'published' AND reminders_queued_at IS NULL "
              "AND starts_at > :now AND starts_at <= :until");
          q.bind(":now", now);
          q.bind(":until", now + static_cast<std::int64_t>(reminder_before));
          while (q.executeStep()) events.push_back(q.getColumn(0).getInt64());
          q.reset();
          for (const auto id : events) {
            queued += queue_for(c, "reminder", id, mail_audience::confirmed, true);
            auto& u = c.prepare("UPDATE events SET reminders_queued_at = ? WHERE id = ?");
            u.bind(1, now);
            u.bind(2, id);
            u.exec();
          }
        }
        events.clear();
        // Ended within the last week and still open for answers (domain::evaluation_closes_at).
        auto& q = c.prepare(
            "SELECT id, ends_at, evaluation_closes_at FROM events WHERE status = 'published' "
            "AND evaluations_queued_at IS NULL AND ends_at <= :now AND ends_at > :week_ago");
        q.bind(":now", now);
        q.bind(":week_ago", now - 7 * 86400);
        while (q.executeStep()) {
          domain::event e;
          e.ends_at = q.getColumn(1).getInt64();
          if (!q.getColumn(2).isNull()) e.evaluation_closes_at = q.getColumn(2).getInt64();
          if (now < domain::evaluation_closes_at(e)) events.push_back(q.getColumn(0).getInt64());
        }
        q.reset();
        for (const auto id : events) {
          queued += queue_for(c, "evaluation", id, mail_audience::checked_in, true);
          auto& u = c.prepare("UPDATE events SET evaluations_queued_at = ? WHERE id = ?");
          u.bind(1, now);
          u.bind(2, id);
          u.exec();
        }
        return queued;
      },
      std::move(cb));
}

std::vector<domain::registration> sql_store::audience_of(id_t event_id, mail_audience who) {
  auto c = borrow();
  auto& q = c->prepare(audience_sql(who, true));
  q.bind(1, event_id);
  std::vector<domain::registration> out;
  while (q.executeStep()) out.push_back(read_registration(q));
  q.reset();
  return out;
}

void sql_store::queue_event_message(id_t event_id, mail_audience who, std::string subject, std::string text,
                                       callback<std::int64_t> cb) {
  write<std::int64_t>(
      [this, event_id, who, subject = std::move(subject), text = std::move(text)](connection& c) {
        if (!event_by_id(c, event_id)) fail(errc::not_found, "no such event");
        return queue_for(c, "message", event_id, who, false, subject, text);
      },
      std::move(cb));
}

void sql_store::resend_confirmation(id_t event_id, id_t registration_id, callback<bool> cb) {
  write<bool>(
      [this, event_id, registration_id](connection& c) {
        auto r = registration_by_id(c, registration_id);
        if (!r || r->event_id != event_id) fail(errc::not_found, "no such registration for this event");
        if (r->erased) fail(errc::conflict, "this registration's personal data have been erased", {{"reason", "erased"}});
        if (r->status == domain::registration_status::cancelled)
          fail(errc::conflict, "the registration is cancelled", {{"reason", "cancelled"}});
        if (cfg_.mail == "off") fail(errc::conflict, "mail is switched off on this server", {{"reason", "mail_off"}});
        queue_mail(c, r->status == domain::registration_status::confirmed ? "confirmation" : "waitlisted", r->id, event_id,
                   new_link(c, r->id, true));
        noted(change::kind::mail_queued, r->id, event_id);
        return true;
      },
      std::move(cb));
}

std::string sql_store::new_link(connection& c, id_t registration_id, bool keep_old) {
  const auto secret = auth::random_token(32);
  const auto hash = auth::sha256_hex(secret);
  if (keep_old) {
    auto& q = c.prepare("INSERT INTO registration_links(registration_id, token_hash, created_at) VALUES (?, ?, ?)");
    q.bind(1, registration_id);
    q.bind(2, hash);
    q.bind(3, static_cast<std::int64_t>(domain::now()));
    q.exec();
  } else {
    auto& gone = c.prepare("DELETE FROM registration_links WHERE registration_id = ?");
    gone.bind(1, registration_id);
    gone.exec();
    auto& q = c.prepare("UPDATE registrations SET manage_token_hash = ? WHERE id = ?");
    q.bind(1, hash);
    q.bind(2, registration_id);
    q.exec();
  }
  return std::to_string(registration_id) + "-" + secret;
}

std::vector<mail_item> sql_store::due_mail(domain::time_point now, int limit) {
  auto c = borrow();
  static constexpr sql_text sql{
      "SELECT id, kind, registration_id, event_id, secret, attempts, created_at, subject, body, to_address, "
      "language, meeting_id FROM mail_outbox "
      "WHERE state = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, id LIMIT ?"};
  auto& q = c->prepare(sql.c_str());
  q.bind(1, static_cast<std::int64_t>(now));
  q.bind(2, limit);
  std::vector<mail_item> out;
  while (q.executeStep()) {
    mail_item m;
    m.id = q.getColumn(sql["id"]).getInt64();
    m.kind = q.getColumn(sql["kind"]).getString();
    m.registration_id = opt_int(q.getColumn(sql["registration_id"])).value_or(0);
    m.message_id = message_id(m.id, m.kind, m.registration_id, q.getColumn(sql["created_at"]).getInt64());
    m.event_id = opt_int(q.getColumn(sql["event_id"])).value_or(0);
    m.secret = opt_text(q.getColumn(sql["secret"])).value_or("");
    m.attempts = q.getColumn(sql["attempts"]).getInt();
    m.created_at = q.getColumn(sql["created_at"]).getInt64();
    m.subject = opt_text(q.getColumn(sql["subject"])).value_or("");
    m.body = opt_text(q.getColumn(sql["body"])).value_or("");
    m.to_address = opt_text(q.getColumn(sql["to_address"])).value_or("");
    m.language = opt_text(q.getColumn(sql["language"])).value_or("");
    m.meeting_id = opt_int(q.getColumn(sql["meeting_id"])).value_or(0);
    out.push_back(std::move(m));
  }
  q.reset();
  return out;
}

std::optional<domain::time_point> sql_store::next_mail_due() {
  auto c = borrow();
  auto& q = c->prepare("SELECT min(next_attempt_at) FROM mail_outbox WHERE state = 'pending'");
  q.executeStep();
  auto at = opt_int(q.getColumn(0));
  q.reset();
  if (!at) return std::nullopt;
  return static_cast<domain::time_point>(*at);
}

void sql_store::record_mail_attempts(std::vector<mail_attempt> attempts, callback<bool> cb) {
  write<bool>(
      [attempts = std::move(attempts)](connection& c) {
        const auto now = static_cast<std::int64_t>(domain::now());
        for (const auto& a : attempts) {
          using o = mail_attempt::outcome;
          // Only a pending row moves: one dropped by an erasure meanwhile stays dropped. ("state IN ('pending', '')":
          // a condition that does not name the partial index mail_outbox_due, whose pending rows PostgreSQL's
          // planner otherwise chose to walk, filtering on the id, when it planned on a young table's statistics.)
          // Nobody reads these statements' counts: on PostgreSQL they are sent ahead.
          if (a.what == o::retry) {
            auto& q = c.prepare(
                "UPDATE mail_outbox SET attempts = attempts + 1, next_attempt_at = :next, last_error = :error "
                "WHERE id = :id AND state IN ('pending', '')");
            q.bind(":next", static_cast<std::int64_t>(a.next_attempt_at));
            q.bind(":error", a.error);
            q.bind(":id", a.id);
            q.defer();
            continue;
          }
          // Delivered or never deliverable: the link it carried goes.
          auto& q = c.prepare(
              "UPDATE mail_outbox SET state = :state, attempts = attempts + 1, secret = NULL, body = NULL, to_address = NULL, "
              "last_error = :error, "
              "sent_at = :sent_at WHERE id = :id AND state IN ('pending', '')");
          q.bind(":state", a.what == o::sent ? "sent" : a.what == o::failed ? "failed" : "dropped");
          if (a.error.empty()) q.bind(":error"); else q.bind(":error", a.error);
          if (a.what == o::sent) q.bind(":sent_at", now); else q.bind(":sent_at");
          q.bind(":id", a.id);
          q.defer();
        }
        return true;
      },
      std::move(cb));
}

void sql_store::recover_link(id_t event_id, std::string email, callback<bool> cb) {
  email = domain::normalise_email(email);
  write<bool>(
      [this, event_id, email](connection& c) {
        // With mail off no fresh link could reach anyone: the old one must not stop working either.
        if (cfg_.mail == "off") return true;
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

std::vector<mail_record> sql_store::event_mail(id_t event_id) {
  auto c = borrow();
  static constexpr sql_text sql{
      "SELECT m.id, m.kind, m.registration_id, m.state, m.attempts, m.last_error, m.created_at, m.sent_at, "
      "m.subject, r.name, r.email FROM mail_outbox m LEFT JOIN registrations r ON r.id = m.registration_id "
      "WHERE m.registration_id IN (SELECT id FROM registrations WHERE event_id = ?1) AND m.event_id = ?1 "
      "ORDER BY m.id DESC"};
  auto& q = c->prepare(sql.c_str());
  q.bind(1, event_id);
  std::vector<mail_record> out;
  while (q.executeStep()) {
    mail_record m;
    m.id = q.getColumn(sql["id"]).getInt64();
    m.kind = q.getColumn(sql["kind"]).getString();
    m.registration_id = opt_int(q.getColumn(sql["registration_id"])).value_or(0);
    m.created_at = q.getColumn(sql["created_at"]).getInt64();
    m.state = q.getColumn(sql["state"]).getString();
    m.attempts = q.getColumn(sql["attempts"]).getInt();
    m.last_error = opt_text(q.getColumn(sql["last_error"]));
    m.created_at = q.getColumn(sql["created_at"]).getInt64();
    if (auto at = opt_int(q.getColumn(sql["sent_at"]))) m.sent_at = *at;
    m.subject = opt_text(q.getColumn(sql["subject"]));
    m.name = opt_text(q.getColumn(sql["name"]));
    m.email = opt_text(q.getColumn(sql["email"]));
    out.push_back(std::move(m));
  }
  q.reset();
  return out;
}

}  // namespace eventd::store::sql
