// Check-in in the SQLite store: scans (rules in domain/checkin_rules), batches, undo.
#include "store/sql/sql_store.hpp"

#include "domain/checkin_rules.hpp"
#include "domain/time.hpp"

#include "support/log.hpp"

#include <nlohmann/json.hpp>

namespace eventd::store::sql {

void sql_store::check_in(checkin_command cmd, scan_renderer render, callback<scan_answer> cb) {
  const id_t event_id = cmd.event_id;
  write<scan_answer>([this, cmd = std::move(cmd), render = std::move(render)](connection& c) { return scan(c, *tickets_, cmd, render); },
                     std::move(cb), event_id);
}

void sql_store::check_in_batch(std::vector<checkin_command> cmds, scan_renderer render, callback<std::vector<scan_answer>> cb) {
  write<std::vector<scan_answer>>(
      [this, cmds = std::move(cmds), render = std::move(render)](connection& c) {
        std::vector<scan_answer> out;
        for (const auto& cmd : cmds) {
          // Each item alone, as the single call would be: a failing one leaves the others standing.
          c.prepare("SAVEPOINT item").exec();
          try {
            out.push_back(scan(c, *tickets_, cmd, render));
          } catch (const store_error& e) {
            c.reset_all();
            c.prepare("ROLLBACK TO item").exec();
            out.push_back(failure_answer(e.f));
          } catch (const deferred_error&) {
            throw;  // not this item's: an earlier job's write failed, and the writer runs the batch again
          } catch (const std::exception& e) {
            support::log_fault("error", "check-in item failed", e.what());
            c.reset_all();
            c.prepare("ROLLBACK TO item").exec();
            out.push_back(failure_answer(failure{errc::unavailable, "this scan could not be saved; send it again"}));
          }
          c.prepare("RELEASE item").exec();
        }
        return out;
      },
      std::move(cb));
}

void sql_store::undo_check_in(id_t event_id, id_t registration_id, callback<domain::registration> cb) {
  write<domain::registration>(
      [=, this](connection& c) {
        auto& q = c.prepare("DELETE FROM checkins WHERE registration_id = :registration_id AND event_id = :event_id");
        q.bind(":registration_id", registration_id);
        q.bind(":event_id", event_id);
        if (q.exec() == 0) fail(errc::not_found, "this registration is not checked in for this event");
        noted(change::kind::check_in_undone, registration_id, event_id);
        // Whoever did not attend cannot have evaluated the event (DOMAIN.md 7): an answer given goes with the check-in.
        auto& v = c.prepare("DELETE FROM evaluations WHERE registration_id = ?");
        v.bind(1, registration_id);
        if (v.exec() > 0) noted(change::kind::evaluated, registration_id, event_id);
        return *registration_by_id(c, registration_id);
      },
      std::move(cb));
}

scan_answer sql_store::scan(connection& c, const auth::ticket_cipher& tickets, const checkin_command& cmd,
                               const scan_renderer& render) {
  // The registration the scan names: by id, or the one its code decodes to (found or not).
  std::optional<id_t> named = cmd.registration_id;
  if (!named && cmd.ticket_code) {
    if (auto id = tickets.decode(domain::normalise_ticket_code(*cmd.ticket_code))) named = static_cast<id_t>(*id);
  }
  const domain::scan_request request{cmd.event_id, domain::scan_subject(named, cmd.ticket_code.value_or(""))};
  if (cmd.scan_id) {
    static constexpr sql_text sql{
        "SELECT status, response, event_id, subject, registration_id, result FROM scans WHERE scan_id = ?"};
    auto& seen = c.prepare(sql.c_str());
    seen.bind(1, *cmd.scan_id);
    if (seen.executeStep()) {
      std::optional<domain::scan_request> first_request;
      if (!seen.getColumn(sql["event_id"]).isNull())
        first_request =
            domain::scan_request{seen.getColumn(sql["event_id"]).getInt64(), seen.getColumn(sql["subject"]).getString()};
      if (!domain::same_scan_request(first_request, request)) {
        // The key belongs to another request: refuse, change nothing, and keep the key tied to its first request.
        checkin_outcome reused;
        reused.result = checkin_result::scan_id_reused;
        return render(reused);
      }
      scan_answer first{seen.getColumn(sql["status"]).getInt(), seen.getColumn(sql["response"]).getString()};
      if (!first.body.empty() || seen.getColumn(sql["registration_id"]).isNull()) return first;
      // Blanked by an erasure: the same answer again, rendered from the registration as it is now (erased).
      checkin_outcome again;
      const auto result = seen.getColumn(sql["result"]);
      again.result = result_from_text(result.isNull() ? "" : result.getString());
      const id_t registration_id = seen.getColumn(sql["registration_id"]).getInt64();
      seen.reset();
      again.registration = registration_by_id(c, registration_id);
      if (!again.registration) again.result = checkin_result::unknown;
      first.body = render(again).body;
      return first;
    }
  }
  checkin_outcome o;
  std::optional<domain::registration> r;
  if (named) r = registration_by_id(c, *named);
  if (r && r->event_id != cmd.event_id) {
    o.other_event_id = r->event_id;
    r.reset();
  }
  const auto now = domain::now();
  if (!r) {
    o.result = checkin_result::unknown;
  } else {
    bool another = false;
    if (domain::admission_needs_other_registrations(*r, cmd.force)) {
      auto& other = c.prepare(
          "SELECT o.id FROM registrations o JOIN registrations r ON r.id = ?1 WHERE o.event_id = r.event_id "
          "AND o.person_id = r.person_id AND o.status <> 'cancelled' AND o.id <> r.id LIMIT 1");
      other.bind(1, r->id);
      if (other.executeStep()) {
        another = true;
        o.active_registration_id = other.getColumn(0).getInt64();
      }
      other.reset();
    }
    const auto d = domain::decide_admission(*r, cmd.force, another);
    if (d.result == domain::admission::already_checked_in) {
      o.result = checkin_result::already_checked_in;
    } else if (d.result == domain::admission::not_admissible) {
      o.result = checkin_result::not_admissible;
    } else {
      if (d.confirms) {
        // In the room, so holding a place: the counts follow the status (triggers), beyond capacity if need be. The
        // seat was given at the door, so the capacity's backstop leaves it out (schema 014, seat_forced).
        auto& u = c.prepare("UPDATE registrations SET status = 'confirmed', seat_forced = 1, cancelled_at = NULL WHERE id = ?");
        u.bind(1, r->id);
        u.exec();
      }
      insert_checkin(c, r->id, cmd.event_id, cmd.attended_at.value_or(now), now, cmd.user_id, cmd.device, d.forced);
      o.result = checkin_result::checked_in;
      noted(change::kind::checked_in, r->id, cmd.event_id);
      here().changes_in_job.back().attendance = domain::goal_attendance{cmd.event_id, r->person_id, r->person.gender,
                                                                  r->person.organisation_type, r->home_region, r->id,
                                                                  cmd.attended_at.value_or(now)};
      // What was just written, without reading it back.
      domain::admit(*r, d, cmd.attended_at.value_or(now));
    }
  }
  o.registration = std::move(r);
  scan_answer answer = render(o);
  if (cmd.scan_id) {
    static constexpr sql_text insert{
        "INSERT INTO scans(scan_id, status, response, created_at, event_id, subject, registration_id, result) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"};
    auto& s = c.prepare(insert.c_str());
    s.bind(insert.param("scan_id"), *cmd.scan_id);
    s.bind(insert.param("status"), answer.status);
    s.bind(insert.param("response"), answer.body);
    s.bind(insert.param("created_at"), static_cast<std::int64_t>(now));
    s.bind(insert.param("event_id"), request.event_id);
    s.bind(insert.param("subject"), request.subject);
    // Which registration the answer speaks of, so its erasure can reach this copy too.
    bind_opt(s, insert.param("registration_id"),
             o.registration ? std::optional<std::int64_t>(o.registration->id) : std::nullopt);
    s.bind(insert.param("result"), std::string(result_text(o.result)));
    s.exec();
  }
  return answer;
}

}  // namespace eventd::store::sql

namespace eventd::store {

scan_answer failure_answer(const failure& f) {
  // Only reached when an item broke unexpectedly; the api renders ordinary answers. The detail may hold any text.
  const int status = f.code == errc::not_found ? 404 : 503;
  const nlohmann::json body = {{"type", "about:blank"}, {"title", "Check-in failed"}, {"status", status}, {"detail", f.detail}};
  return {status, body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)};
}

}  // namespace eventd::store
