// The organisers' side of mail (issue 9): an event's mail log, writing to attendees (with a preview), and sending a
// participant's confirmation again. Every message goes through the outbox.
#include "api/services.hpp"

#include "api/participant_mail.hpp"
#include "domain/time.hpp"
#include "domain/validation.hpp"

namespace eventd::api {
namespace {

std::optional<store::mail_audience> audience_from(const std::string& s) {
  if (s == "all") return store::mail_audience::all;
  if (s == "confirmed") return store::mail_audience::confirmed;
  if (s == "waitlisted") return store::mail_audience::waitlisted;
  if (s == "checked_in") return store::mail_audience::checked_in;
  return std::nullopt;
}

json time_or_null(std::optional<domain::time_point> t) {
  if (!t) return nullptr;
  return domain::format_rfc3339(*t, domain::stockholm_offset_minutes(*t));
}

json mail_json(const store::mail_record& m) {
  return {{"id", m.id},
          {"kind", m.kind},
          {"registration_id", m.registration_id > 0 ? json(m.registration_id) : json(nullptr)},
          {"name", nullable(m.name)},
          {"email", nullable(m.email)},
          {"subject", nullable(m.subject)},
          {"state", m.state},
          {"attempts", m.attempts},
          {"last_error", nullable(m.last_error)},
          {"created_at", time_or_null(m.created_at)},
          {"sent_at", time_or_null(m.sent_at)}};
}

constexpr std::size_t max_subject = 200;
constexpr std::size_t max_text = 10000;

}  // namespace

void add_mail_routes(router& r, services& s) {
  r.add("GET", "/api/v1/events/{id}/mail", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    const auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    json items = json::array();
    std::map<std::string, std::int64_t> counts{{"pending", 0}, {"sent", 0}, {"failed", 0}, {"dropped", 0}};
    for (const auto& mail : s.db.event_mail(e->id)) {
      ++counts[mail.state];
      items.push_back(mail_json(mail));
    }
    auto res = json_response(200, {{"items", std::move(items)}, {"counts", counts}});
    res.headers.emplace_back("Cache-Control", "no-store");
    done(std::move(res));
  });

  r.add("POST", "/api/v1/events/{id}/messages", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    domain::field_errors errors;
    reader in(*body, errors);
    const auto who_text = in.text("audience", true);
    auto subject = in.text("subject", true);
    auto text = in.text("text", true);
    const bool preview = in.boolean("preview").value_or(false);
    std::optional<store::mail_audience> who;
    if (who_text) {
      who = audience_from(*who_text);
      if (!who) errors.push_back({"audience", "must be one of: all, confirmed, waitlisted, checked_in"});
    }
    if (subject) {
      *subject = domain::trim(*subject);
      if (subject->empty() || !domain::valid_text(*subject, max_subject))
        errors.push_back({"subject", "must be 1 to 200 characters on one line"});
    }
    if (text) {
      *text = domain::trim(*text);
      if (text->empty() || !domain::valid_text(*text, max_text, true))
        errors.push_back({"text", "must be 1 to 10000 characters"});
    }
    if (!errors.empty() || !who || !subject || !text)
      return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    const auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    if (preview) {
      // The message as its first recipient would get it: greeting and footer in their language.
      const auto people = s.db.audience_of(e->id, *who);
      json sample = nullptr;
      if (!people.empty())
        if (auto mail = organiser_mail(people.front(), *e, *subject, *text))
          sample = {{"to", mail->to}, {"subject", mail->subject}, {"text", mail->text}};
      auto res = json_response(200, {{"recipients", people.size()}, {"sample", std::move(sample)}});
      res.headers.emplace_back("Cache-Control", "no-store");
      return done(std::move(res));
    }
    s.db.queue_event_message(e->id, *who, std::move(*subject), std::move(*text),
                             reply<std::int64_t>(std::move(done), [](const std::int64_t& n) {
                               return json_response(202, {{"queued", n}});
                             }));
  });

  r.add("POST", "/api/v1/events/{id}/registrations/{rid}/resend", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    s.db.resend_confirmation(m.id("id"), m.id("rid"), reply<bool>(std::move(done), [](const bool&) {
                               return json_response(202, json::object());
                             }));
  });
}

}  // namespace eventd::api
