#include "store/sql/common.hpp"

#include "auth/crypto.hpp"

#include <sstream>

namespace eventd::store::sql {

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

domain::event read_event(statement& q) {
  constexpr auto& col = event_columns;
  domain::event e;
  e.id = q.getColumn(col["id"]).getInt64();
  e.kind = q.getColumn(col["kind"]).getString();
  e.title = q.getColumn(col["title"]).getString();
  e.description = q.getColumn(col["description"]).getString();
  e.starts_at = q.getColumn(col["starts_at"]).getInt64();
  e.ends_at = q.getColumn(col["ends_at"]).getInt64();
  e.utc_offset_minutes = q.getColumn(col["utc_offset_minutes"]).getInt();
  e.capacity = opt_int(q.getColumn(col["capacity"]));
  e.focus_area = opt_text(q.getColumn(col["focus_area"]));
  e.topic = opt_text(q.getColumn(col["topic"]));
  e.network = opt_text(q.getColumn(col["network"]));
  e.organised_by_project = q.getColumn(col["organised_by_project"]).getInt() != 0;
  e.registration_closes_at = opt_int(q.getColumn(col["registration_closes_at"]));
  e.evaluation_closes_at = opt_int(q.getColumn(col["evaluation_closes_at"]));
  e.language = q.getColumn(col["language"]).getString();
  e.status = domain::event_status_from(q.getColumn(col["status"]).getString()).value_or(domain::event_status::draft);
  const auto venue_name = q.getColumn(col["venue_name"]);
  const auto venue_address = q.getColumn(col["venue_address"]);
  const auto venue_accessibility = q.getColumn(col["venue_accessibility"]).getString();
  if (!venue_name.isNull() || !venue_address.isNull() || !venue_accessibility.empty())
    e.place = domain::venue{venue_name.getString(), venue_address.getString(), split(venue_accessibility)};
  e.created_at = q.getColumn(col["created_at"]).getInt64();
  e.updated_at = q.getColumn(col["updated_at"]).getInt64();
  e.counts.confirmed = q.getColumn(col["confirmed_count"]).getInt64();
  e.counts.waitlisted = q.getColumn(col["waitlisted_count"]).getInt64();
  e.counts.walk_ins = q.getColumn(col["walk_in_count"]).getInt64();
  e.counts.checked_in = q.getColumn(col["checked_in_count"]).getInt64();
  e.version = q.getColumn(col["version"]).getInt64();
  e.counts.capacity = e.capacity;
  return e;
}

void bind_event(statement& s, const domain::event& e) {
  constexpr auto& at = event_fields;
  s.bind(at.param("kind"), e.kind);
  s.bind(at.param("title"), e.title);
  s.bind(at.param("description"), e.description);
  s.bind(at.param("starts_at"), static_cast<std::int64_t>(e.starts_at));
  s.bind(at.param("ends_at"), static_cast<std::int64_t>(e.ends_at));
  s.bind(at.param("utc_offset_minutes"), e.utc_offset_minutes);
  bind_opt(s, at.param("capacity"), e.capacity);
  bind_opt(s, at.param("focus_area"), e.focus_area);
  bind_opt(s, at.param("topic"), e.topic);
  bind_opt(s, at.param("network"), e.network);
  s.bind(at.param("organised_by_project"), e.organised_by_project ? 1 : 0);
  bind_opt(s, at.param("registration_closes_at"), e.registration_closes_at);
  bind_opt(s, at.param("evaluation_closes_at"), e.evaluation_closes_at);
  s.bind(at.param("language"), e.language);
  s.bind(at.param("status"), std::string(domain::to_string(e.status)));
  if (e.place) {
    s.bind(at.param("venue_name"), e.place->name);
    s.bind(at.param("venue_address"), e.place->address);
    s.bind(at.param("venue_accessibility"), join(e.place->accessibility));
  } else {
    s.bind(at.param("venue_name"));
    s.bind(at.param("venue_address"));
    s.bind(at.param("venue_accessibility"), std::string());
  }
}

void lock_event(connection& c, id_t id) {
  if (!c.shared_writers()) return;
  auto& q = c.prepare("SELECT 1 FROM events WHERE id = ? FOR UPDATE");
  q.bind(1, id);
  q.executeStep();
  q.reset();
}

std::optional<domain::event> event_by_id(connection& c, id_t id) {
  auto& q = c.prepare("SELECT " EVENT_COLUMNS " FROM events WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  auto e = read_event(q);
  q.reset();
  return e;
}

domain::registration read_registration(statement& q) {
  constexpr auto& col = registration_columns;
  domain::registration r;
  r.id = q.getColumn(col["id"]).getInt64();
  r.event_id = q.getColumn(col["event_id"]).getInt64();
  r.person_id = q.getColumn(col["r.person_id"]).getInt64();
  r.status = domain::registration_status_from(q.getColumn(col["status"]).getString())
                 .value_or(domain::registration_status::cancelled);
  r.ticket_code = q.getColumn(col["ticket_code"]).getString();
  r.person.name = q.getColumn(col["name"]).getString();
  r.person.email = q.getColumn(col["email"]).getString();
  r.person.organisation = q.getColumn(col["organisation"]).getString();
  r.person.organisation_type = q.getColumn(col["organisation_type"]).getString();
  r.person.municipality = opt_text(q.getColumn(col["municipality"]));
  r.person.country = opt_text(q.getColumn(col["country"]));
  r.home_region = q.getColumn(col["home_region"]).getInt() != 0;
  r.person.gender = q.getColumn(col["gender"]).getString();
  r.person.accessibility_needs = split(q.getColumn(col["accessibility_needs"]).getString());
  r.person.accessibility_note = opt_text(q.getColumn(col["accessibility_note"]));
  r.person.dietary = opt_text(q.getColumn(col["dietary"]));
  r.person.language = q.getColumn(col["language"]).getString();
  r.walk_in = q.getColumn(col["walk_in"]).getInt() != 0;
  r.erased = q.getColumn(col["erased"]).getInt() != 0;
  r.created_at = q.getColumn(col["created_at"]).getInt64();
  r.cancelled_at = opt_int(q.getColumn(col["cancelled_at"]));
  r.checked_in_at = opt_int(q.getColumn(col["attended_at"]));
  const auto forced = q.getColumn(col["forced"]);
  r.checkin_forced = !forced.isNull() && forced.getInt() != 0;
  r.checkin_user_id = opt_int(q.getColumn(col["user_id"]));
  const auto device = q.getColumn(col["device"]);
  r.checkin_device = device.isNull() ? std::string() : device.getString();
  r.checkin_received_at = opt_int(q.getColumn(col["received_at"]));
  return r;
}

void load_waitlist_position(connection& c, domain::registration& r) {
  if (r.status != domain::registration_status::waitlisted) {
    r.waitlist_position.reset();
    return;
  }
  auto& q = c.prepare(
      "SELECT count(*) FROM registrations WHERE event_id = :event_id AND status = 'waitlisted' AND id <= :id");
  q.bind(":event_id", r.event_id);
  q.bind(":id", r.id);
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

void insert_checkin(connection& c, id_t registration_id, id_t event_id, domain::time_point attended_at,
                    domain::time_point received_at, id_t user_id, const std::string& device, bool forced) {
  // On the hot paths of check-in and walk-ins: bound by position.
  static constexpr sql_text insert{
      "INSERT INTO checkins(registration_id, event_id, attended_at, received_at, user_id, device, forced) "
      "VALUES (?, ?, ?, ?, ?, ?, ?)"};
  auto& q = c.prepare(insert.c_str());
  q.bind(insert.param("registration_id"), registration_id);
  q.bind(insert.param("event_id"), event_id);
  q.bind(insert.param("attended_at"), static_cast<std::int64_t>(attended_at));
  q.bind(insert.param("received_at"), static_cast<std::int64_t>(received_at));
  bind_opt(q, insert.param("user_id"), user_id ? std::optional<std::int64_t>(user_id) : std::nullopt);
  q.bind(insert.param("device"), device);
  q.bind(insert.param("forced"), forced ? 1 : 0);
  q.exec();
}

// The person with this (normalised) e-mail address, made on first sight.
id_t person_id_for(connection& c, const std::string& email) {
  auto& q = c.prepare("INSERT INTO persons(email) VALUES (?) ON CONFLICT(email) DO UPDATE SET email = excluded.email RETURNING id");
  q.bind(1, email);
  q.executeStep();
  const id_t id = q.getColumn(0).getInt64();
  q.reset();
  return id;
}

// A manage token is "<registration id>-<secret>": the id finds the row by its key, the secret's hash proves the
// holder. No index over token hashes, whose random inserts would cost a page write per registration.
std::optional<domain::registration> registration_by_token(connection& c, const std::string& token) {
  const auto dash = token.find('-');
  if (dash == std::string::npos || dash == 0 || dash > 15) return std::nullopt;
  id_t id = 0;
  for (std::size_t i = 0; i < dash; ++i) {
    if (token[i] < '0' || token[i] > '9') return std::nullopt;
    id = id * 10 + (token[i] - '0');
  }
  auto& q = c.prepare("SELECT manage_token_hash FROM registrations WHERE id = ?");
  q.bind(1, id);
  if (!q.executeStep()) return std::nullopt;
  const auto hash = auth::sha256_hex(token.substr(dash + 1));
  bool match = auth::equal_constant_time(q.getColumn(0).getString(), hash);
  q.reset();
  if (!match) {
    // A further link sent by mail (a promotion, a reminder...) beside the first one.
    auto& more = c.prepare("SELECT token_hash FROM registration_links WHERE registration_id = ?");
    more.bind(1, id);
    while (more.executeStep()) match = auth::equal_constant_time(more.getColumn(0).getString(), hash) || match;
    more.reset();
  }
  if (!match) return std::nullopt;
  return registration_by_id(c, id);
}

// The registration a participant's link names, or not_found: the same answer for a wrong secret and a missing row.
domain::registration registration_for_link(connection& c, const std::string& token) {
  auto r = registration_by_token(c, token);
  if (!r) fail(errc::not_found, "no registration for this link");
  return std::move(*r);
}

}  // namespace eventd::store::sql
