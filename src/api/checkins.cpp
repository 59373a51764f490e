// Check-in at the door: single scans, undo, walk-ins, offline batches, and the door list.
#include "api/services.hpp"

#include "api/registration_view.hpp"
#include "domain/time.hpp"

#include <cstdio>

namespace eventd::api {
namespace {

// {"result":"checked_in"|"already_checked_in","registration":{...},"registration_id":..,"checked_in_at":..,"forced":..}
std::string admitted_json(const store::checkin_outcome& o) {
  const auto r = view_of(*o.registration);
  std::string out;
  out.reserve(320);
  out += o.result == store::checkin_result::checked_in ? R"({"result":"checked_in","registration":{"id":)"
                                                       : R"({"result":"already_checked_in","registration":{"id":)";
  out += std::to_string(r.id);
  out += R"(,"ticket_code":)";
  append_json_string(out, r.ticket_code);
  out += R"(,"name":)";
  append_json_nullable(out, r.name);
  out += R"(,"organisation":)";
  append_json_nullable(out, r.organisation);
  out += R"(,"status":")";
  out += domain::to_string(r.status);
  out += R"(","walk_in":)";
  out += r.walk_in ? "true" : "false";
  out += R"(},"registration_id":)";
  out += std::to_string(r.id);
  if (r.checked_in_at) {
    out += R"(,"checked_in_at":")";
    out += domain::format_rfc3339(*r.checked_in_at, domain::stockholm_offset_minutes(*r.checked_in_at));
    out += '"';
  }
  out += R"(,"forced":)";
  out += r.checkin_forced ? "true" : "false";
  out += '}';
  return out;
}

}  // namespace

store::scan_answer render_scan(const store::checkin_outcome& o) {
  using store::checkin_result;
  auto person = [&](json& j) {
    if (!o.registration) return;
    const auto r = view_of(*o.registration);
    j["registration"] = {{"id", r.id},
                         {"ticket_code", r.ticket_code},
                         {"name", nullable(r.name)},
                         {"organisation", nullable(r.organisation)},
                         {"status", std::string(domain::to_string(r.status))},
                         {"walk_in", r.walk_in}};
    j["registration_id"] = r.id;
    if (r.checked_in_at) j["checked_in_at"] = domain::format_rfc3339(*r.checked_in_at, domain::stockholm_offset_minutes(*r.checked_in_at));
    j["forced"] = r.checkin_forced;
  };
  json j;
  int status = 200;
  switch (o.result) {
    case checkin_result::checked_in:
    case checkin_result::already_checked_in:
      // The door's common answers are rendered by hand: this runs inside the writer, and every microsecond there
      // is one the whole batch waits for.
      if (o.registration) return {o.result == checkin_result::checked_in ? 201 : 200, admitted_json(o)};
      j = {{"result", o.result == checkin_result::checked_in ? "checked_in" : "already_checked_in"}};
      break;
    case checkin_result::unknown:
      status = 404;
      j = problem_json(404, "Unknown ticket", o.other_event_id ? "this ticket is for another event" : "no ticket with this code for this event");
      j["result"] = "unknown";
      if (o.other_event_id) j["other_event_id"] = *o.other_event_id;
      break;
    case checkin_result::not_admissible: {
      status = 409;
      const std::string st(domain::to_string(o.registration->status));
      j = problem_json(409, "Not admitted", "the registration is " + st + "; send force: true to admit anyway");
      j["result"] = "not_admissible";
      j["registration_status"] = st;
      if (o.active_registration_id) {
        j["detail"] = "the registration is cancelled and this person holds another active registration for the event; check that one in";
        j["reason"] = "another_active_registration";
        j["active_registration_id"] = *o.active_registration_id;
      }
      person(j);
      break;
    }
    case checkin_result::scan_id_reused:
      // An idempotency key sent again with another request: the first answer belongs to that first request.
      status = 409;
      j = problem_json(409, "scan_id reused",
                       "this scan_id was already used for another check-in (another event or ticket); send a new scan_id");
      j["result"] = "scan_id_reused";
      j["reason"] = "scan_id_reused";
      break;
  }
  return {status, j.dump(-1, ' ', false, json::error_handler_t::replace)};
}

namespace {

response from_answer(const store::scan_answer& a) {
  response res;
  res.status = a.status;
  res.body = a.body;
  res.content_type = a.status >= 400 ? "application/problem+json" : "application/json";
  return res;
}

// When someone attended: a timestamp (scanned at the door) or a date alone (recorded afterwards; kept as midday
// Stockholm time). Neither may lie in the future; a date alone may be today.
std::optional<domain::time_point> read_attended_at(const json& body, reader& in) {
  if (!body.contains("attended_at") || body.at("attended_at").is_null()) return std::nullopt;
  const char* wrong = "must be an RFC 3339 timestamp or a date (YYYY-MM-DD)";
  if (!body.at("attended_at").is_string()) {
    in.error("attended_at", wrong);
    return std::nullopt;
  }
  const auto& s = body.at("attended_at").get_ref<const std::string&>();
  const auto now = domain::now();
  if (auto t = domain::parse_rfc3339(s)) {
    // A few minutes of slack for a scanning device whose clock runs ahead.
    if (t->at > now + 300) in.error("attended_at", "must not be in the future");
    return t->at;
  }
  if (auto d = domain::parse_date(s)) {
    const auto today = (now + 60 * domain::stockholm_offset_minutes(now)) / 86400 * 86400;
    if (*d > today) in.error("attended_at", "must not be in the future");
    const auto midday = *d + 12 * 3600;
    return midday - 60 * domain::stockholm_offset_minutes(midday);
  }
  in.error("attended_at", wrong);
  return std::nullopt;
}

// Reads one check-in from `body`; `event_id` is given by the path or, in a batch, by the item.
std::optional<store::checkin_command> read_checkin(const json& body, domain::field_errors& errors, const principal& p,
                                                   const request& req, std::string prefix = "") {
  store::checkin_command c;
  reader in(body, errors, prefix);
  if (auto v = in.text("ticket_code")) {
    if (v->empty() || v->size() > 64) in.error("ticket_code", "must be 1 to 64 characters");
    c.ticket_code = *v;
  }
  if (auto v = in.integer("registration_id")) c.registration_id = *v;
  if (!c.ticket_code && !c.registration_id) in.error("ticket_code", "is required (or registration_id)");
  if (auto v = in.text("scan_id")) {
    if (v->empty() || v->size() > 100) in.error("scan_id", "must be 1 to 100 characters");
    c.scan_id = *v;
  }
  c.attended_at = read_attended_at(body, in);
  if (auto v = in.boolean("force")) c.force = *v;
  c.user_id = p.user.id;
  c.device = req.header("x-device-id").substr(0, 100);
  return c;
}

}  // namespace

