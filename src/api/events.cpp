// Events: list, read, create, change, cancel, the calendar entry and the venue's uncovered needs.
#include "api/services.hpp"

#include "api/calendar.hpp"
#include "domain/event_rules.hpp"
#include "domain/time.hpp"
#include "support/host.hpp"

namespace eventd::api {
namespace {

// The fields present in `body` as a patch; on create, the required ones must be there.
domain::event_patch read_event_patch(const json& body, bool creating, domain::field_errors& errors) {
  domain::event_patch p;
  reader in(body, errors);
  if (auto v = in.text("kind", creating)) p.kind = *v;
  if (auto v = in.text("title", creating)) p.title = domain::trim(*v);
  if (auto v = in.text("description")) p.description = *v;
  if (auto v = in.time("starts_at", creating)) p.starts_at = *v;
  if (auto v = in.time("ends_at", creating)) p.ends_at = v->at;
  if (body.contains("capacity")) {
    if (body.at("capacity").is_null()) p.capacity = std::optional<std::int64_t>();
    else if (auto v = in.integer("capacity")) p.capacity = std::optional<std::int64_t>(*v);
  }
  p.focus_area = in.nullable_text("focus_area");
  p.topic = in.nullable_text("topic");
  p.network = in.nullable_text("network");
  if (auto v = in.boolean("organised_by_project")) p.organised_by_project = *v;
  if (body.contains("registration_closes_at")) {
    if (body.at("registration_closes_at").is_null()) p.registration_closes_at = std::optional<domain::time_point>();
    else if (auto v = in.time("registration_closes_at")) p.registration_closes_at = std::optional<domain::time_point>(v->at);
  }
  if (body.contains("evaluation_closes_at")) {
    if (body.at("evaluation_closes_at").is_null()) p.evaluation_closes_at = std::optional<domain::time_point>();
    else if (auto v = in.time("evaluation_closes_at")) p.evaluation_closes_at = std::optional<domain::time_point>(v->at);
  }
  if (auto v = in.text("language")) p.language = *v;
  if (auto v = in.text("status")) {
    if (*v == "published") p.status = domain::event_status::published;
    else if (*v == "draft") p.status = domain::event_status::draft;
    else in.error("status", "must be one of: published, draft (cancel with POST /api/v1/events/{id}/cancel)");
  }
  if (body.contains("venue")) {
    const auto& v = body.at("venue");
    if (v.is_null()) {
      p.place = std::optional<domain::event_patch::venue_patch>();
    } else if (!v.is_object()) {
      in.error("venue", "must be an object with name, address and accessibility");
    } else {
      reader vin(v, errors, "venue.");
      domain::event_patch::venue_patch place;
      if (auto x = vin.text("name")) place.name = domain::trim(*x);
      if (auto x = vin.text("address")) place.address = domain::trim(*x);
      if (auto x = vin.words("accessibility")) place.accessibility = *x;
      p.place = std::optional<domain::event_patch::venue_patch>(std::move(place));
    }
  }
  return p;
}

// The event's entity tag: its version, which every change raises (the counts are not part of it).
std::string event_etag(const domain::event& e) { return "\"" + std::to_string(e.version) + "\""; }

// The versions an If-Match names (RFC 9110 13.1.1): none for "*" or no header; weak tags never match (strong
// comparison), so a header of only weak or malformed tags names no version and the edit is refused.
domain::version_condition if_match_versions(const request& req) {
  auto it = req.headers.find("if-match");
  if (it == req.headers.end()) return std::nullopt;
  std::vector<std::int64_t> versions;
  std::string_view rest = it->second;
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    std::string_view tag = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view() : rest.substr(comma + 1);
    while (!tag.empty() && (tag.front() == ' ' || tag.front() == '\t')) tag.remove_prefix(1);
    while (!tag.empty() && (tag.back() == ' ' || tag.back() == '\t')) tag.remove_suffix(1);
    if (tag == "*") return std::nullopt;
    if (tag.size() < 3 || tag.size() > 20 || tag.front() != '"' || tag.back() != '"') continue;
    std::int64_t v = 0;
    bool digits = true;
    for (char c : tag.substr(1, tag.size() - 2)) {
      if (c < '0' || c > '9') { digits = false; break; }
      v = v * 10 + (c - '0');
    }
    if (digits) versions.push_back(v);
  }
  return versions;
}

// An event answer with its ETag, so the next PATCH can name the version it was based on.
response event_response(int status, const domain::event& e) {
  auto res = json_response(status, event_json(e, domain::now()));
  res.headers.emplace_back("ETag", event_etag(e));
  return res;
}

// Drafts exist only for organisers; the public gets a 404 as if there were nothing.
bool may_see(const domain::event& e, const std::optional<principal>& p) {
  return e.status != domain::event_status::draft || (p && p->user.role >= domain::role::organiser);
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
    done(event_response(200, *e));
  });

  r.add("POST", "/api/v1/events", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    domain::event e;
    domain::field_errors errors;
    domain::apply(read_event_patch(*body, true, errors), e);
    domain::validate_event(e, s.cfg, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    s.db.create_event(e, reply<domain::event>(std::move(done), [](const domain::event& created) {
                        auto res = event_response(201, created);
                        res.headers.emplace_back("Location", "/api/v1/events/" + std::to_string(created.id));
                        return res;
                      }));
  });

  r.add("PATCH", "/api/v1/events/{id}", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    domain::field_errors errors;
    auto patch = read_event_patch(*body, false, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are wrong", errors));
    // No read here: the writer decides against the event as it is when the change is written (stale version,
    // cancelled, invalid, capacity below the confirmed count).
    s.db.update_event(m.id("id"), std::move(patch), if_match_versions(req),
                      reply<domain::event>(std::move(done), [](const domain::event& u) { return event_response(200, u); }));
  });

  r.add("POST", "/api/v1/events/{id}/cancel", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    if (e->status == domain::event_status::cancelled) return done(problem(409, "Conflict", "the event is already cancelled"));
    s.db.cancel_event(e->id, reply<domain::event>(std::move(done), [](const domain::event& u) { return event_response(200, u); }));
  });

  r.add("GET", "/api/v1/events/{id}.ics", [&s](const request& req, const route_match& m, responder done) {
    auto e = s.db.get_event(m.id("id"));
    if (!e || !may_see(*e, authenticate(s, req))) return done(problem(404, "Not found", "no such event"));
    response res;
    res.content_type = "text/calendar; charset=utf-8";
    res.body = event_calendar(*e, support::message_host(s.cfg.public_url));
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
