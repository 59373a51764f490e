// Counselling (individual support) sessions: log, list by period, read, change, delete (../shared/API.md,
// Counselling). Organisers only: the persons named are personal data.
#include "api/services.hpp"

#include "domain/support_rules.hpp"
#include "domain/time.hpp"

namespace eventd::api {
namespace {

// The fields present in `body`; missing or mistyped ones noted (what is required, validate_support says).
domain::support_session_patch read_support(const json& body, domain::field_errors& errors) {
  domain::support_session_patch p;
  reader in(body, errors);
  p.date = in.text("date");
  p.organisation = in.text("organisation");
  p.project_idea = in.text("project_idea");
  p.hours = in.number("hours");
  p.organisation_type = in.nullable_text("organisation_type");
  p.municipality = in.nullable_text("municipality");
  p.note = in.nullable_text("note");
  if (in.has("persons")) {
    const auto& list = body.at("persons");
    if (!list.is_array()) {
      in.error("persons", "must be a list of persons, each with name and email");
    } else {
      std::vector<domain::support_person> persons;
      // Bounded before reading: validation refuses the list anyway, and only its length is needed for that.
      for (std::size_t i = 0; i < list.size() && i <= domain::max_support_persons; ++i) {
        const std::string item = "persons[" + std::to_string(i) + "]";
        domain::support_person person;
        if (!list.at(i).is_object()) {
          errors.push_back({item, "must be an object with name and email"});
        } else {
          reader pin(list.at(i), errors, item + ".");
          person.name = pin.text("name");
          person.email = pin.text("email");
        }
        persons.push_back(std::move(person));
      }
      p.persons = std::move(persons);
    }
  }
  return p;
}

json session_json(const domain::support_session& s) {
  json persons = json::array();
  for (const auto& p : s.persons)
    persons.push_back({{"id", p.id}, {"name", nullable(p.name)}, {"email", nullable(p.email)}});
  return {{"id", s.id},
          {"date", s.date},
          {"organisation", s.organisation},
          {"organisation_type", nullable(s.organisation_type)},
          {"municipality", nullable(s.municipality)},
          {"project_idea", s.project_idea},
          {"project_idea_key", domain::project_idea_key(s.project_idea)},
          {"hours", s.hours},
          {"persons", std::move(persons)},
          {"note", nullable(s.note)},
          {"created_at", domain::format_rfc3339(s.created_at, domain::stockholm_offset_minutes(s.created_at))}};
}

response session_response(int status, const domain::support_session& s) {
  auto res = json_response(status, session_json(s));
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

// The organiser's fields, validated and in their kept form; otherwise `done` has heard the 401/403, 400/415 or 422.
std::optional<domain::support_session_patch> valid_support(services& s, const request& req, bool creating,
                                                           responder& done) {
  response err;
  std::optional<json> body;
  if (require(s, req, domain::role::organiser, err)) body = parse_body(req, err);
  if (!body) {
    done(err);
    return std::nullopt;
  }
  domain::field_errors errors;
  auto patch = read_support(*body, errors);
  domain::validate_support(patch, creating, errors);
  if (!errors.empty()) {
    done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    return std::nullopt;
  }
  return domain::normalise_support(std::move(patch));
}

}  // namespace

void add_support_routes(router& r, services& s) {
  r.add("POST", "/api/v1/support-sessions", [&s](const request& req, const route_match&, responder done) {
    auto patch = valid_support(s, req, true, done);
    if (!patch) return;
    domain::support_session session;
    domain::apply(*patch, session);
    s.db.create_support_session(std::move(session), reply<domain::support_session>(std::move(done), [](const domain::support_session& c) {
                                  auto res = session_response(201, c);
                                  res.headers.emplace_back("Location", "/api/v1/support-sessions/" + std::to_string(c.id));
                                  return res;
                                }));
  });

  r.add("GET", "/api/v1/support-sessions", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    const auto period = read_period(req, err);
    if (!period) return done(err);
    run_heavy(s, std::move(done), [&s, period = *period] {
      json items = json::array();
      for (const auto& session : s.db.list_support_sessions(period)) items.push_back(session_json(session));
      auto res = json_response(200, {{"items", std::move(items)},
                                     {"period", {{"from", nullable(period.from)}, {"to", nullable(period.to)}}}});
      res.headers.emplace_back("Cache-Control", "no-store");
      return res;
    });
  });

  r.add("GET", "/api/v1/support-sessions/{id}", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto session = s.db.get_support_session(m.id("id"));
    if (!session) return done(problem(404, "Not found", "no such counselling session"));
    done(session_response(200, *session));
  });

  r.add("PATCH", "/api/v1/support-sessions/{id}", [&s](const request& req, const route_match& m, responder done) {
    auto patch = valid_support(s, req, false, done);
    if (!patch) return;
    s.db.update_support_session(m.id("id"), std::move(*patch),
                                reply<domain::support_session>(std::move(done), [](const domain::support_session& u) {
                                  return session_response(200, u);
                                }));
  });

  r.add("DELETE", "/api/v1/support-sessions/{id}", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    s.db.delete_support_session(m.id("id"), reply<bool>(std::move(done), [](bool) {
                                  response res;
                                  res.status = 204;
                                  res.content_type.clear();
                                  return res;
                                }));
  });
}

}  // namespace eventd::api