void add_checkin_routes(router& r, services& s) {
  r.add("POST", "/api/v1/events/{id}/checkins", [&s](const request& req, const route_match& m, responder done) {
    response err;
    auto p = require(s, req, domain::role::organiser, err);
    if (!p) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    // No read of the event here: the writer finds the ticket and answers "unknown" for a ticket of no such event.
    const auto event_id = m.id("id");
    if (event_id <= 0) return done(problem(404, "Not found", "no such event"));
    domain::field_errors errors;
    auto cmd = read_checkin(*body, errors, *p, req);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    cmd->event_id = event_id;
    s.db.check_in(*cmd, render_scan, reply<store::scan_answer>(std::move(done), from_answer));
  });

  r.add("DELETE", "/api/v1/events/{id}/checkins/{rid}", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    s.db.undo_check_in(m.id("id"), m.id("rid"), reply<domain::registration>(std::move(done), [](const domain::registration& u) {
                         return json_response(200, {{"result", "undone"}, {"registration", registration_json(u)}});
                       }));
  });

  r.add("POST", "/api/v1/events/{id}/walk-ins", [&s](const request& req, const route_match& m, responder done) {
    response err;
    auto p = require(s, req, domain::role::organiser, err);
    if (!p) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    domain::person_fields person;
    domain::field_errors errors;
    reader in(*body, errors);
    read_person(in, person, true);
    const auto attended = read_attended_at(*body, in);
    domain::validate_person(person, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    s.db.register_person(e->id, std::move(person), true, reply<store::created_registration>(std::move(done), [](const store::created_registration& c) {
                           json j = registration_json(c.registration);
                           j["manage_token"] = c.manage_token;
                           j["result"] = "checked_in";
                           return json_response(201, j);
                         }),
                         attended, p->user.id);
  });

  r.add("POST", "/api/v1/checkins/batch", [&s](const request& req, const route_match&, responder done) {
    response err;
    auto p = require(s, req, domain::role::organiser, err);
    if (!p) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    if (!body->contains("items") || !body->at("items").is_array())
      return done(problem(422, "Invalid fields", "items is missing", {{"items", "must be a list of check-ins"}}));
    const auto& items = body->at("items");
    if (items.size() > 1000) return done(problem(422, "Invalid fields", "too many items", {{"items", "must hold at most 1000 check-ins"}}));
    // Items that are themselves malformed get their own 422 in place; the rest go to the writer in one job.
    std::vector<store::checkin_command> commands;
    std::vector<std::optional<response>> early(items.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
      domain::field_errors errors;
      if (!items[i].is_object()) {
        early[i] = problem(422, "Invalid fields", "each item must be an object");
        continue;
      }
      auto cmd = read_checkin(items[i], errors, *p, req);
      reader in(items[i], errors);
      auto event_id = in.integer("event_id", true);
      if (!errors.empty()) {
        early[i] = problem(422, "Invalid fields", "some fields are missing or wrong", errors);
        continue;
      }
      cmd->event_id = *event_id;
      commands.push_back(*cmd);
    }
    s.db.check_in_batch(std::move(commands), render_scan,
                        reply<std::vector<store::scan_answer>>(std::move(done), [early](const std::vector<store::scan_answer>& answers) {
                          json results = json::array();
                          std::size_t next = 0;
                          for (const auto& e : early) {
                            json item;
                            if (e) {
                              item = json::parse(e->body);
                              item["status"] = e->status;
                            } else {
                              const auto& a = answers.at(next++);
                              item = json::parse(a.body);
                              item["status"] = a.status;
                            }
                            results.push_back(item);
                          }
                          return json_response(200, {{"results", results}});
                        }));
  });

  r.add("GET", "/api/v1/events/{id}/tickets", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    run_heavy(s, std::move(done), [&s, id = e->id, counts = e->counts] {
      json items = json::array();
      for (const auto& registration : s.db.list_registrations(id, "", std::nullopt)) {
        const auto reg = view_of(registration);
        items.push_back({{"registration_id", reg.id},
                         {"ticket_code", reg.ticket_code},
                         {"name", nullable(reg.name)},
                         {"organisation", nullable(reg.organisation)},
                         {"status", std::string(domain::to_string(reg.status))},
                         {"walk_in", reg.walk_in},
                         {"checked_in_at", reg.checked_in_at ? json(domain::format_rfc3339(*reg.checked_in_at, domain::stockholm_offset_minutes(*reg.checked_in_at))) : json(nullptr)}});
      }
      auto res = json_response(200, {{"event_id", id}, {"items", items}, {"counts", counts_json(counts)}});
      res.headers.emplace_back("Cache-Control", "no-store");
      return res;
    });
  });
}

}  // namespace eventd::api
