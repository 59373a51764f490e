// Registrations: the public form, the participant's own link, and the organisers' list.
#include "api/services.hpp"

#include "api/calendar.hpp"
#include "api/participant_mail.hpp"
#include "api/qr.hpp"
#include "api/registration_view.hpp"
#include "auth/crypto.hpp"
#include "domain/time.hpp"
#include "support/host.hpp"

#include <chrono>

namespace eventd::api {

std::string client_of(const services& s, const request& req) {
  return auth::client_address(req.remote_address, req.header("x-forwarded-for"), s.trusted_proxies);
}

namespace {
std::int64_t monotonic_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
}  // namespace

bool over_public_limit(services& s, const request& req, const responder& done) {
  const auto wait = s.public_writes.take(auth::limit_key(client_of(s, req)), monotonic_ms());
  if (wait == 0) return false;
  auto res = problem(429, "Too many requests", "too many registrations or changes from your network just now; try again shortly");
  res.headers.emplace_back("Retry-After", std::to_string(wait));
  done(std::move(res));
  return true;
}

std::optional<json> public_write_body(services& s, const request& req, const responder& done) {
  if (over_public_limit(s, req, done)) return std::nullopt;
  response err;
  auto body = parse_body(req, err);
  if (!body) done(err);
  return body;
}

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

}  // namespace

// Manage tokens are "<id>-" and 43 base64url characters; anything else cannot be one.
bool plausible_token(const std::string& t) {
  if (t.size() < 20 || t.size() > 100) return false;
  for (char c : t)
    if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c == '_')) return false;
  return true;
}

response unknown_token() { return problem(404, "Not found", "no registration for this link"); }

std::optional<link_write> begin_link_write(services& s, const request& req, const route_match& m, const responder& done) {
  if (over_public_limit(s, req, done)) return std::nullopt;
  response err;
  auto body = parse_body(req, err);
  if (!body) {
    done(err);
    return std::nullopt;
  }
  auto token = m.params.at("token");
  auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
  if (!reg) {
    done(unknown_token());
    return std::nullopt;
  }
  return link_write{std::move(*body), std::move(token), std::move(*reg)};
}

namespace {
// Whether `email` has used up its hourly allowance of messages caused by strangers (the public form, "forgot
// password"): nobody's inbox can be flooded through us. Keyed by a hash, so the limiter holds no addresses.
bool over_recipient_allowance(services& s, const std::string& email) {
  return s.mail_recipients.take(auth::sha256_hex(domain::normalise_email(email)), monotonic_ms()) != 0;
}
}  // namespace

