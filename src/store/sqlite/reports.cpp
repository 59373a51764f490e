// Reads for reports from the SQLite store: accessibility needs, participants, the facts behind the goal figures.
#include "store/sqlite/sqlite_store.hpp"

namespace eventd::store::sqlite {

needs_report sqlite_store::needs(id_t event_id) {
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

void sqlite_store::for_each_participant(const std::function<void(const domain::event&, const domain::registration&)>& row) {
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

goal_facts sqlite_store::goal_facts_now() {
  auto c = borrow();
  goal_facts f;
  // One read transaction: the three tables come from one snapshot, so a check-in or a cancellation committed
  // between the statements cannot make the figures disagree with each other.
  read_transaction snapshot(*c);
  static constexpr sql_text events{
      "SELECT id, kind, title, status, starts_at, utc_offset_minutes, focus_area, topic, network, organised_by_project"
      " FROM events"};
  auto& e = c->prepare(events.c_str());
  while (e.executeStep()) {
    domain::goal_event g;
    g.id = e.getColumn(events["id"]).getInt64();
    g.kind = e.getColumn(events["kind"]).getString();
    g.title = e.getColumn(events["title"]).getString();
    g.cancelled = e.getColumn(events["status"]).getString() == "cancelled";
    g.starts_at = e.getColumn(events["starts_at"]).getInt64();
    g.utc_offset_minutes = e.getColumn(events["utc_offset_minutes"]).getInt();
    g.focus_area = opt_text(e.getColumn(events["focus_area"]));
    g.topic = opt_text(e.getColumn(events["topic"]));
    g.network = opt_text(e.getColumn(events["network"]));
    g.organised_by_project = e.getColumn(events["organised_by_project"]).getInt() != 0;
    f.events.push_back(std::move(g));
  }
  static constexpr sql_text attendances{
      "SELECT r.event_id, r.person_id, r.gender, r.organisation_type, r.home_region FROM checkins k "
      "JOIN registrations r ON r.id = k.registration_id ORDER BY k.attended_at, r.id"};
  auto& a = c->prepare(attendances.c_str());
  while (a.executeStep())
    f.attendances.push_back({a.getColumn(attendances["event_id"]).getInt64(),
                             a.getColumn(attendances["person_id"]).getInt64(),
                             a.getColumn(attendances["gender"]).getString(),
                             a.getColumn(attendances["organisation_type"]).getString(),
                             a.getColumn(attendances["home_region"]).getInt() != 0});
  static constexpr sql_text support{
      "SELECT s.id, s.project_idea_key, s.hours, p.person_id FROM support_sessions s "
      "LEFT JOIN support_session_persons p ON p.session_id = s.id ORDER BY s.id"};
  auto& s = c->prepare(support.c_str());
  id_t last = -1;
  while (s.executeStep()) {
    const id_t session = s.getColumn(support["s.id"]).getInt64();
    if (session != last) {
      last = session;
      f.support.push_back(
          {s.getColumn(support["project_idea_key"]).getString(), s.getColumn(support["hours"]).getDouble(), {}});
    }
    const auto person = s.getColumn(support["person_id"]);
    if (!person.isNull()) f.support.back().person_ids.push_back(person.getInt64());
  }
  s.reset();
  snapshot.end();
  return f;
}

}  // namespace eventd::store::sqlite
