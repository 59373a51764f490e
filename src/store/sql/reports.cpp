// Reads for reports from the SQLite store: accessibility needs, participants, the facts behind the goal figures.
#include "store/sql/sql_store.hpp"

namespace eventd::store::sql {

needs_report sql_store::needs(id_t event_id) {
  auto c = borrow();
  needs_report r;
  auto e = event_by_id(*c, event_id);
  if (e && e->place) r.offered = e->place->accessibility;
  auto& q = c->prepare("SELECT accessibility_needs FROM registrations WHERE event_id = ? AND status <> 'cancelled'");
  q.bind(1, event_id);
  while (q.executeStep())
    for (const auto& need : split(q.getColumn(0).getString())) ++r.requested[need];
  for (const auto& [need, _] : r.requested)
    if (!domain::contains(r.offered, need)) r.uncovered.push_back(need);
  return r;
}

void sql_store::for_each_participant(const std::function<void(const domain::event&, const domain::registration&)>& row) {
  auto c = borrow();
  static constexpr sql_text sql{"SELECT " REGISTRATION_COLUMNS ", e.title, e.kind, e.starts_at, e.status"
                                " FROM registrations r JOIN events e ON e.id = r.event_id"
                                " LEFT JOIN checkins c ON c.registration_id = r.id ORDER BY e.starts_at, e.id, r.id"};
  auto& q = c->prepare(sql.c_str());
  domain::event e;
  while (q.executeStep()) {
    auto r = read_registration(q);
    if (r.event_id != e.id) {
      e = domain::event{};
      e.id = r.event_id;
      e.title = q.getColumn(sql["e.title"]).getString();
      e.kind = q.getColumn(sql["e.kind"]).getString();
      e.starts_at = q.getColumn(sql["e.starts_at"]).getInt64();
      e.status = domain::event_status_from(q.getColumn(sql["e.status"]).getString()).value_or(domain::event_status::draft);
    }
    row(e, r);
  }
}

namespace {

#define GOAL_EVENT_COLUMNS \
  "id, kind, title, status, starts_at, utc_offset_minutes, focus_area, topic, network, organised_by_project, ends_at"
constexpr sql_text goal_events_sql{"SELECT " GOAL_EVENT_COLUMNS " FROM events"};
constexpr sql_text goal_event_sql{"SELECT " GOAL_EVENT_COLUMNS " FROM events WHERE id = ?"};
#define GOAL_ATTENDANCE_COLUMNS \
  "r.event_id, r.person_id, r.id, k.attended_at, r.gender, r.organisation_type, r.home_region FROM checkins k " \
  "JOIN registrations r ON r.id = k.registration_id"
constexpr sql_text goal_attendances_sql{"SELECT " GOAL_ATTENDANCE_COLUMNS " ORDER BY k.attended_at, r.id"};
constexpr sql_text goal_attendance_sql{"SELECT " GOAL_ATTENDANCE_COLUMNS " WHERE r.id = ?"};

domain::goal_event read_goal_event(statement& e) {
  domain::goal_event g;
  g.id = e.getColumn(goal_events_sql["id"]).getInt64();
  g.kind = e.getColumn(goal_events_sql["kind"]).getString();
  g.title = e.getColumn(goal_events_sql["title"]).getString();
  g.cancelled = e.getColumn(goal_events_sql["status"]).getString() == "cancelled";
  g.starts_at = e.getColumn(goal_events_sql["starts_at"]).getInt64();
  g.utc_offset_minutes = e.getColumn(goal_events_sql["utc_offset_minutes"]).getInt();
  g.focus_area = opt_text(e.getColumn(goal_events_sql["focus_area"]));
  g.topic = opt_text(e.getColumn(goal_events_sql["topic"]));
  g.network = opt_text(e.getColumn(goal_events_sql["network"]));
  g.organised_by_project = e.getColumn(goal_events_sql["organised_by_project"]).getInt() != 0;
  g.ends_at = e.getColumn(goal_events_sql["ends_at"]).getInt64();
  return g;
}

domain::goal_attendance read_goal_attendance(statement& a) {
  domain::goal_attendance g;
  g.event_id = a.getColumn(goal_attendances_sql["r.event_id"]).getInt64();
  g.person_id = a.getColumn(goal_attendances_sql["r.person_id"]).getInt64();
  g.registration_id = a.getColumn(goal_attendances_sql["r.id"]).getInt64();
  g.attended_at = a.getColumn(goal_attendances_sql["k.attended_at"]).getInt64();
  g.gender = a.getColumn(goal_attendances_sql["r.gender"]).getString();
  g.organisation_type = a.getColumn(goal_attendances_sql["r.organisation_type"]).getString();
  g.home_region = a.getColumn(goal_attendances_sql["r.home_region"]).getInt() != 0;
  return g;
}

std::vector<domain::goal_support_session> read_goal_support(connection& c);

}  // namespace

goal_facts sql_store::goal_facts_now() {
  auto c = borrow();
  goal_facts f;
  // One read transaction: the three tables come from one snapshot, so a check-in or a cancellation committed
  // between the statements cannot make the figures disagree with each other.
  read_transaction snapshot(*c);
  auto& e = c->prepare(goal_events_sql.c_str());
  while (e.executeStep()) f.events.push_back(read_goal_event(e));
  auto& a = c->prepare(goal_attendances_sql.c_str());
  while (a.executeStep()) f.attendances.push_back(read_goal_attendance(a));
  f.support = read_goal_support(*c);
  static constexpr sql_text evaluations{
      "SELECT event_id, usefulness, knowledge_before, knowledge_after, plans_tn FROM evaluations ORDER BY id"};
  auto& v = c->prepare(evaluations.c_str());
  while (v.executeStep())
    f.evaluations.push_back({v.getColumn(evaluations["event_id"]).getInt64(), v.getColumn(evaluations["usefulness"]).getInt(),
                             v.getColumn(evaluations["knowledge_before"]).getInt(),
                             v.getColumn(evaluations["knowledge_after"]).getInt(), v.getColumn(evaluations["plans_tn"]).getString()});
  snapshot.end();
  return f;
}

std::optional<domain::goal_event> sql_store::goal_event_of(id_t event_id) {
  auto c = borrow();
  return one_row(*c, goal_event_sql, event_id, read_goal_event);
}

std::optional<domain::goal_attendance> sql_store::goal_attendance_of(id_t registration_id) {
  auto c = borrow();
  return one_row(*c, goal_attendance_sql, registration_id, read_goal_attendance);
}

std::vector<domain::goal_support_session> sql_store::goal_support_now() {
  auto c = borrow();
  return read_goal_support(*c);
}

namespace {

std::vector<domain::goal_support_session> read_goal_support(connection& c) {
  std::vector<domain::goal_support_session> out;
  static constexpr sql_text support{
      "SELECT s.id, s.date, s.project_idea_key, s.hours, p.person_id FROM support_sessions s "
      "LEFT JOIN support_session_persons p ON p.session_id = s.id ORDER BY s.id"};
  auto& s = c.prepare(support.c_str());
  id_t last = -1;
  while (s.executeStep()) {
    const id_t session = s.getColumn(support["s.id"]).getInt64();
    if (session != last) {
      last = session;
      out.push_back({s.getColumn(support["project_idea_key"]).getString(), s.getColumn(support["hours"]).getDouble(), {},
                     s.getColumn(support["date"]).getString()});
    }
    const auto person = s.getColumn(support["person_id"]);
    if (!person.isNull()) out.back().person_ids.push_back(person.getInt64());
  }
  s.reset();
  return out;
}

}  // namespace

}  // namespace eventd::store::sql
