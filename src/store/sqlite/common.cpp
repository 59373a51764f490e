#include "store/sqlite/common.hpp"

#include <sstream>

namespace eventd::store::sqlite {

void fail(errc code, std::string detail, std::map<std::string, std::string> facts) {
  throw store_error{failure{code, std::move(detail), std::move(facts)}};
}

std::string join(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& w : words) {
    if (!out.empty()) out += ',';
    out += w;
  }
  return out;
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string w;
  while (std::getline(in, w, ','))
    if (!w.empty()) out.push_back(w);
  return out;
}

domain::event read_event(SQLite::Statement& q) {
  domain::event e;
  e.id = q.getColumn(0).getInt64();
  e.kind = q.getColumn(1).getString();
  e.title = q.getColumn(2).getString();
  e.description = q.getColumn(3).getString();
  e.starts_at = q.getColumn(4).getInt64();
  e.ends_at = q.getColumn(5).getInt64();
  e.utc_offset_minutes = q.getColumn(6).getInt();
  e.capacity = opt_int(q.getColumn(7));
  e.focus_area = opt_text(q.getColumn(8));
  e.topic = opt_text(q.getColumn(9));
  e.network = opt_text(q.getColumn(10));
  e.organised_by_project = q.getColumn(11).getInt() != 0;
  e.registration_closes_at = opt_int(q.getColumn(12));
  e.language = q.getColumn(13).getString();
  e.status = domain::event_status_from(q.getColumn(14).getString()).value_or(domain::event_status::draft);
  if (!q.getColumn(15).isNull() || !q.getColumn(16).isNull() || !q.getColumn(17).getString().empty())
    e.place = domain::venue{q.getColumn(15).getString(), q.getColumn(16).getString(), split(q.getColumn(17).getString())};
  e.created_at = q.getColumn(18).getInt64();
  e.updated_at = q.getColumn(19).getInt64();
  e.counts.confirmed = q.getColumn(20).getInt64();
  e.counts.waitlisted = q.getColumn(21).getInt64();
  e.counts.walk_ins = q.getColumn(22).getInt64();
  e.counts.checked_in = q.getColumn(23).getInt64();
  e.version = q.getColumn(24).getInt64();
  e.counts.capacity = e.capacity;
  return e;
}

void bind_event(SQLite::Statement& s, const domain::event& e) {
  s.bind(1, e.kind);
  s.bind(2, e.title);
  s.bind(3, e.description);
  s.bind(4, static_cast<std::int64_t>(e.starts_at));
  s.bind(5, static_cast<std::int64_t>(e.ends_at));
  s.bind(6, e.utc_offset_minutes);
  bind_opt(s, 7, e.capacity);
  bind_opt(s, 8, e.focus_area);
  bind_opt(s, 9, e.topic);
  bind_opt(s, 10, e.network);
  s.bind(11, e.organised_by_project ? 1 : 0);
  bind_opt(s, 12, e.registration_closes_at ? std::optional<std::int64_t>(*e.registration_closes_at) : std::nullopt);
  s.bind(13, e.language);
  s.bind(14, std::string(domain::to_string(e.status)));
  if (e.place) {
    s.bind(15, e.place->name);
    s.bind(16, e.place->address);
    s.bind(17, join(e.place->accessibility));
  } else {
    s.bind(15);
    s.bind(16);
    s.bind(17, std::string());
  }
}

std::optional<domain::event> event_by_id(connection& c, id_t id) {
  auto& q = c.prepare("SELECT " EVENT_COLUMNS " FROM events WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto e = read_event(q);
  q.reset();
  return e;
}


domain::registration read_registration(SQLite::Statement& q) {
  domain::registration r;
  r.id = q.getColumn(0).getInt64();
  r.event_id = q.getColumn(1).getInt64();
  r.status = domain::registration_status_from(q.getColumn(2).getString()).value_or(domain::registration_status::cancelled);
  r.ticket_code = q.getColumn(3).getString();
  r.person.name = q.getColumn(4).getString();
  r.person.email = q.getColumn(5).getString();
  r.person.organisation = q.getColumn(6).getString();
  r.person.organisation_type = q.getColumn(7).getString();
  r.person.municipality = opt_text(q.getColumn(8));
  r.person.country = opt_text(q.getColumn(9));
  r.home_region = q.getColumn(10).getInt() != 0;
  r.person.gender = q.getColumn(11).getString();
  r.person.accessibility_needs = split(q.getColumn(12).getString());
  r.person.accessibility_note = opt_text(q.getColumn(13));
  r.person.dietary = opt_text(q.getColumn(14));
  r.person.language = q.getColumn(15).getString();
  r.walk_in = q.getColumn(16).getInt() != 0;
  r.erased = q.getColumn(17).getInt() != 0;
  r.created_at = q.getColumn(18).getInt64();
  r.cancelled_at = opt_int(q.getColumn(19));
  r.checked_in_at = opt_int(q.getColumn(20));
  r.checkin_forced = !q.getColumn(21).isNull() && q.getColumn(21).getInt() != 0;
  r.checkin_user_id = opt_int(q.getColumn(22));
  r.checkin_device = q.getColumn(23).isNull() ? std::string() : q.getColumn(23).getString();
  r.checkin_received_at = opt_int(q.getColumn(24));
  return r;
}

void load_waitlist_position(connection& c, domain::registration& r) {
  if (r.status != domain::registration_status::waitlisted) {
    r.waitlist_position.reset();
    return;
  }
  auto& q = c.prepare("SELECT count(*) FROM registrations WHERE event_id = ? AND status = 'waitlisted' AND id <= ?");
  q.bind(1, r.event_id);
  q.bind(2, r.id);
  q.executeStep();
  r.waitlist_position = q.getColumn(0).getInt64();
}

std::optional<domain::registration> registration_by_id(connection& c, id_t id) {
  auto& q = c.prepare("SELECT " REGISTRATION_COLUMNS
                      " FROM registrations r LEFT JOIN checkins c ON c.registration_id = r.id WHERE r.id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto r = read_registration(q);
  q.reset();
  load_waitlist_position(c, r);
  return r;
}


}  // namespace eventd::store::sqlite
