// Health, readiness, metrics, the API document, the form vocabularies and the goal figures.
#include "api/services.hpp"

#include "api/openapi.hpp"
#include "domain/goals.hpp"
#include "domain/time.hpp"

namespace eventd::api {
namespace {

json share_json(const domain::share_figure& f) {
  return {{"goal", f.goal}, {"held_events", f.held_events}, {"represented_events", f.represented_events}, {"share", f.share}, {"met", f.met}};
}

}  // namespace

json period_json(const domain::goal_period& p) { return {{"from", nullable(p.from)}, {"to", nullable(p.to)}}; }

json goals_json(const domain::goals& g, const domain::goal_period& period) {
  json rep = share_json(g.representation);
  rep["by_network"] = json::object();
  for (const auto& [n, f] : g.representation_by_network) rep["by_network"][n] = share_json(f);
  rep["unrepresented_events"] = json::array();
  for (const auto& e : g.unrepresented_events)
    rep["unrepresented_events"].push_back({{"id", e.id},
                                           {"title", e.title},
                                           {"starts_at", domain::format_rfc3339(e.starts_at, e.utc_offset_minutes)},
                                           {"network", nullable(e.network)}});
  json uo = share_json(g.user_organisations);
  uo["by_network"] = json::object();
  for (const auto& [n, f] : g.user_organisations_by_network) uo["by_network"][n] = share_json(f);
  json meetings = {{"goal_per_focus_area", g.meetings_goal_per_focus_area}, {"by_focus_area", json::object()},
                   {"held", g.meetings_held_total}, {"scheduled", g.meetings_scheduled_total}, {"met", g.meetings_met}};
  for (const auto& [f, m] : g.meetings_by_focus_area) meetings["by_focus_area"][f] = {{"held", m.held}, {"scheduled", m.scheduled}};
  json topics = json::object();
  for (const auto& [t, f] : g.by_topic) topics[t] = {{"participants", f.participants}, {"events", f.events}};
  return {{"representation", rep},
          {"user_organisations", uo},
          {"network_meetings", meetings},
          {"partner_search_forums", {{"goal", g.forums_goal}, {"deadline", g.forum_deadline}, {"held", g.forums_held},
                                     {"scheduled", g.forums_scheduled}, {"met", g.forums_met}}},
          {"participation", {{"unique_persons", g.unique_persons}, {"by_gender", g.by_gender},
                             {"by_organisation_type", g.by_organisation_type}, {"home_region", g.home_region},
                             {"other", g.other_region}, {"by_topic", topics}}},
          {"support", {{"project_ideas", g.support_project_ideas}, {"persons", g.support_persons},
                       {"average_hours_per_project", g.average_hours_per_project}}},
          {"evaluations", evaluation_figures_json(g.evaluations)},
          {"period", period_json(period)}};
}

std::optional<domain::goal_period> read_period(const request& req, response& error) {
  domain::goal_period period;
  domain::field_errors errors;
  for (auto [name, out] : {std::pair{"from", &period.from}, std::pair{"to", &period.to}}) {
    auto it = req.query.find(name);
    if (it == req.query.end() || it->second.empty()) continue;
    if (it->second.size() != 10 || !domain::parse_date(it->second)) errors.push_back({name, "must be a date (YYYY-MM-DD)"});
    else *out = it->second;
  }
  if (errors.empty() && period.from && period.to && *period.to < *period.from)
    errors.push_back({"to", "must not be before from"});
  if (errors.empty()) return period;
  error = problem(400, "Bad query", "some query parameters are wrong", errors);
  return std::nullopt;
}

store::goal_facts goal_facts_in(services& s, const domain::goal_period& period) {
  auto facts = s.db.goal_facts_now();
  domain::limit_to_period(period, facts.events, facts.attendances, facts.support, facts.evaluations);
  return facts;
}

namespace {
// A 200 whose JSON body is already rendered.
response json_text(std::string body) {
  response r;
  r.body = std::move(body);
  return r;
}
}  // namespace

void add_system_routes(router& r, services& s) {
  r.add("GET", "/healthz", [](const request&, const route_match&, responder done) {
    response res;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "ok\n";
    done(res);
  }, false);
  r.add("GET", "/readyz", [&s](const request&, const route_match&, responder done) {
    if (!s.db.ready()) return done(problem(503, "Not ready", "the database is not usable"));
    response res;
    res.content_type = "text/plain; charset=utf-8";
    res.body = "ready\n";
    done(res);
  });
  r.add("GET", "/metrics", [&s](const request&, const route_match&, responder done) {
    response res;
    res.content_type = "text/plain; version=0.0.4; charset=utf-8";
    res.body = s.stats.render(s.db.stats());  // the store's counters, no query
    done(res);
  }, false);
  r.add("GET", "/api/v1/openapi.json", [](const request&, const route_match&, responder done) {
    response res;
    res.body = std::string(openapi_document());
    done(res);
  });
  r.add("GET", "/api/v1/config", [&s](const request&, const route_match&, responder done) {
    done(json_response(200, {{"event_kinds", domain::event_kinds},
                             {"focus_areas", s.cfg.focus_areas},
                             {"seminar_topics", s.cfg.seminar_topics},
                             {"networks", s.cfg.networks},
                             {"organisation_types", domain::organisation_types},
                             {"genders", domain::genders},
                             {"accessibility_needs", domain::accessibility_needs},
                             {"home_municipalities", s.cfg.home_municipalities},
                             {"programme", {{"start", nullable(s.cfg.goals.programme_start)},
                                            {"end", nullable(s.cfg.goals.programme_end)},
                                            {"forum_deadline", s.cfg.goals.forum_deadline}}}}));
  });
  r.add("GET", "/api/v1/goals", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::steering, err)) return done(err);
    // ?from=&to= (YYYY-MM-DD, Stockholm days, inclusive): every figure over the events that start in the period.
    auto parsed = read_period(req, err);
    if (!parsed) return done(err);
    const auto period = *parsed;
    // From the live tally when it holds exactly these facts: at once when it is current, else after catching up.
    if (s.goals)
      if (auto body = s.goals->body(period, false)) return done(json_text(std::move(*body)));
    run_heavy(s, std::move(done), [&s, period] {
      if (s.goals)
        if (auto body = s.goals->body(period, true)) return json_text(std::move(*body));
      auto facts = goal_facts_in(s, period);
      return json_response(200, goals_json(domain::compute_goals(facts.events, facts.attendances, facts.support, s.cfg,
                                                                 domain::now(), facts.evaluations),
                                           period));
    });
  });
}

void add_all_routes(router& r, services& s) {
  add_system_routes(r, s);
  add_account_routes(r, s);
  add_event_routes(r, s);
  add_registration_routes(r, s);
  add_mail_routes(r, s);
  add_checkin_routes(r, s);
  add_report_routes(r, s);
  add_support_routes(r, s);
  add_evaluation_routes(r, s);
  add_partner_routes(r, s);
  add_static_files(r, s);
}

}  // namespace eventd::api
