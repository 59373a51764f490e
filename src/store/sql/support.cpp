// The counselling log in the SQLite store: sessions with their persons (rows of the shared `persons`), and how
// erasure reaches the names kept in it.
#include "store/sql/sql_store.hpp"

#include "domain/time.hpp"

#include <set>

namespace eventd::store::sql {
namespace {

#define SUPPORT_FIELDS "date, organisation, organisation_type, municipality, project_idea, project_idea_key, hours, note"
constexpr sql_text support_fields{SUPPORT_FIELDS};
constexpr sql_text session_sql{"SELECT id, " SUPPORT_FIELDS ", created_at FROM support_sessions WHERE id = ?"};
constexpr sql_text sessions_sql{
    "SELECT id, " SUPPORT_FIELDS ", created_at FROM support_sessions "
    "WHERE (CAST(:from AS TEXT) IS NULL OR date >= :from) AND (CAST(:to AS TEXT) IS NULL OR date <= :to) ORDER BY date, id"};
// A session's persons in the order they were given; the address is the person's (gone once erased).
#define SUPPORT_PERSON_COLUMNS "p.session_id, p.person_id, p.name, e.email"
constexpr sql_text persons_sql{
    "SELECT " SUPPORT_PERSON_COLUMNS " FROM support_session_persons p JOIN persons e ON e.id = p.person_id "
    "WHERE p.session_id = ? ORDER BY p.rowid"};
constexpr sql_text period_persons_sql{
    "SELECT " SUPPORT_PERSON_COLUMNS " FROM support_session_persons p JOIN persons e ON e.id = p.person_id "
    "JOIN support_sessions s ON s.id = p.session_id "
    "WHERE (CAST(:from AS TEXT) IS NULL OR s.date >= :from) AND (CAST(:to AS TEXT) IS NULL OR s.date <= :to) ORDER BY p.session_id, p.rowid"};

domain::support_session read_session(statement& q) {
  constexpr auto& col = session_sql;
  domain::support_session s;
  s.id = q.getColumn(col["id"]).getInt64();
  s.date = q.getColumn(col["date"]).getString();
  s.organisation = q.getColumn(col["organisation"]).getString();
  s.organisation_type = opt_text(q.getColumn(col["organisation_type"]));
  s.municipality = opt_text(q.getColumn(col["municipality"]));
  s.project_idea = q.getColumn(col["project_idea"]).getString();
  s.hours = q.getColumn(col["hours"]).getDouble();
  s.note = opt_text(q.getColumn(col["note"]));
  s.created_at = q.getColumn(col["created_at"]).getInt64();
  return s;
}

domain::support_person read_person(statement& q) {
  constexpr auto& col = persons_sql;
  return {q.getColumn(col["person_id"]).getInt64(), opt_text(q.getColumn(col["name"])), opt_text(q.getColumn(col["email"]))};
}

void bind_period(statement& q, const domain::goal_period& p) {
  bind_opt(q, ":from", p.from);
  bind_opt(q, ":to", p.to);
}

std::optional<domain::support_session> session_by_id(connection& c, id_t id) {
  auto& q = c.prepare(session_sql.c_str());
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto s = read_session(q);
  q.reset();
  auto& p = c.prepare(persons_sql.c_str());
  p.bind(1, id);
  while (p.executeStep()) s.persons.push_back(read_person(p));
  p.reset();
  return s;
}

// Binds SUPPORT_FIELDS, in their order, from parameter `first` on.
void bind_fields(statement& q, int first, const domain::support_session& s) {
  constexpr auto& col = support_fields;
  const auto at = [first](int column) { return first + column; };
  q.bind(at(col["date"]), s.date);
  q.bind(at(col["organisation"]), s.organisation);
  bind_opt(q, at(col["organisation_type"]), s.organisation_type);
  bind_opt(q, at(col["municipality"]), s.municipality);
  q.bind(at(col["project_idea"]), s.project_idea);
  q.bind(at(col["project_idea_key"]), domain::project_idea_key(s.project_idea));
  q.bind(at(col["hours"]), s.hours);
  bind_opt(q, at(col["note"]), s.note);
}

// The persons a session names now, their ids.
std::vector<id_t> person_ids_of(connection& c, id_t session_id) {
  std::vector<id_t> ids;
  auto& q = c.prepare("SELECT person_id FROM support_session_persons WHERE session_id = ?");
  q.bind(1, session_id);
  while (q.executeStep()) ids.push_back(q.getColumn(0).getInt64());
  q.reset();
  return ids;
}

// Writes the session's persons (validation has refused two with one address; a repeat would be one row).
void insert_persons(connection& c, id_t session_id, const std::vector<domain::support_person>& persons) {
  for (const auto& person : persons) {
    const id_t person_id = person_id_for(c, person.email.value_or(""));
    auto& q = c.prepare(
        "INSERT INTO support_session_persons(session_id, person_id, name) VALUES (?, ?, ?) "
        "ON CONFLICT(session_id, person_id) DO NOTHING");
    q.bind(1, session_id);
    q.bind(2, person_id);
    bind_opt(q, 3, person.name);
    q.exec();
  }
}

void delete_persons(connection& c, id_t session_id) {
  auto& d = c.prepare("DELETE FROM support_session_persons WHERE session_id = ?");
  d.bind(1, session_id);
  d.exec();
}

}  // namespace

void sql_store::create_support_session(domain::support_session s, callback<domain::support_session> cb) {
  write<domain::support_session>(
      [this, s = std::move(s)](connection& c) {
        static constexpr sql_text insert{"INSERT INTO support_sessions(" SUPPORT_FIELDS ", created_at) VALUES (?,?,?,?,?,?,?,?,?)"};
        auto& q = c.prepare(insert.c_str());
        bind_fields(q, 1, s);
        q.bind(insert.param("created_at"), static_cast<std::int64_t>(domain::now()));
        q.exec();
        const id_t id = c.last_insert_id();
        insert_persons(c, id, s.persons);
        noted(change::kind::support_saved, 0, 0);
        return *session_by_id(c, id);
      },
      std::move(cb));
}

void sql_store::update_support_session(id_t id, domain::support_session_patch patch, callback<domain::support_session> cb) {
  write<domain::support_session>(
      [this, id, patch = std::move(patch)](connection& c) {
        auto s = session_by_id(c, id);
        if (!s) fail(errc::not_found, "no such counselling session");
        domain::apply(patch, *s);
        auto& q = c.prepare("UPDATE support_sessions SET (" SUPPORT_FIELDS ") = (?,?,?,?,?,?,?,?) WHERE id = :id");
        bind_fields(q, 1, *s);
        q.bind(":id", id);
        q.exec();
        if (patch.persons) {
          // The whole list is replaced; whoever left it keeps their address only while something else names them.
          const auto before = person_ids_of(c, id);
          delete_persons(c, id);
          insert_persons(c, id, *patch.persons);
          for (const auto person_id : before) release_person(c, person_id);
        }
        noted(change::kind::support_saved, 0, 0);
        return *session_by_id(c, id);
      },
      std::move(cb));
}

void sql_store::delete_support_session(id_t id, callback<bool> cb) {
  write<bool>(
      [this, id](connection& c) {
        const auto persons = person_ids_of(c, id);
        delete_persons(c, id);
        auto& d = c.prepare("DELETE FROM support_sessions WHERE id = ?");
        d.bind(1, id);
        if (d.exec() == 0) fail(errc::not_found, "no such counselling session");
        for (const auto person_id : persons) release_person(c, person_id);
        noted(change::kind::support_saved, 0, 0);
        return true;
      },
      std::move(cb));
}

std::optional<domain::support_session> sql_store::get_support_session(id_t id) {
  auto c = borrow();
  read_transaction snapshot(*c);
  auto s = session_by_id(*c, id);
  snapshot.end();
  return s;
}

std::vector<domain::support_session> sql_store::list_support_sessions(const domain::goal_period& period) {
  auto c = borrow();
  read_transaction snapshot(*c);
  std::vector<domain::support_session> out;
  std::map<id_t, std::size_t> index;
  auto& q = c->prepare(sessions_sql.c_str());
  bind_period(q, period);
  while (q.executeStep()) {
    index[q.getColumn(sessions_sql["id"]).getInt64()] = out.size();
    out.push_back(read_session(q));
  }
  auto& p = c->prepare(period_persons_sql.c_str());
  bind_period(p, period);
  while (p.executeStep())
    if (auto it = index.find(p.getColumn(period_persons_sql["session_id"]).getInt64()); it != index.end())
      out[it->second].persons.push_back(read_person(p));
  snapshot.end();
  return out;
}

void sql_store::erase_counselled(connection& c, id_t registration_id) {
  auto& q = c.prepare(
      "UPDATE support_session_persons SET name = NULL "
      "WHERE person_id = (SELECT person_id FROM registrations WHERE id = ?) AND name IS NOT NULL");
  q.bind(1, registration_id);
  q.exec();
}

bool sql_store::erase_support_before(connection& c, const std::string& day) {
  std::set<id_t> persons;
  auto& q = c.prepare(
      "UPDATE support_session_persons SET name = NULL WHERE name IS NOT NULL "
      "AND session_id IN (SELECT id FROM support_sessions WHERE date < ?) RETURNING person_id");
  q.bind(1, day);
  while (q.executeStep()) persons.insert(q.getColumn(0).getInt64());
  q.reset();
  // Organisers' free text may name people too: it goes with them.
  auto& n = c.prepare("UPDATE support_sessions SET note = NULL WHERE date < ? AND note IS NOT NULL");
  n.bind(1, day);
  const bool notes = n.exec() > 0;
  for (const auto id : persons) release_person(c, id);
  return notes || !persons.empty();
}

}  // namespace eventd::store::sql