composed compose_queued(services& s, const store::mail_item& item, round_events& events) {
  composed out;
  if (item.kind == "password_reset" || item.kind == "account_invite") {
    if (item.to_address.empty() || item.secret.empty()) {
      out.why_not = "nobody to write to";
      return out;
    }
    if (over_recipient_allowance(s, item.to_address)) {
      out.why_not = "over the recipient's hourly allowance";
      return out;
    }
    out.message = account_mail(item.kind, item.to_address, s.cfg.public_url, item.secret);
    return out;
  }
  // Each event is read once per round (see round_events).
  auto known = events.find(item.event_id);
  if (known == events.end()) known = events.emplace(item.event_id, s.db.get_event(item.event_id)).first;
  const auto& e = known->second;
  if (item.kind == "erased") {
    if (item.to_address.empty() || !e) {
      out.why_not = "nobody to write to";
      return out;
    }
    out.message = erasure_mail(item.to_address, item.language, *e);
    out.message->registration_id = item.registration_id;
    return out;
  }
  auto r = s.db.get_registration(item.registration_id);
  if (!r || r->erased || r->person.email.empty()) {
    out.why_not = "nobody to write to: the registration's data were erased";
    return out;
  }
  if (!e) {
    out.why_not = "the event is gone";
    return out;
  }
  if (item.kind == "confirmation" || item.kind == "waitlisted") {
    if (r->status == domain::registration_status::cancelled) {
      out.why_not = "cancelled before it was sent";
      return out;
    }
    // Past the recipient's allowance the registration stands, unmailed.
    if (over_recipient_allowance(s, r->person.email)) {
      out.why_not = "over the recipient's hourly allowance";
      return out;
    }
    out.message = confirmation_mail(*r, *e, s.cfg.public_url, item.secret);
    // The event for the participant's calendar when the message gives them a place (not on the waitlist).
    if (out.message && r->status == domain::registration_status::confirmed)
      out.message->calendar = event_calendar(*e, support::message_host(s.cfg.public_url));
  } else if (item.kind == "promotion") {
    if (r->status != domain::registration_status::confirmed) {
      out.why_not = "no longer confirmed when it was sent";
      return out;
    }
    out.message = promotion_mail(*r, *e, s.cfg.public_url, item.secret);
    if (out.message) out.message->calendar = event_calendar(*e, support::message_host(s.cfg.public_url));
  } else if (item.kind == "link") {
    out.message = link_mail(*r, *e, s.cfg.public_url, item.secret);
  } else if (item.kind == "reminder") {
    if (r->status != domain::registration_status::confirmed || e->status != domain::event_status::published) {
      out.why_not = "no longer confirmed, or the event is no longer on, when it was sent";
      return out;
    }
    out.message = reminder_mail(*r, *e, s.cfg.public_url, item.secret);
  } else if (item.kind == "event_changed" || item.kind == "event_cancelled") {
    if (r->status == domain::registration_status::cancelled && item.kind == "event_changed") {
      out.why_not = "cancelled before it was sent";
      return out;
    }
    // Told as the event is now: a later change or the cancellation is in it already. Those who hold a place get the
    // calendar entry again (the same UID, a higher SEQUENCE, STATUS:CANCELLED when it is off), so their calendar moves.
    out.message = change_mail(*r, *e, s.cfg.public_url);
    if (out.message && r->status == domain::registration_status::confirmed)
      out.message->calendar = event_calendar(*e, support::message_host(s.cfg.public_url));
  } else if (item.kind == "evaluation") {
    out.message = evaluation_mail(*r, *e, s.cfg.public_url, item.secret);
  } else if (item.kind == "message") {
    if (r->status == domain::registration_status::cancelled) {
      out.why_not = "cancelled before it was sent";
      return out;
    }
    out.message = organiser_mail(*r, *e, item.subject, item.body);
  } else if (item.kind.rfind("meeting_", 0) == 0) {
    return compose_meeting_mail(s, item, *r, *e);
  } else {
    out.why_not = "unknown kind of message";
    return out;
  }
  if (!out.message) out.why_not = "nobody to write to";
  return out;
}

void mail_after_commit(services& s, const std::vector<store::change>& changes) {
  if (!s.mail) return;
  std::vector<std::int64_t> erased;
  bool queued = false;
  for (const auto& c : changes) {
    switch (c.what) {
      case store::change::kind::registered:  // a walk-in has none (the person is in front of the organiser)
        // Another node's registration comes without `created` (and never as a walk-in, sent as checked_in).
        if (!c.created || !c.created->registration.walk_in) queued = true;
        break;
      case store::change::kind::resync:
      case store::change::kind::promoted:
      case store::change::kind::mail_queued:
      case store::change::kind::meeting_changed:
        queued = true;
        break;
      case store::change::kind::erased:
        erased.push_back(c.registration_id);
        break;
      default:  // nothing to mail
        break;
    }
  }
  // The messages are in the outbox already, committed with the change: the sender only has to look.
  if (queued) s.mail->wake();
  // After the sender's round in progress: a message composed before the erasure is written, then removed.
  if (!erased.empty()) s.mail->forget(std::move(erased));
}

