// Benchmark of the live `goals` topic (issue 7): what one check-in costs the figures, kept by domain::goal_tally,
// against computing them again from every fact (domain::compute_goals, the pre-tally path and GET /api/v1/goals,
// here without its database read). Invented programme-scale data; prints a Markdown table.
// usage: goals_tally [events] [persons] [attendances] [changes]
#include "domain/goal_tally.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

using namespace eventd::domain;
using eid = eventd::domain::id_t;
using bench_clock = std::chrono::steady_clock;

namespace {

constexpr time_point now0 = 1778743800;  // 2026-05-14
constexpr time_point day = 86400;

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[v.size() / 2];
}

double percentile(std::vector<double> v, double p) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0.0 : v[std::min(v.size() - 1, static_cast<std::size_t>(p * static_cast<double>(v.size())))];
}

double micros_since(bench_clock::time_point t) {
  return std::chrono::duration<double, std::micro>(bench_clock::now() - t).count();
}

}  // namespace

int main(int argc, char** argv) {
  const int n_events = argc > 1 ? std::atoi(argv[1]) : 400;
  const int n_persons = argc > 2 ? std::atoi(argv[2]) : 5000;
  const int n_attendances = argc > 3 ? std::atoi(argv[3]) : 50000;
  const int n_changes = argc > 4 ? std::atoi(argv[4]) : 2000;
  std::mt19937 rng(7);
  const auto pick = [&](int n) { return std::uniform_int_distribution<int>(0, n - 1)(rng); };
  config cfg;

  std::vector<goal_event> events;
  const std::vector<std::string> kinds{"network_event", "network_event", "network_meeting", "seminar",
                                       "partner_search_forum"};
  for (int i = 1; i <= n_events; ++i) {
    goal_event e;
    e.id = i;
    e.kind = kinds[static_cast<std::size_t>(pick(static_cast<int>(kinds.size())))];
    e.title = "Event " + std::to_string(i);
    e.starts_at = now0 - (pick(700) - 100) * day;
    if (e.kind == "network_event") e.network = cfg.networks[static_cast<std::size_t>(pick(static_cast<int>(cfg.networks.size())))];
    if (e.kind == "network_meeting") e.focus_area = cfg.focus_areas[static_cast<std::size_t>(pick(static_cast<int>(cfg.focus_areas.size())))];
    if (e.kind == "seminar") e.topic = cfg.seminar_topics[static_cast<std::size_t>(pick(static_cast<int>(cfg.seminar_topics.size())))];
    events.push_back(e);
  }
  const auto attendance = [&](eid registration, time_point at) {
    goal_attendance a;
    a.registration_id = registration;
    a.event_id = 1 + pick(n_events);
    a.person_id = 1 + pick(n_persons);
    a.gender = pick(2) ? "woman" : "man";
    a.organisation_type = organisation_types[static_cast<std::size_t>(pick(static_cast<int>(organisation_types.size())))];
    a.home_region = pick(3) == 0;
    a.attended_at = at;
    return a;
  };
  std::vector<goal_attendance> attendances;
  for (int i = 1; i <= n_attendances; ++i) attendances.push_back(attendance(i, now0 - (n_attendances - i) * 60));

  // The figures from every fact, as each refresh did before the tally (and as GET /goals does, plus its read).
  std::vector<double> full;
  for (int i = 0; i < 15; ++i) {
    const auto t = bench_clock::now();
    const auto g = compute_goals(events, attendances, {}, cfg, now0);
    full.push_back(micros_since(t));
    if (g.unique_persons == 0) std::puts("(no persons?)");
  }

  goal_tally tally(cfg);
  auto t = bench_clock::now();
  tally.reset(events, attendances, {});
  const double load = micros_since(t);

  // One check-in (a new attendance) and the document after it; then the same for an undo.
  std::vector<double> per_checkin, per_undo, render;
  for (int i = 0; i < n_changes; ++i) {
    const eid reg = n_attendances + 1 + i;
    const auto a = attendance(reg, now0 + i);
    t = bench_clock::now();
    tally.put_attendance(reg, a);
    const auto g = tally.result(now0);
    per_checkin.push_back(micros_since(t));
    t = bench_clock::now();
    tally.put_attendance(reg, std::nullopt);
    per_undo.push_back(micros_since(t));
    t = bench_clock::now();
    const auto g2 = tally.result(now0);
    render.push_back(micros_since(t));
    if (g.unique_persons < g2.unique_persons) std::puts("(undo added a person?)");
  }
  // The tally agrees with the full computation at the end.
  const bool same = tally.result(now0) == compute_goals(events, attendances, {}, cfg, now0);

  std::printf("| events | persons | attendances | figures from every fact (compute_goals), median us | tally: check-in + figures, median us (p99) | tally: undo alone, median us | tally: figures alone, median us | full / tally per check-in | first load of the tally, ms | tally == compute_goals |\n");
  std::printf("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
  std::printf("| %d | %d | %d | %.0f | %.1f (%.1f) | %.2f | %.1f | %.0f | %.1f | %s |\n", n_events, n_persons,
              n_attendances, median(full), median(per_checkin), percentile(per_checkin, 0.99), median(per_undo),
              median(render), median(full) / median(per_checkin), load / 1000.0, same ? "yes" : "NO");
  return same ? 0 : 1;
}
