// Events: list, read, create, change, cancel, the calendar entry and the venue's uncovered needs.
#include "api/services.hpp"

#include "domain/time.hpp"

namespace eventd::api {
namespace {

// Applies the fields present in `body` to `e`; on create, the required ones must be there.
void apply_event_fields(const json& body, domain::event& e, bool creating,
                        domain::field_errors& errors) {
  reader in(body, errors);
  if (auto v = in.text("kind", creating)) e.kind = *v;
  if (auto v = in.text("title", creating)) e.title = domain::trim(*v);
  if (auto v = in.text("description")) e.description = *v;
  if (auto v = in.time("starts_at", creating)) {
    e.starts_at = v->at;
    e.utc_offset_minutes = v->utc_offset_minutes;
  }
  if (auto v = in.time("ends_at", creating)) e.ends_at = v->at;
  if (body.contains("capacity")) {
    if (body.at("capacity").is_null()) e.capacity.reset();
    else if (auto v = in.integer("capacity")) e.capacity = *v;
  }
  auto optional_word = [&](const char* name, std::optional<std::string>& field) {
    if (!body.contains(name)) return;
    if (body.at(name).is_null()) field.reset();
    else if (auto v = in.text(name)) field = *v;
  };
  optional_word("focus_area", e.focus_area);
  optional_word("topic", e.topic);
  optional_word("network", e.network);
  if (auto v = in.boolean("organised_by_project")) e.organised_by_project = *v;
  if (body.contains("registration_closes_at")) {
    if (body.at("registration_closes_at").is_null()) e.registration_closes_at.reset();
    else if (auto v = in.time("registration_closes_at")) e.registration_closes_at = v->at;
  }
  if (auto v = in.text("language")) e.language = *v;
  if (auto v = in.text("status")) {
    if (*v == "published") e.status = domain::event_status::published;
    else if (*v == "draft") e.status = domain::event_status::draft;
    else in.error("status", "must be one of: published, draft (cancel with POST /api/v1/events/{id}/cancel)");
  }
  if (body.contains("venue")) {
    const auto& v = body.at("venue");
    if (v.is_null()) {
      e.place.reset();
    } else if (!v.is_object()) {
      in.error("venue", "must be an object with name, address and accessibility");
    } else {
      reader vin(v, errors, "venue.");
      domain::venue place = e.place.value_or(domain::venue{});
      if (auto x = vin.text("name")) place.name = domain::trim(*x);
      if (auto x = vin.text("address")) place.address = domain::trim(*x);
      if (auto x = vin.words("accessibility")) place.accessibility = *x;
      e.place = place;
    }
  }
  if (creating && e.kind == "partner_search_forum" && !body.contains("organised_by_project")) e.organised_by_project = true;
}

// Drafts exist only for organisers; the public gets a 404 as if there were nothing.
bool may_see(const domain::event& e, const std::optional<principal>& p) {
  return e.status != domain::event_status::draft || (p && p->user.role >= domain::role::organiser);
}

std::string ics_text(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ';' || c == ',') { out += '\\'; out += c; }
    else if (c == '\n') out += "\\n";
    else if (c != '\r') out += c;
  }
  return out;
}

// Folds content lines at 75 octets without splitting a UTF-8 sequence (RFC 5545 3.1).
std::string ics_line(const std::string& line) {
  std::string out;
  std::size_t col = 0;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const unsigned char c = static_cast<unsigned char>(line[i]);
    if (col >= 74 && (c & 0xC0) != 0x80) {
      out += "\r\n ";
      col = 1;
    }
    out += line[i];
    ++col;
  }
  return out + "\r\n";
}

std::string ics_time(domain::time_point t) {
  auto s = domain::format_rfc3339(t, 0);  // 2026-03-01T09:00:00Z
  std::string out;
  for (char c : s)
    if (c != '-' && c != ':') out += c;
  return out;
}

}  // namespace