void add_registration_routes(router& r, services& s) {
  r.add("POST", "/api/v1/events/{id}/registrations", [&s](const request& req, const route_match& m, responder done) {
    auto body = public_write_body(s, req, done);
    if (!body) return;
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
                           response res;
                           res.status = 201;
                           res.body = registration_text(c.registration, &c.manage_token);
                           res.headers.emplace_back("Cache-Control", "no-store");
                           return res;
                         }),
                         std::nullopt, 0, auth::coarse_network(client_of(s, req)));
  }, false);  // reads nothing: the job goes to the writer, and the answer comes from it

  r.add("GET", "/api/v1/events/{id}/registrations", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    store::registration_page_query f;
    domain::field_errors errors;
    auto param = [&](const char* name) -> const std::string* {
      auto it = req.query.find(name);
      return it == req.query.end() || it->second.empty() ? nullptr : &it->second;
    };
    if (auto v = param("status")) {
      f.status = domain::registration_status_from(*v);
      if (!f.status) errors.push_back({"status", "must be one of: confirmed, waitlisted, cancelled"});
    }
    if (auto v = param("q")) {
      f.q = domain::trim(*v);
      if (f.q.size() > 200) errors.push_back({"q", "must be at most 200 characters"});
    }
    auto whole = [](const std::string& v, std::int64_t max) -> std::optional<std::int64_t> {
      if (v.empty() || v.size() > 15 || v.find_first_not_of("0123456789") != std::string::npos) return std::nullopt;
      const auto n = std::stoll(v);
      return n <= max ? std::optional<std::int64_t>(n) : std::nullopt;
    };
    if (auto v = param("limit")) {
      auto n = whole(*v, 1000);
      if (!n || *n < 1) errors.push_back({"limit", "must be a whole number from 1 to 1000"}); else f.limit = static_cast<int>(*n);
    }
    if (auto v = param("after")) {
      auto n = whole(*v, 999'999'999'999'999);
      if (!n) errors.push_back({"after", "must be the `next` of the previous page"}); else f.after = *n;
    }
    if (auto v = param("network")) {
      f.network = *v;
      if (f.network->size() > 64) errors.push_back({"network", "must be a network as listed in client_network"});
    }
    for (const auto& [name, slot] : {std::pair{"created_from", &f.created_from}, std::pair{"created_to", &f.created_to}}) {
      if (auto v = param(name)) {
        auto t = domain::parse_rfc3339(*v);
        if (!t) errors.push_back({name, "must be an RFC 3339 time"}); else *slot = t->at;
      }
    }
    if (!errors.empty()) return done(problem(400, "Bad query", "some query parameters are wrong", errors));
    auto page = s.db.list_registrations_page(e->id, f);
    json items = json::array();
    for (const auto& registration : page.items) {
      json j = registration_json(registration);
      const auto reg = view_of(registration);
      // The check-in's audit trail and where the registration came from, for organisers only.
      j["checkin_user_id"] = reg.checkin_user_id ? json(*reg.checkin_user_id) : json(nullptr);
      j["checkin_device"] = nullable(reg.checkin_device);
      j["checkin_received_at"] = reg.checkin_received_at
                                     ? json(domain::format_rfc3339(*reg.checkin_received_at, domain::stockholm_offset_minutes(*reg.checkin_received_at)))
                                     : json(nullptr);
      j["client_network"] = nullable(reg.client_network);
      items.push_back(std::move(j));
    }
    done(json_response(200, {{"items", items},
                             {"next", page.next ? json(std::to_string(*page.next)) : json(nullptr)},
                             {"counts", counts_json(e->counts)}}));
  });

  // A burst of invented registrations, found with the list's network and time filters, cancelled at once.
  r.add("POST", "/api/v1/events/{id}/registrations/bulk-cancel", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    const auto event_id = m.id("id");
    if (event_id <= 0) return done(problem(404, "Not found", "no such event"));
    const auto ids_it = body->find("ids");
    std::vector<domain::id_t> ids;
    bool ok = ids_it != body->end() && ids_it->is_array() && !ids_it->empty() && ids_it->size() <= 1000;
    if (ok)
      for (const auto& v : *ids_it) {
        if (!v.is_number_integer() || v.get<std::int64_t>() <= 0) { ok = false; break; }
        if (std::find(ids.begin(), ids.end(), v.get<std::int64_t>()) == ids.end()) ids.push_back(v.get<std::int64_t>());
      }
    if (!ok) return done(problem(422, "Invalid fields", "ids must list 1 to 1000 registration ids", {{"ids", "must be a list of 1 to 1000 registration ids"}}));
    if (!s.db.get_event(event_id)) return done(problem(404, "Not found", "no such event"));
    s.db.cancel_registrations(event_id, std::move(ids), reply<store::bulk_cancel_result>(std::move(done), [](const store::bulk_cancel_result& r) {
                                json cancelled = json::array();
                                for (const auto& reg : r.cancelled) cancelled.push_back(registration_json(reg));
                                return json_response(200, {{"cancelled", cancelled}, {"skipped", r.skipped}});
                              }));
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
    auto w = begin_link_write(s, req, m, done);
    if (!w) return;
    if (w->registration.erased) return done(problem(409, "Conflict", "this registration's personal data has been erased"));
    // Unchanged fields keep their values: start from the stored ones and overlay what was sent.
    json merged = registration_json(w->registration);
    for (auto it = w->body.begin(); it != w->body.end(); ++it) merged[it.key()] = it.value();
    domain::person_fields p;
    domain::field_errors errors;
    reader in(merged, errors);
    read_person(in, p, false);
    domain::validate_person(p, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are wrong", errors));
    s.db.update_person(std::move(w->token), std::move(p), reply<domain::registration>(std::move(done), [&s](const domain::registration& u) {
                         return json_response(200, registration_with_event(s, u));
                       }));
  });

  r.add("DELETE", "/api/v1/my/registrations/{token}", [&s](const request& req, const route_match& m, responder done) {
    if (over_public_limit(s, req, done)) return;
    const auto token = m.params.at("token");
    if (!plausible_token(token)) return done(unknown_token());
    s.db.cancel_by_token(token, reply<domain::registration>(std::move(done), [&s](const domain::registration& u) {
                           return json_response(200, registration_with_event(s, u));
                         }));
  });

  r.add("POST", "/api/v1/my/registrations/{token}/erase", [&s](const request& req, const route_match& m, responder done) {
    if (over_public_limit(s, req, done)) return;
    const auto token = m.params.at("token");
    if (!plausible_token(token)) return done(unknown_token());
    s.db.erase_by_token(token, reply<domain::registration>(std::move(done), [&s](const domain::registration& u) {
                          return json_response(200, registration_with_event(s, u));
                        }));
  });

  // "Send me my link again" (API.md): the same 202 whether or not the address holds a registration of the event, and
  // the same work behind it (one write either way), so neither the answer nor its timing tells who is registered.
  r.add("POST", "/api/v1/registrations/recover", [&s](const request& req, const route_match&, responder done) {
    auto body = public_write_body(s, req, done);
    if (!body) return;
    domain::field_errors errors;
    reader in(*body, errors);
    const auto event_id = in.integer("event_id", true);
    const auto email = in.text("email", true);
    if (event_id && *event_id <= 0) errors.push_back({"event_id", "must be an event's id"});
    if (email) {
      if (auto why = domain::email_problem(domain::trim(*email))) errors.push_back({"email", *why});
    }
    if (!errors.empty() || !event_id || !email)
      return done(problem(422, "Invalid fields", "give the event and the e-mail address you registered with", errors));
    s.db.recover_link(*event_id, domain::trim(*email), reply<bool>(std::move(done), [](const bool&) {
                        response res = json_response(202, json::object());
                        res.headers.emplace_back("Cache-Control", "no-store");
                        return res;
                      }));
  });

  r.add("GET", "/api/v1/my/registrations/{token}/ticket.svg", [&s](const request&, const route_match& m, responder done) {
    const auto& token = m.params.at("token");
    auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
    if (!reg) return done(unknown_token());
    // An erased or cancelled registration has no ticket to show.
    if (reg->erased || reg->status == domain::registration_status::cancelled)
      return done(problem(404, "Not found", "this registration has no valid ticket"));
    response res;
    res.content_type = "image/svg+xml";
    res.body = qr_svg(reg->ticket_code);
    res.headers.emplace_back("Cache-Control", "private, max-age=86400");
    done(res);
  });
}

}  // namespace eventd::api
