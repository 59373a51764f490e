// CSV exports for organisers: an event's attendance list and every participant (RFC 4180, UTF-8 with BOM).
#include "api/services.hpp"
#include "support/log.hpp"

#include "api/registration_view.hpp"
#include "domain/time.hpp"

#include <cstdio>

namespace eventd::api {
namespace {

// One CSV field. Text that a spreadsheet would run as a formula (=, +, -, @ first) is prefixed with an apostrophe.
void field(std::string& out, const std::string& v) {
  std::string value = v;
  if (!value.empty() && (value[0] == '=' || value[0] == '+' || value[0] == '-' || value[0] == '@' || value[0] == '\t'))
    value.insert(value.begin(), '\'');
  if (value.find_first_of(",\"\r\n") == std::string::npos) {
    out += value;
    return;
  }
  out += '"';
  for (char c : value) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

void row(std::string& out, const std::vector<std::string>& values) {
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i) out += ',';
    field(out, values[i]);
  }
  out += "\r\n";
}

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

namespace {

response csv(std::string body, const std::string& filename) {
  response res;
  res.content_type = "text/csv; charset=utf-8; header=present";
  res.body = "\xEF\xBB\xBF" + body;  // the BOM makes spreadsheet programs read UTF-8
  res.headers.emplace_back("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

}  // namespace

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

void add_report_routes(router& r, services& s) {
  r.add("GET", "/api/v1/events/{id}/attendance.csv", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    run_heavy(s, std::move(done), [&s, id = e->id] {
      std::string out;
      row(out, registration_csv_columns);
      for (const auto& reg : s.db.list_registrations(id, "", std::nullopt)) row(out, registration_csv_row(reg));
      return csv(std::move(out), "attendance-" + std::to_string(id) + ".csv");
    });
  });

  r.add("GET", "/api/v1/reports/participants.csv", [&s](const request& req, const route_match&, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    run_heavy(s, std::move(done), [&s] {
      std::vector<std::string> header{"event_id", "event_title", "event_kind", "event_starts_at", "event_status"};
      header.insert(header.end(), registration_csv_columns.begin(), registration_csv_columns.end());
      std::string out;
      row(out, header);
      // One query over every event's registrations, not one per event.
      std::vector<std::string> event_values;
      domain::id_t last_event = 0;
      s.db.for_each_participant([&](const domain::event& e, const domain::registration& reg) {
        if (e.id != last_event) {
          last_event = e.id;
          event_values = {std::to_string(e.id), e.title, e.kind, when(e.starts_at), std::string(domain::to_string(e.status))};
        }
        auto values = event_values;
        auto more = registration_csv_row(reg);
        values.insert(values.end(), more.begin(), more.end());
        row(out, values);
      });
      return csv(std::move(out), "participants.csv");
    });
  });
}

}  // namespace eventd::api
