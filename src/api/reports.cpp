// Downloads and reports: an event's attendance list and every participant (CSV, RFC 4180 with a BOM; xlsx), the
// participation per activity kind, and the steering group's whole report as one workbook (api/tables.hpp).
#include "api/services.hpp"
#include "support/log.hpp"

#include "api/registration_view.hpp"
#include "api/tables.hpp"
#include "domain/goals.hpp"
#include "domain/participation.hpp"
#include "domain/time.hpp"

#include <algorithm>
#include <cmath>

namespace eventd::api {
namespace {

std::string when(const std::optional<domain::time_point>& t) {
  return t ? domain::format_rfc3339(*t, domain::stockholm_offset_minutes(*t)) : std::string();
}

const std::vector<std::string> registration_csv_columns{
    "registration_id", "ticket_code", "status", "name", "email", "organisation", "organisation_type", "municipality",
    "country", "home_region", "gender", "accessibility_needs", "walk_in", "attended", "checked_in_at", "checkin_forced"};

}  // namespace

std::vector<std::string> registration_csv_row(const domain::registration& registration) {
  const auto r = view_of(registration);
  auto text = [](const std::optional<std::string_view>& v) { return std::string(v.value_or("")); };
  std::string needs;
  for (const auto& n : r.accessibility_needs) needs += (needs.empty() ? "" : ";") + n;
  return {std::to_string(r.id),
          std::string(r.ticket_code),
          std::string(domain::to_string(r.status)),
          text(r.name),
          text(r.email),
          text(r.organisation),
          std::string(r.organisation_type),
          text(r.municipality),
          text(r.country),
          r.home_region ? "yes" : "no",
          std::string(r.gender),
          needs,
          r.walk_in ? "yes" : "no",
          r.checked_in_at ? "yes" : "no",
          when(r.checked_in_at),
          r.checkin_forced ? "yes" : "no"};
}

void run_heavy(services& s, responder done, std::function<response()> work) {
  auto shared_done = std::make_shared<responder>(std::move(done));
  const bool queued = s.reads.try_post([shared_done, work = std::move(work)] {
    response res;
    try {
      res = work();
    } catch (const std::exception& e) {
      support::log_fault("error", "read failed", e.what());
      res = problem(503, "Unavailable", "the data could not be read just now; try again");
      res.headers.emplace_back("Retry-After", "5");
    }
    (*shared_done)(std::move(res));
  });
  if (!queued) {
    auto res = problem(503, "Busy", "too many large reads are running; try again shortly");
    res.headers.emplace_back("Retry-After", "5");
    (*shared_done)(std::move(res));
  }
}

namespace {

// Every participant of every event (drafts included), with their event: one query, rows in event and arrival order,
// each handed on as it is read. Ids are numbers, everything else text.
std::vector<std::string> participants_header() {
  std::vector<std::string> header{"event_id", "event_title", "event_kind", "event_starts_at", "event_status"};
  header.insert(header.end(), registration_csv_columns.begin(), registration_csv_columns.end());
  return header;
}

void for_each_participant_row(services& s, const std::function<void(std::vector<cell>)>& use) {
  s.db.for_each_participant([&](const domain::event& e, const domain::registration& reg) {
    std::vector<cell> row{e.id, e.title, e.kind, when(e.starts_at), std::string(domain::to_string(e.status))};
    auto more = registration_csv_row(reg);
    row.push_back(static_cast<std::int64_t>(reg.id));
    for (std::size_t i = 1; i < more.size(); ++i) row.emplace_back(std::move(more[i]));
    use(std::move(row));
  });
}

json kind_json(const domain::kind_participation& k) {
  return {{"events_held", k.events_held}, {"attendances", k.attendances}, {"unique_persons", k.unique_persons},
          {"by_gender", k.by_gender}, {"by_organisation_type", k.by_organisation_type},
          {"home_region", k.home_region}, {"other", k.other_region}};
}

// What the report is made of, read once so that every sheet describes the same moment.
struct report_data {
  domain::goal_period period;
  json goals;  // the /goals document of the period
  std::map<std::string, domain::kind_participation> kinds;
  std::vector<domain::goal_event> events;
  domain::time_point now = 0;
};

report_data read_report(services& s, const domain::goal_period& period) {
  report_data d{period, nullptr, {}, {}, domain::now()};
  auto facts = goal_facts_in(s, period);
  d.goals = goals_json(domain::compute_goals(facts.events, facts.attendances, facts.support, s.cfg, d.now, facts.evaluations), period);
  d.kinds = domain::participation_by_kind(facts.events, facts.attendances, d.now);
  d.events = std::move(facts.events);
  return d;
}

// A JSON number as a cell (integers stay integers); anything else empty.
cell number(const json& v) {
  if (v.is_number_integer() || v.is_number_unsigned()) return v.get<std::int64_t>();
  if (v.is_number()) return v.get<double>();
  return std::monostate{};
}
cell yes_no(const json& v) { return std::string(v.is_boolean() && v.get<bool>() ? "yes" : "no"); }
// How far a figure is from its target (0 when reached); rounded so that 0.8 - 0.75 reads 0.05.
double gap(double target, double value) { return std::max(0.0, std::round((target - value) * 1e9) / 1e9); }

table goals_table(const json& g) {
  table t{"goals", {"goal", "scope", "target", "value", "gap", "met", "represented_events", "held_events", "scheduled"}, {}};
  auto empty = cell{std::monostate{}};
  for (const char* key : {"representation", "user_organisations"}) {
    const json& f = g.at(key);
    auto share_row = [&](const std::string& scope, const json& x) {
      t.rows.push_back({std::string(key), scope, number(x.at("goal")), number(x.at("share")),
                        gap(x.at("goal").get<double>(), x.at("share").get<double>()), yes_no(x.at("met")),
                        number(x.at("represented_events")), number(x.at("held_events")), empty});
    };
    share_row("all", f);
    for (const auto& [net, x] : f.at("by_network").items()) share_row(net, x);
  }
  const json& m = g.at("network_meetings");
  const auto per = m.at("goal_per_focus_area").get<std::int64_t>();
  for (const auto& [area, x] : m.at("by_focus_area").items()) {
    const auto held = x.at("held").get<std::int64_t>();
    t.rows.push_back({std::string("network_meetings"), area, per, held, gap(double(per), double(held)),
                      std::string(held >= per ? "yes" : "no"), empty, empty, number(x.at("scheduled"))});
  }
  const auto all_target = per * static_cast<std::int64_t>(m.at("by_focus_area").size());
  t.rows.push_back({std::string("network_meetings"), std::string("all"), all_target, number(m.at("held")),
                    gap(double(all_target), m.at("held").get<double>()), yes_no(m.at("met")), empty, empty,
                    number(m.at("scheduled"))});
  const json& f = g.at("partner_search_forums");
  t.rows.push_back({std::string("partner_search_forums"), "until " + f.at("deadline").get<std::string>(),
                    number(f.at("goal")), number(f.at("held")),
                    gap(f.at("goal").get<double>(), f.at("held").get<double>()), yes_no(f.at("met")), empty, empty,
                    number(f.at("scheduled"))});
  return t;
}

table participation_table(const report_data& d) {
  table t{"participation", {"kind", "events_held", "attendances", "unique_persons"}, {}};
  for (const auto& g : domain::genders) t.header.push_back("gender_" + g);
  for (const auto& o : domain::organisation_types) t.header.push_back("organisation_type_" + o);
  t.header.insert(t.header.end(), {"home_region", "other"});
  std::int64_t held = 0, attendances = 0;
  for (const auto& [kind, k] : d.kinds) {
    std::vector<cell> row{kind, k.events_held, k.attendances, k.unique_persons};
    for (const auto& g : domain::genders) row.emplace_back(k.by_gender.at(g));
    for (const auto& o : domain::organisation_types) row.emplace_back(k.by_organisation_type.at(o));
    row.insert(row.end(), {k.home_region, k.other_region});
    t.rows.push_back(std::move(row));
    held += k.events_held;
    attendances += k.attendances;
  }
  // Every kind together: a person who came to two kinds is one person here (the /goals participation).
  const json& p = d.goals.at("participation");
  std::vector<cell> all{std::string("all"), held, attendances, number(p.at("unique_persons"))};
  for (const auto& g : domain::genders) all.push_back(number(p.at("by_gender").value(g, json(0))));
  for (const auto& o : domain::organisation_types) all.push_back(number(p.at("by_organisation_type").value(o, json(0))));
  all.insert(all.end(), {number(p.at("home_region")), number(p.at("other"))});
  t.rows.push_back(std::move(all));
  return t;
}

// A figure-and-value sheet from a member of the goals document; one "no data" row when it is missing.
table figures_table(const std::string& name, const json& g, const char* member) {
  table t{name, {"figure", "value"}, {}};
  if (!g.contains(member) || !g.at(member).is_object()) {
    t.rows.push_back({std::string("no data"), std::monostate{}});
    return t;
  }
  for (const auto& [k, v] : g.at(member).items())
    if (!v.is_object() && !v.is_array()) t.rows.push_back({k, number(v)});
  return t;
}

std::vector<table> report_tables(const report_data& d) {
  std::vector<table> out;
  out.push_back({"period", {"from", "to", "generated_at"},
                 {{d.period.from.value_or(""), d.period.to.value_or(""), when(d.now)}}});
  out.push_back(goals_table(d.goals));
  out.push_back(participation_table(d));
  table topics{"seminar_topics", {"topic", "events", "participants"}, {}};
  for (const auto& [topic, x] : d.goals.at("participation").at("by_topic").items())
    topics.rows.push_back({topic, number(x.at("events")), number(x.at("participants"))});
  out.push_back(std::move(topics));
  out.push_back(figures_table("support", d.goals, "support"));
  out.push_back(figures_table("evaluations", d.goals, "evaluations"));
  table unrep{"unrepresented_events", {"event_id", "title", "starts_at", "network"}, {}};
  for (const auto& e : d.goals.at("representation").at("unrepresented_events"))
    unrep.rows.push_back({number(e.at("id")), e.at("title").get<std::string>(), e.at("starts_at").get<std::string>(),
                          e.at("network").is_string() ? e.at("network").get<std::string>() : std::string()});
  out.push_back(std::move(unrep));
  table meetings{"meetings", {"focus_area", "held", "scheduled", "goal"}, {}};
  const json& m = d.goals.at("network_meetings");
  for (const auto& [area, x] : m.at("by_focus_area").items())
    meetings.rows.push_back({area, number(x.at("held")), number(x.at("scheduled")), number(m.at("goal_per_focus_area"))});
  out.push_back(std::move(meetings));
  table forums{"forums", {"event_id", "title", "starts_at", "state", "organised_by_project"}, {}};
  for (const auto& e : d.events) {
    if (e.kind != "partner_search_forum") continue;
    const char* state = e.cancelled ? "cancelled" : domain::is_held(e, d.now) ? "held" : "scheduled";
    forums.rows.push_back({e.id, e.title, domain::format_rfc3339(e.starts_at, e.utc_offset_minutes), std::string(state),
                           std::string(e.organised_by_project ? "yes" : "no")});
  }
  std::sort(forums.rows.begin(), forums.rows.end(),
            [](const auto& a, const auto& b) { return std::get<std::string>(a[2]) < std::get<std::string>(b[2]); });
  out.push_back(std::move(forums));
  return out;
}

// The counselling log of a period as a table: one row per session, its persons as "name <address>" joined by "; "
// (an erased person as "(erased)").
table support_table(services& s, const domain::goal_period& period) {
  table t{"counselling", {"id", "date", "organisation", "organisation_type", "municipality", "project_idea", "hours",
                          "persons_count", "persons", "note"}, {}};
  for (const auto& session : s.db.list_support_sessions(period)) {
    std::string persons;
    for (const auto& p : session.persons) {
      if (!persons.empty()) persons += "; ";
      persons += p.name || p.email ? p.name.value_or("") + " <" + p.email.value_or("") + ">" : std::string("(erased)");
    }
    const auto text = [](const std::optional<std::string>& v) { return v ? cell(*v) : cell(); };
    t.rows.push_back({cell(static_cast<std::int64_t>(session.id)), cell(session.date), cell(session.organisation),
                      text(session.organisation_type), text(session.municipality), cell(session.project_idea),
                      cell(session.hours), cell(static_cast<std::int64_t>(session.persons.size())), cell(persons),
                      text(session.note)});
  }
  return t;
}

}  // namespace

void add_report_routes(router& r, services& s) {
  r.add("GET", "/api/v1/events/{id}/attendance.csv", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    run_heavy(s, std::move(done), [&s, id = e->id] {
      std::string out;
      append_csv_row(out, registration_csv_columns);
      for (const auto& reg : s.db.list_registrations(id, "", std::nullopt)) append_csv_row(out, registration_csv_row(reg));
      return csv_download(std::move(out), "attendance-" + std::to_string(id) + ".csv");
    });
  });

