// Events in the SQLite store: listing, creating, changing (rules in domain/event_rules) and cancelling.
#include "store/sql/sql_store.hpp"

#include "domain/event_rules.hpp"
#include "domain/time.hpp"
#include "store/refusals.hpp"

namespace eventd::store::sql {

std::vector<domain::event> sql_store::list_events(const event_filter& f) {
  auto c = borrow();
  auto& q = c->prepare("SELECT " EVENT_COLUMNS
                       " FROM events WHERE (CAST(:kind AS TEXT) IS NULL OR kind = :kind) AND (CAST(:from AS BIGINT) IS NULL OR ends_at >= :from) "
                       "AND (CAST(:to AS BIGINT) IS NULL OR starts_at < :to) AND (:drafts OR status <> 'draft') "
                       "AND (:cancelled OR status <> 'cancelled') ORDER BY starts_at, id");
  bind_opt(q, ":kind", f.kind);
  bind_opt(q, ":from", f.from);
  bind_opt(q, ":to", f.to);
  q.bind(":drafts", f.include_drafts ? 1 : 0);
  q.bind(":cancelled", f.include_cancelled ? 1 : 0);
  std::vector<domain::event> out;
  while (q.executeStep()) out.push_back(read_event(q));
  return out;
}

std::optional<domain::event> sql_store::get_event(id_t id) {
  auto c = borrow();
  return event_by_id(*c, id);
}

void sql_store::create_event(domain::event e, callback<domain::event> cb) {
  write<domain::event>(
      [this, e = std::move(e)](connection& c) mutable {
        auto& q = c.prepare("INSERT INTO events(" EVENT_FIELDS ", created_at, updated_at) "
                            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?, :now, :now)");
        bind_event(q, e);
        q.bind(":now", static_cast<std::int64_t>(domain::now()));
        q.exec();
        const id_t id = c.last_insert_id();
        noted(change::kind::event_saved, 0, id);
        return *event_by_id(c, id);
      },
      std::move(cb));
}

void sql_store::update_event(id_t id, domain::event_patch patch, domain::version_condition if_match,
                                callback<domain::event> cb) {
  write<domain::event>(
      [this, id, patch = std::move(patch), if_match = std::move(if_match)](connection& c) {
        // Decided against the row as it is now, inside the write: an earlier read may be out of date.
        lock_event(c, id);
        auto stored = event_by_id(c, id);
        if (!stored) fail(errc::not_found, "no such event");
        auto d = domain::decide_event_edit(*stored, patch, if_match, cfg_);
        if (d.refusal != domain::edit_refusal::none) throw store_error{refused(d, *stored)};
        auto& q = c.prepare("UPDATE events SET (" EVENT_FIELDS ") = (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?), "
                            "updated_at = :now, version = version + 1 "
                            "WHERE id = :id AND version = :version AND status <> 'cancelled'");
        bind_event(q, d.updated);
        q.bind(":now", static_cast<std::int64_t>(domain::now()));
        q.bind(":id", id);
        q.bind(":version", stored->version);
        // Only the writer changes rows, and it read this one just now: a miss here would be a bug, not a race.
        if (q.exec() == 0) fail(errc::conflict, "the event changed while it was being saved; try again");
        noted(change::kind::event_saved, 0, id);
        promote(c, id);
        auto saved = *event_by_id(c, id);
        tell_of_change(c, *stored, saved);
        return saved;
      },
      std::move(cb));
}

void sql_store::cancel_event(id_t id, callback<domain::event> cb) {
  write<domain::event>(
      [this, id](connection& c) {
        const auto before = event_by_id(c, id);
        auto& q = c.prepare(
            "UPDATE events SET status = 'cancelled', updated_at = :now, version = version + 1 "
            "WHERE id = :id AND status <> 'cancelled'");
        q.bind(":now", static_cast<std::int64_t>(domain::now()));
        q.bind(":id", id);
        if (q.exec() == 0) {
          if (!event_by_id(c, id)) fail(errc::not_found, "no such event");
          fail(errc::conflict, "the event is already cancelled", {{"reason", "cancelled"}});
        }
        noted(change::kind::event_saved, 0, id);
        auto cancelled = *event_by_id(c, id);
        tell_of_change(c, *before, cancelled);
        return cancelled;
      },
      std::move(cb));
}

bool sql_store::empty_of_events() {
  auto c = borrow();
  return scalar_int(*c, "SELECT count(*) FROM events") == 0;
}

std::optional<std::string> sql_store::setting(const std::string& key) {
  auto c = borrow();
  auto& q = c->prepare("SELECT value FROM settings WHERE key = ?");
  q.bind(1, key);
  if (!q.executeStep()) return std::nullopt;
  return q.getColumn(0).getString();
}

void sql_store::put_setting(std::string key, std::string value, callback<bool> cb) {
  write<bool>(
      [key, value](connection& c) {
        auto& q = c.prepare("INSERT INTO settings (key, value) VALUES (?1, ?2) ON CONFLICT (key) DO UPDATE SET value = ?2");
        q.bind(1, key);
        q.bind(2, value);
        return q.exec() > 0;
      },
      std::move(cb));
}

}  // namespace eventd::store::sql