void add_event_routes(router& r, services& s) {
  r.add("GET", "/api/v1/events", [&s](const request& req, const route_match&, responder done) {
    auto p = authenticate(s, req);
    store::event_filter f;
    domain::field_errors errors;
    if (auto it = req.query.find("kind"); it != req.query.end() && !it->second.empty()) {
      if (!domain::contains(domain::event_kinds, it->second)) errors.push_back({"kind", domain::one_of_message(domain::event_kinds)});
      f.kind = it->second;
    }
    auto bound = [&](const char* name, std::optional<domain::time_point>& out) {
      auto it = req.query.find(name);
      if (it == req.query.end() || it->second.empty()) return;
      if (auto t = domain::parse_rfc3339(it->second)) out = t->at;
      else if (auto d = domain::parse_date(it->second)) out = *d;
      else errors.push_back({name, "must be a date (YYYY-MM-DD) or an RFC 3339 timestamp"});
    };
    bound("from", f.from);
    bound("to", f.to);
    if (!errors.empty()) return done(problem(400, "Bad query", "some query parameters are wrong", errors));
    f.include_drafts = p && p->user.role >= domain::role::organiser;
    const auto now = domain::now();
    json items = json::array();
    for (const auto& e : s.db.list_events(f)) items.push_back(event_json(e, now));
    done(json_response(200, {{"items", items}}));
  });

  r.add("GET", "/api/v1/events/{id}", [&s](const request& req, const route_match& m, responder done) {
    auto e = s.db.get_event(m.id("id"));
    if (!e || !may_see(*e, authenticate(s, req))) return done(problem(404, "Not found", "no such event"));
    done(json_response(200, event_json(*e, domain::now())));
  });

  r.add("POST", "/api/v1/events", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    domain::event e;
    domain::field_errors errors;
    apply_event_fields(*body, e, true, errors);
    domain::validate_event(e, s.cfg, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    s.db.create_event(e, reply<domain::event>(std::move(done), [](const domain::event& created) {
                        auto res = json_response(201, event_json(created, domain::now()));
                        res.headers.emplace_back("Location", "/api/v1/events/" + std::to_string(created.id));
                        return res;
                      }));
  });

  r.add("PATCH", "/api/v1/events/{id}", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    if (e->status == domain::event_status::cancelled) return done(problem(409, "Conflict", "the event is cancelled"));
    domain::field_errors errors;
    apply_event_fields(*body, *e, false, errors);
    domain::validate_event(*e, s.cfg, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are wrong", errors));
    s.db.update_event(*e, reply<domain::event>(std::move(done), [](const domain::event& u) {
                        return json_response(200, event_json(u, domain::now()));
                      }));
  });

  r.add("POST", "/api/v1/events/{id}/cancel", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    if (e->status == domain::event_status::cancelled) return done(problem(409, "Conflict", "the event is already cancelled"));
    s.db.cancel_event(e->id, reply<domain::event>(std::move(done), [](const domain::event& u) {
                        return json_response(200, event_json(u, domain::now()));
                      }));
  });

  r.add("GET", "/api/v1/events/{id}.ics", [&s](const request& req, const route_match& m, responder done) {
    auto e = s.db.get_event(m.id("id"));
    if (!e || !may_see(*e, authenticate(s, req))) return done(problem(404, "Not found", "no such event"));
    std::string out;
    out += ics_line("BEGIN:VCALENDAR");
    out += ics_line("VERSION:2.0");
    out += ics_line("PRODID:-//Networking Europe//eventd//EN");
    out += ics_line("CALSCALE:GREGORIAN");
    out += ics_line("METHOD:PUBLISH");
    out += ics_line("BEGIN:VEVENT");
    out += ics_line("UID:event-" + std::to_string(e->id) + "@eventd");
    out += ics_line("DTSTAMP:" + ics_time(e->updated_at));
    out += ics_line("DTSTART:" + ics_time(e->starts_at));
    out += ics_line("DTEND:" + ics_time(e->ends_at));
    out += ics_line("SUMMARY:" + ics_text(e->title));
    if (!e->description.empty()) out += ics_line("DESCRIPTION:" + ics_text(e->description));
    if (e->place) out += ics_line("LOCATION:" + ics_text(e->place->name + (e->place->address.empty() ? "" : ", " + e->place->address)));
    out += ics_line(std::string("STATUS:") + (e->status == domain::event_status::cancelled ? "CANCELLED" : "CONFIRMED"));
    out += ics_line("END:VEVENT");
    out += ics_line("END:VCALENDAR");
    response res;
    res.content_type = "text/calendar; charset=utf-8";
    res.body = std::move(out);
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"event-" + std::to_string(e->id) + ".ics\"");
    done(res);
  });

  r.add("GET", "/api/v1/events/{id}/needs", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    auto n = s.db.needs(e->id);
    json requested = json::object();
    for (const auto& [need, count] : n.requested) requested[need] = count;
    done(json_response(200, {{"offered", n.offered}, {"requested", requested}, {"uncovered", n.uncovered}}));
  });
}

}  // namespace eventd::api