  r.add("GET", "/api/v1/reports/participants.csv", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    run_heavy(s, std::move(done), [&s] {
      // Written as the rows are read: the CSV of every registration never waits in memory twice.
      std::string out;
      append_csv_row(out, participants_header());
      for_each_participant_row(s, [&](std::vector<cell> row) { append_csv_row(out, row); });
      return csv_download(std::move(out), "participants.csv");
    });
  });

  r.add("GET", "/api/v1/reports/participants.xlsx", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    run_heavy(s, std::move(done), [&s] {
      table t{"participants", participants_header(), {}};
      for_each_participant_row(s, [&](std::vector<cell> row) { t.rows.push_back(std::move(row)); });
      std::vector<table> book;
      book.push_back(std::move(t));
      return xlsx_download(to_xlsx(book), "participants.xlsx");
    });
  });

  // The counselling log over ?from=&to=, for Excel (.xlsx) and for machines (.csv). Organisers: it names people.
  for (const std::string format : {"csv", "xlsx"}) {
    r.add("GET", "/api/v1/reports/support-sessions." + format, [&s, format](const request& req, const route_match&, responder done) {
      response err;
      if (!require(s, req, domain::role::organiser, err)) return done(err);
      auto period = read_period(req, err);
      if (!period) return done(err);
      run_heavy(s, std::move(done), [&s, format, period = *period] {
        auto t = support_table(s, period);
        if (format == "csv") return csv_download(to_csv(t), "support-sessions.csv");
        return xlsx_download(to_xlsx({std::move(t)}), "support-sessions.xlsx");
      });
    });
  }

  // Participation per activity kind over ?from=&to= (ESF: participants by gender per activity kind).
  r.add("GET", "/api/v1/reports/participation", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::steering, err)) return done(err);
    auto period = read_period(req, err);
    if (!period) return done(err);
    run_heavy(s, std::move(done), [&s, period = *period] {
      const auto facts = goal_facts_in(s, period);
      json kinds = json::object();
      for (const auto& [kind, k] : domain::participation_by_kind(facts.events, facts.attendances, domain::now()))
        kinds[kind] = kind_json(k);
      return json_response(200, {{"period", period_json(period)}, {"kinds", kinds}});
    });
  });

  // The whole report for the steering group's meeting, one sheet per table, over ?from=&to=.
  r.add("GET", "/api/v1/reports/report.xlsx", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::steering, err)) return done(err);
    auto period = read_period(req, err);
    if (!period) return done(err);
    run_heavy(s, std::move(done), [&s, period = *period] {
      return xlsx_download(to_xlsx(report_tables(read_report(s, period))), "report.xlsx");
    });
  });
}

}  // namespace eventd::api
