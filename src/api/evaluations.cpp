// Evaluations (DOMAIN.md 7): the participant's answer by their private link, and an event's results for organisers.
// The results carry no names, e-mail addresses or tokens: only counts, means and the free-text comments.
#include "api/services.hpp"

#include "domain/evaluation_rules.hpp"
#include "domain/time.hpp"

namespace eventd::api {
namespace {

json optional_number(const std::optional<double>& v) { return v ? json(*v) : json(nullptr); }

json answer_json(const domain::evaluation& v, const domain::event& e) {
  const int off = e.utc_offset_minutes;
  return {{"event_id", v.event_id},
          {"usefulness", v.answer.usefulness},
          {"knowledge_before", v.answer.knowledge_before},
          {"knowledge_after", v.answer.knowledge_after},
          {"plans_tn", v.answer.plans_tn},
          {"comment", nullable(v.answer.comment)},
          {"created_at", domain::format_rfc3339(v.created_at, off)},
          {"updated_at", domain::format_rfc3339(v.updated_at, off)},
          {"closes_at", domain::format_rfc3339(domain::evaluation_closes_at(e), off)}};
}

// The answer in a PUT body; every missing, mistyped or out-of-range field is listed once.
domain::evaluation_answer read_answer(const json& body, domain::field_errors& errors) {
  domain::evaluation_answer a;
  reader in(body, errors);
  if (auto v = in.integer("usefulness", true)) a.usefulness = *v;
  if (auto v = in.integer("knowledge_before", true)) a.knowledge_before = *v;
  if (auto v = in.integer("knowledge_after", true)) a.knowledge_after = *v;
  if (auto v = in.text("plans_tn", true)) a.plans_tn = *v;
  if (auto v = in.text("comment")) a.comment = *v;
  domain::field_errors rules;
  domain::validate_evaluation(domain::normalise_evaluation(a), rules);
  for (auto& e : rules)
    if (std::none_of(errors.begin(), errors.end(), [&](const domain::field_error& x) { return x.field == e.field; }))
      errors.push_back(std::move(e));
  return a;
}

json distribution_json(const std::map<int, std::int64_t>& m) {
  json out = json::object();
  for (const auto& [k, n] : m) out[std::to_string(k)] = n;
  return out;
}

response no_store(response res) {
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace

json evaluation_figures_json(const domain::evaluation_figures& f) {
  return {{"responses", f.responses},
          {"attended", f.attended},
          {"response_rate", optional_number(f.response_rate)},
          {"mean_usefulness", optional_number(f.mean_usefulness)},
          {"mean_knowledge_change", optional_number(f.mean_knowledge_change)},
          {"plans_tn_share", optional_number(f.plans_tn_share)}};
}

void add_evaluation_routes(router& r, services& s) {
  r.add("GET", "/api/v1/my/registrations/{token}/evaluation", [&s](const request&, const route_match& m, responder done) {
    const auto& token = m.params.at("token");
    auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
    if (!reg) return done(unknown_token());
    auto v = s.db.evaluation_of(reg->id);
    auto e = s.db.get_event(reg->event_id);
    if (!v || !e) return done(no_store(problem(404, "Not found", "no evaluation has been given with this link")));
    done(no_store(json_response(200, answer_json(*v, *e))));
  });

  r.add("PUT", "/api/v1/my/registrations/{token}/evaluation", [&s](const request& req, const route_match& m, responder done) {
    auto w = begin_link_write(s, req, m, done);
    if (!w) return;
    domain::field_errors errors;
    auto answer = read_answer(w->body, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some answers are missing or wrong", errors));
    auto e = s.db.get_event(w->registration.event_id);
    if (!e) return done(unknown_token());
    // Whether this registration may answer now is decided by the writer, against the rows as they then are.
    s.db.save_evaluation(std::move(w->token), std::move(answer),
                         reply<domain::evaluation>(std::move(done), [e = *e](const domain::evaluation& v) {
                           return no_store(json_response(200, answer_json(v, e)));
                         }));
  });

  r.add("GET", "/api/v1/events/{id}/evaluations", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    const auto answers = s.db.event_evaluations(e->id);
    const auto report = domain::report_evaluations(*e, e->counts.checked_in, answers, domain::now());
    json out = evaluation_figures_json(report.figures);
    out["event_id"] = e->id;
    out["closes_at"] = domain::format_rfc3339(domain::evaluation_closes_at(*e), e->utc_offset_minutes);
    json plans = json::object();
    for (const auto& [k, n] : report.plans_tn) plans[k] = n;
    out["distribution"] = {{"usefulness", distribution_json(report.usefulness)},
                           {"knowledge_before", distribution_json(report.knowledge_before)},
                           {"knowledge_after", distribution_json(report.knowledge_after)},
                           {"plans_tn", plans}};
    out["comments"] = report.comments;
    done(no_store(json_response(200, out)));
  });
}

}  // namespace eventd::api
