// Registrations: the public form, the participant's own link, and the organisers' list.
#include "api/services.hpp"

#include "api/qr.hpp"
#include "domain/time.hpp"

namespace eventd::api {

void read_person(reader& in, domain::person_fields& p, bool require_consent) {
  if (auto v = in.text("name", true)) p.name = *v;
  if (auto v = in.text("email", true)) p.email = *v;
  if (auto v = in.text("organisation", true)) p.organisation = *v;
  if (auto v = in.text("organisation_type", true)) p.organisation_type = *v;
  if (auto v = in.text("municipality")) p.municipality = domain::trim(*v); else p.municipality.reset();
  if (auto v = in.text("country")) p.country = domain::trim(*v); else p.country.reset();
  if (p.municipality && p.municipality->empty()) p.municipality.reset();
  if (p.country && p.country->empty()) p.country.reset();
  if (auto v = in.text("gender")) p.gender = *v;
  if (auto v = in.words("accessibility_needs")) p.accessibility_needs = *v;
  if (auto v = in.text("accessibility_note")) p.accessibility_note = *v;
  if (auto v = in.text("dietary")) p.dietary = *v;
  if (auto v = in.text("language")) p.language = *v;
  if (require_consent) {
    auto consent = in.boolean("consent");
    if (!consent || !*consent) in.error("consent", "must be true: consent to the privacy notice is required");
  }
}

namespace {

json registration_with_event(services& s, const domain::registration& r) {
  json j = registration_json(r);
  if (auto e = s.db.get_event(r.event_id)) j["event"] = event_json(*e, domain::now());
  return j;
}

// Manage tokens are 43 base64url characters; anything else cannot be one.
bool plausible_token(const std::string& t) {
  if (t.size() < 20 || t.size() > 100) return false;
  for (char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

response unknown_token() { return problem(404, "Not found", "no registration for this link"); }

}  // namespace

void add_registration_routes(router& r, services& s) {
  r.add("POST", "/api/v1/events/{id}/registrations", [&s](const request& req, const route_match& m, responder done) {
    response err;
    auto body = parse_body(req, err);
    if (!body) return done(err);
    // The writer checks the event (missing, draft, cancelled, closed) against the database: no extra read here.
    const auto event_id = m.id("id");
    if (event_id <= 0) return done(problem(404, "Not found", "no such event"));
    domain::person_fields p;
    domain::field_errors errors;
    reader in(*body, errors);
    read_person(in, p, true);
    domain::validate_person(p, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    s.db.register_person(event_id, std::move(p), false, reply<store::created_registration>(std::move(done), [](const store::created_registration& c) {
                           json j = registration_json(c.registration);
                           j["manage_token"] = c.manage_token;
                           auto res = json_response(201, j);
                           res.headers.emplace_back("Cache-Control", "no-store");
                           return res;
                         }));
  });

  r.add("GET", "/api/v1/events/{id}/registrations", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    std::optional<domain::registration_status> status;
    if (auto it = req.query.find("status"); it != req.query.end() && !it->second.empty()) {
      status = domain::registration_status_from(it->second);
      if (!status)
        return done(problem(400, "Bad query", "status is wrong", {{"status", "must be one of: confirmed, waitlisted, cancelled"}}));
    }
    auto q = req.query.count("q") ? domain::trim(req.query.at("q")) : std::string();
    if (q.size() > 200) return done(problem(400, "Bad query", "q is too long", {{"q", "must be at most 200 characters"}}));
    json items = json::array();
    for (const auto& reg : s.db.list_registrations(e->id, q, status)) items.push_back(registration_json(reg));
    done(json_response(200, {{"items", items}, {"counts", counts_json(e->counts)}}));
  });

  r.add("POST", "/api/v1/events/{id}/registrations/{rid}/cancel", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    s.db.cancel_registration(m.id("id"), m.id("rid"), reply<domain::registration>(std::move(done), [](const domain::registration& c) {
                               return json_response(200, registration_json(c));
                             }));
  });

  r.add("GET", "/api/v1/my/registrations/{token}", [&s](const request&, const route_match& m, responder done) {
    const auto& token = m.params.at("token");
    auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
    if (!reg) return done(unknown_token());
    auto res = json_response(200, registration_with_event(s, *reg));
    res.headers.emplace_back("Cache-Control", "no-store");
    done(res);
  });

  r.add("PATCH", "/api/v1/my/registrations/{token}", [&s](const request& req, const route_match& m, responder done) {
    response err;
    auto body = parse_body(req, err);
    if (!body) return done(err);
    const auto token = m.params.at("token");
    auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
    if (!reg) return done(unknown_token());
    if (reg->erased) return done(problem(409, "Conflict", "this registration's personal data has been erased"));
    // Unchanged fields keep their values: start from the stored ones and overlay what was sent.
    json merged = registration_json(*reg);
    for (auto it = body->begin(); it != body->end(); ++it) merged[it.key()] = it.value();
    domain::person_fields p;
    domain::field_errors errors;
    reader in(merged, errors);
    read_person(in, p, false);
    domain::validate_person(p, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are wrong", errors));
    s.db.update_person(token, std::move(p), reply<domain::registration>(std::move(done), [&s](const domain::registration& u) {
                         return json_response(200, registration_with_event(s, u));
                       }));
  });

  r.add("DELETE", "/api/v1/my/registrations/{token}", [&s](const request&, const route_match& m, responder done) {
    const auto token = m.params.at("token");
    if (!plausible_token(token)) return done(unknown_token());
    s.db.cancel_by_token(token, reply<domain::registration>(std::move(done), [&s](const domain::registration& u) {
                           return json_response(200, registration_with_event(s, u));
                         }));
  });

  r.add("POST", "/api/v1/my/registrations/{token}/erase", [&s](const request&, const route_match& m, responder done) {
    const auto token = m.params.at("token");
    if (!plausible_token(token)) return done(unknown_token());
    s.db.erase_by_token(token, reply<domain::registration>(std::move(done), [&s](const domain::registration& u) {
                          return json_response(200, registration_with_event(s, u));
                        }));
  });

  r.add("GET", "/api/v1/my/registrations/{token}/ticket.svg", [&s](const request&, const route_match& m, responder done) {
    const auto& token = m.params.at("token");
    auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
    if (!reg) return done(unknown_token());
    response res;
    res.content_type = "image/svg+xml";
    res.body = qr_svg(reg->ticket_code);
    res.headers.emplace_back("Cache-Control", "private, max-age=86400");
    done(res);
  });
}

}  // namespace eventd::api
