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
  auto& q = c->prepare("SELECT " REGISTRATION_COLUMNS ", e.title, e.kind, e.starts_at, e.status"
                       " FROM registrations r JOIN events e ON e.id = r.event_id"
                       " LEFT JOIN checkins c ON c.registration_id = r.id ORDER BY e.starts_at, e.id, r.id");
  domain::event e;
  while (q.executeStep()) {
    auto r = read_registration(q);
    if (r.event_id != e.id) {
      e = domain::event{};
      e.id = r.event_id;
      e.title = q.getColumn(25).getString();
      e.kind = q.getColumn(26).getString();
      e.starts_at = q.getColumn(27).getInt64();
      e.status = domain::event_status_from(q.getColumn(28).getString()).value_or(domain::event_status::draft);
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
  auto& e = c->prepare("SELECT id, kind, status, starts_at, focus_area, topic, network, organised_by_project FROM events");
  while (e.executeStep()) {
    domain::goal_event g;
    g.id = e.getColumn(0).getInt64();
    g.kind = e.getColumn(1).getString();
    g.cancelled = e.getColumn(2).getString() == "cancelled";
    g.starts_at = e.getColumn(3).getInt64();
    g.focus_area = opt_text(e.getColumn(4));
    g.topic = opt_text(e.getColumn(5));
    g.network = opt_text(e.getColumn(6));
    g.organised_by_project = e.getColumn(7).getInt() != 0;
    f.events.push_back(std::move(g));
  }
  auto& a = c->prepare(
      "SELECT r.event_id, r.person_id, r.gender, r.organisation_type, r.home_region FROM checkins k "
      "JOIN registrations r ON r.id = k.registration_id ORDER BY k.attended_at, r.id");
  while (a.executeStep())
    f.attendances.push_back({a.getColumn(0).getInt64(), a.getColumn(1).getInt64(), a.getColumn(2).getString(),
                             a.getColumn(3).getString(), a.getColumn(4).getInt() != 0});
  auto& s = c->prepare(
      "SELECT s.id, s.project_idea_key, s.hours, p.person_id FROM support_sessions s "
      "LEFT JOIN support_session_persons p ON p.session_id = s.id ORDER BY s.id");
  id_t last = -1;
  while (s.executeStep()) {
    if (s.getColumn(0).getInt64() != last) {
      last = s.getColumn(0).getInt64();
      f.support.push_back({s.getColumn(1).getString(), s.getColumn(2).getDouble(), {}});
    }
    if (!s.getColumn(3).isNull()) f.support.back().person_ids.push_back(s.getColumn(3).getInt64());
  }
  s.reset();
  snapshot.end();
  return f;
}

}  // namespace eventd::store::sqlite
