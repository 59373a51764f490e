// Partner search (../shared/API.md, Partner search): profiles by the private link, the forum's profiles for its
// participants and organisers, the public partner database, ranked matches, meeting requests and the agenda, the
// forum's slots and meetings for organisers. E-mail addresses never appear: contact goes through a request.
#include "api/calendar.hpp"
#include "api/participant_mail.hpp"
#include "api/services.hpp"

#include "domain/partner_rules.hpp"
#include "domain/time.hpp"
#include "support/host.hpp"

#include <algorithm>

namespace eventd::api {
namespace {

response no_store(response res) {
  res.headers.emplace_back("Cache-Control", "no-store");
  return res;
}

json words(const std::vector<std::string>& v) { return json(v); }

// The profile as other participants of the forum and organisers see it (`with_name`), or as the partner database
// shows it to anyone (no name). The owner sees `public` too.
json profile_json(const domain::partner_profile& p, bool with_name, bool owner = false) {
  json out{{"id", p.id},
           {"event_id", p.event_id},
           {"organisation", p.fields.organisation},
           {"summary", p.fields.summary},
           {"country", p.fields.country},
           {"focus_areas", words(p.fields.focus_areas)},
           {"offers", words(p.fields.offers)},
           {"seeks", words(p.fields.seeks)},
           {"languages", words(p.fields.languages)},
           {"partner_countries", words(p.fields.partner_countries)},
           {"updated_at", domain::format_rfc3339(p.updated_at, 0)}};
  if (with_name) out["name"] = p.name.empty() ? json(nullptr) : json(p.name);
  if (owner) out["public"] = p.fields.is_public;
  return out;
}

json slot_json(const domain::meeting_slot& s, int offset) {
  return {{"id", s.id}, {"starts_at", domain::format_rfc3339(s.starts_at, offset)},
          {"ends_at", domain::format_rfc3339(s.ends_at, offset)}};
}

json slots_json(const store::forum_slots& f, int offset) {
  json slots = json::array();
  for (const auto& s : f.slots) slots.push_back(slot_json(s, offset));
  return {{"slots", std::move(slots)}, {"tables", f.tables}};
}

std::optional<domain::meeting_slot> slot_of(const store::forum_slots& f, const std::optional<domain::id_t>& id) {
  if (!id) return std::nullopt;
  for (const auto& s : f.slots)
    if (s.id == *id) return s;
  return std::nullopt;
}

// Who the other one is, as a participant sees them: their profile's face, never their address.
json counterpart_json(services& s, domain::id_t registration_id) {
  const auto p = s.db.profile_of(registration_id);
  if (!p) return nullptr;
  return {{"profile_id", p->id}, {"name", p->name.empty() ? json(nullptr) : json(p->name)},
          {"organisation", p->fields.organisation}, {"country", p->fields.country}, {"summary", p->fields.summary}};
}

json meeting_json(services& s, const domain::meeting& m, domain::id_t me, const store::forum_slots& f, int offset) {
  const auto slot = slot_of(f, m.slot_id);
  const bool outgoing = m.from_registration == me;
  return {{"id", m.id},
          {"event_id", m.event_id},
          {"state", std::string(domain::to_string(m.state))},
          {"direction", outgoing ? "outgoing" : "incoming"},
          {"counterpart", counterpart_json(s, outgoing ? m.to_registration : m.from_registration)},
          {"message", nullable(m.message)},
          {"slot", slot ? slot_json(*slot, offset) : json(nullptr)},
          {"table", m.table ? json(*m.table) : json(nullptr)},
          {"created_at", domain::format_rfc3339(m.created_at, offset)},
          {"decided_at", m.decided_at ? json(domain::format_rfc3339(*m.decided_at, offset)) : json(nullptr)}};
}

json party_json(services& s, domain::id_t registration_id) {
  const auto r = s.db.get_registration(registration_id);
  const auto p = s.db.profile_of(registration_id);
  json out{{"registration_id", registration_id}};
  out["name"] = r && !r->erased ? json(r->person.name) : json(nullptr);
  out["organisation"] = p ? json(p->fields.organisation) : (r && !r->erased ? json(r->person.organisation) : json(nullptr));
  out["profile_id"] = p ? json(p->id) : json(nullptr);
  return out;
}

// The participant's requests, both ways, newest first, and their agenda: the accepted ones in time order. One read
// of the meetings and slots, each meeting rendered once (its counterpart read once), for both lists.
struct meeting_lists {
  json requests = json::array();
  json agenda = json::array();
};
meeting_lists meetings_json(services& s, const domain::registration& r, const domain::event& e) {
  const auto f = s.db.meeting_slots(e.id);
  const auto all = s.db.meetings_of(r.id);  // by id
  meeting_lists out;
  std::vector<std::pair<std::pair<domain::time_point, domain::id_t>, json>> accepted;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    auto j = meeting_json(s, *it, r.id, f, e.utc_offset_minutes);
    if (it->state == domain::meeting_state::accepted) {
      const auto slot = slot_of(f, it->slot_id);
      accepted.push_back({{slot ? slot->starts_at : 0, it->id}, j});
    }
    out.requests.push_back(std::move(j));
  }
  std::sort(accepted.begin(), accepted.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  for (auto& a : accepted) out.agenda.push_back(std::move(a.second));
  return out;
}

// The registration a private link names, when it is a forum's; `done` answered otherwise (404).
std::optional<std::pair<domain::registration, domain::event>> forum_link(services& s, const std::string& token,
                                                                         const responder& done) {
  auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
  if (!reg) {
    done(unknown_token());
    return std::nullopt;
  }
  auto e = s.db.get_event(reg->event_id);
  if (!e) {
    done(unknown_token());
    return std::nullopt;
  }
  return std::make_pair(std::move(*reg), std::move(*e));
}

domain::profile_filter read_filter(const request& req) {
  domain::profile_filter f;
  if (auto it = req.query.find("q"); it != req.query.end()) f.q = it->second.substr(0, 200);
  if (auto it = req.query.find("focus_area"); it != req.query.end() && !it->second.empty()) f.focus_area = it->second;
  if (auto it = req.query.find("country"); it != req.query.end() && !it->second.empty()) f.country = it->second;
  return f;
}

bool filter_valid(const domain::profile_filter& f, const domain::config& cfg, response& err) {
  domain::field_errors errors;
  if (f.focus_area && std::find(cfg.focus_areas.begin(), cfg.focus_areas.end(), *f.focus_area) == cfg.focus_areas.end())
    errors.push_back({"focus_area", "unknown focus area; " + domain::one_of_message(cfg.focus_areas)});
  if (f.country) {
    auto c = *f.country;
    for (auto& ch : c)
      if (ch >= 'a' && ch <= 'z') ch = static_cast<char>(ch - 'a' + 'A');
    if (!domain::is_country_code(c)) errors.push_back({"country", "must be a two-letter ISO 3166 country code"});
  }
  if (!domain::valid_text(f.q, 200)) errors.push_back({"q", "must be plain text"});
  if (errors.empty()) return true;
  err = problem(400, "Bad query", "some search parameters are wrong", errors);
  return false;
}

domain::profile_fields read_profile(const json& body, const domain::registration& r, domain::field_errors& errors) {
  domain::profile_fields p;
  reader in(body, errors);
  p.organisation = in.text("organisation").value_or(r.person.organisation);
  if (auto v = in.text("summary", true)) p.summary = *v;
  if (auto v = in.text("country", true)) p.country = *v;
  if (auto v = in.words("focus_areas", true)) p.focus_areas = *v;
  if (auto v = in.words("offers")) p.offers = *v;
  if (auto v = in.words("seeks")) p.seeks = *v;
  if (auto v = in.words("languages", true)) p.languages = *v;
  if (auto v = in.words("partner_countries")) p.partner_countries = *v;
  if (auto v = in.boolean("public")) p.is_public = *v;
  return p;
}

// The participant's own writes without a body (accept, decline, cancel): the public write limit and a plausible link.
bool begin_bodiless(services& s, const request& req, const route_match& m, const responder& done) {
  if (over_public_limit(s, req, done)) return false;
  if (!plausible_token(m.params.at("token"))) {
    done(unknown_token());
    return false;
  }
  if (m.id("mid") <= 0) {
    done(problem(404, "Not found", "no such meeting request"));
    return false;
  }
  return true;
}

std::string agenda_ics(services& s, const domain::registration& r, const domain::event& e) {
  const auto f = s.db.meeting_slots(e.id);
  std::vector<agenda_entry> entries;
  for (const auto& m : s.db.meetings_of(r.id)) {
    if (m.state != domain::meeting_state::accepted) continue;
    const auto slot = slot_of(f, m.slot_id);
    if (!slot) continue;
    const auto other = s.db.profile_of(m.from_registration == r.id ? m.to_registration : m.from_registration);
    agenda_entry a;
    a.meeting_id = m.id;
    a.starts_at = slot->starts_at;
    a.ends_at = slot->ends_at;
    a.table = m.table.value_or(0);
    if (other) {
      a.counterpart = other->name.empty() ? other->fields.organisation : other->name + ", " + other->fields.organisation;
      a.summary = other->fields.summary;
    }
    entries.push_back(std::move(a));
  }
  return agenda_calendar(e, entries, support::message_host(s.cfg.public_url), r.person.language);
}

// "2026-05-14 10:00-10:20" in Swedish time.
std::string slot_text(const domain::meeting_slot& slot) {
  const auto from = domain::format_rfc3339(slot.starts_at, domain::stockholm_offset_minutes(slot.starts_at));
  const auto to = domain::format_rfc3339(slot.ends_at, domain::stockholm_offset_minutes(slot.ends_at));
  return from.substr(0, 10) + " " + from.substr(11, 5) + "-" + to.substr(11, 5);
}

}  // namespace

void profile_cache::note(const std::vector<store::change>& changes) {
  using kind = store::change::kind;
  std::lock_guard lock(mutex_);
  for (const auto& c : changes)
    if (c.what == kind::resync)
      for (auto& [event_id, generation] : generations_) ++generation;
    else if (c.event_id > 0 && (c.what == kind::profile_saved || c.what == kind::cancelled || c.what == kind::erased ||
                           c.what == kind::edited))
      ++generations_[c.event_id];
}

std::shared_ptr<const std::vector<domain::partner_profile>> profile_cache::forum(store::store& db, domain::id_t event_id) {
  std::uint64_t generation = 0;
  {
    std::lock_guard lock(mutex_);
    generation = generations_[event_id];
    const auto it = entries_.find(event_id);
    if (it != entries_.end() && it->second.generation == generation) return it->second.profiles;
  }
  auto loaded = std::make_shared<const std::vector<domain::partner_profile>>(db.forum_profiles(event_id));
  std::lock_guard lock(mutex_);
  if (generations_[event_id] == generation) entries_[event_id] = entry{generation, loaded};
  return loaded;
}

std::optional<std::string> partner_topic(services& s, domain::id_t registration_id) {
  const auto r = s.db.get_registration(registration_id);
  if (!r) return std::nullopt;
  const auto e = s.db.get_event(r->event_id);
  if (!e) return std::nullopt;
  auto lists = meetings_json(s, *r, *e);
  json out{{"requests", std::move(lists.requests)}, {"agenda", std::move(lists.agenda)}};
  return out.dump(-1, ' ', false, json::error_handler_t::replace);
}

composed compose_meeting_mail(services& s, const store::mail_item& item, const domain::registration& r, const domain::event& e) {
  composed out;
  if (r.status == domain::registration_status::cancelled) {
    out.why_not = "cancelled before it was sent";
    return out;
  }
  const auto m = item.meeting_id > 0 ? s.db.get_meeting(item.meeting_id) : std::nullopt;
  if (!m) {
    out.why_not = "the meeting is gone";
    return out;
  }
  meeting_news n;
  n.kind = item.kind;
  const auto other = m->from_registration == r.id ? m->to_registration : m->from_registration;
  if (const auto p = s.db.profile_of(other))
    n.counterpart = p->name.empty() ? p->fields.organisation : p->name + ", " + p->fields.organisation;
  // Told as the meeting now is: a request answered before its message went needs no message any more, a meeting
  // moved again is told where it is now.
  if (item.kind == "meeting_request") {
    if (m->state != domain::meeting_state::pending) {
      out.why_not = "answered before it was sent";
      return out;
    }
    n.message = m->message.value_or("");
  }
  if (item.kind == "meeting_accepted" || item.kind == "meeting_moved") {
    const auto slot = slot_of(s.db.meeting_slots(m->event_id), m->slot_id);
    if (m->state != domain::meeting_state::accepted || !slot) {
      out.why_not = "no longer booked when it was sent";
      return out;
    }
    n.when = slot_text(*slot);
    n.table = m->table.value_or(0);
  }
  out.message = meeting_mail(r, e, s.cfg.public_url, item.secret, n);
  if (!out.message) out.why_not = "nobody to write to";
  return out;
}

void add_partner_routes(router& r, services& s) {
  r.add("PUT", "/api/v1/my/registrations/{token}/profile", [&s](const request& req, const route_match& m, responder done) {
    auto w = begin_link_write(s, req, m, done);
    if (!w) return;
    domain::field_errors errors;
    auto fields = domain::normalise_profile(read_profile(w->body, w->registration, errors));
    domain::field_errors rules;
    domain::validate_profile(fields, s.cfg, rules);
    for (auto& e : rules)
      if (std::none_of(errors.begin(), errors.end(), [&](const domain::field_error& x) { return x.field == e.field; }))
        errors.push_back(std::move(e));
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields of the profile are missing or wrong", errors));
    s.db.save_profile(std::move(w->token), std::move(fields),
                      reply<domain::partner_profile>(std::move(done), [](const domain::partner_profile& p) {
                        return no_store(json_response(200, profile_json(p, true, true)));
                      }));
  });

  r.add("GET", "/api/v1/my/registrations/{token}/profile", [&s](const request&, const route_match& m, responder done) {
    auto link = forum_link(s, m.params.at("token"), done);
    if (!link) return;
    auto p = s.db.profile_of(link->first.id);
    if (!p) return done(no_store(problem(404, "Not found", "no profile has been written with this link")));
    done(no_store(json_response(200, profile_json(*p, true, true))));
  });

  r.add("GET", "/api/v1/events/{id}/profiles", [&s](const request& req, const route_match& m, responder done) {
    auto e = s.db.get_event(m.id("id"));
    const auto& token = req.header("x-manage-token");
    if (!token.empty()) {
      // A participant of this forum (confirmed or waitlisted) sees their fellow participants' profiles.
      auto reg = plausible_token(token) ? s.db.find_by_manage_token(token) : std::nullopt;
      if (!reg || !e || reg->event_id != e->id || reg->erased || reg->status == domain::registration_status::cancelled)
        return done(problem(403, "Forbidden", "this private link is not a registration for this forum"));
    } else {
      response err;
      if (!require(s, req, domain::role::organiser, err)) return done(err);
      if (!e) return done(problem(404, "Not found", "no such event"));
    }
    const auto filter = read_filter(req);
    response err;
    if (!filter_valid(filter, s.cfg, err)) return done(err);
    const auto id = e->id;
    run_heavy(s, std::move(done), [&s, id, filter] {
      json items = json::array();
      for (const auto& p : *s.profiles.forum(s.db, id))
        if (domain::profile_matches(p, filter)) items.push_back(profile_json(p, true));
      return no_store(json_response(200, {{"items", std::move(items)}}));
    });
  });

  r.add("GET", "/api/v1/partners", [&s](const request& req, const route_match&, responder done) {
    const auto filter = read_filter(req);
    response err;
    if (!filter_valid(filter, s.cfg, err)) return done(err);
    run_heavy(s, std::move(done), [&s, filter] {
      json items = json::array();
      for (const auto& p : s.db.public_profiles())
        if (domain::profile_matches(p, filter)) items.push_back(profile_json(p, false));
      return json_response(200, {{"items", std::move(items)}});
    });
  });

  r.add("GET", "/api/v1/my/registrations/{token}/matches", [&s](const request&, const route_match& m, responder done) {
    auto link = forum_link(s, m.params.at("token"), done);
    if (!link) return;
    auto me = s.db.profile_of(link->first.id);
    if (!me) {
      auto res = problem(409, "Conflict", std::string(domain::describe(domain::meeting_refusal::no_profile)));
      return done(no_store(std::move(res)));
    }
    run_heavy(s, std::move(done), [&s, me = std::move(*me)] {
      const auto others = s.profiles.forum(s.db, me.event_id);
      json items = json::array();
      for (const auto& match : domain::rank_partners(me, *others)) {
        auto j = profile_json(*match.profile, true);
        j["score"] = match.score;
        json reasons = json::array();
        for (const auto& why : match.reasons) reasons.push_back({{"kind", why.kind}, {"values", why.values}});
        j["reasons"] = std::move(reasons);
        items.push_back(std::move(j));
      }
      return no_store(json_response(200, {{"items", std::move(items)}}));
    });
  });

  r.add("POST", "/api/v1/my/registrations/{token}/meeting-requests", [&s](const request& req, const route_match& m, responder done) {
    auto w = begin_link_write(s, req, m, done);
    if (!w) return;
    domain::field_errors errors;
    reader in(w->body, errors);
    const auto profile_id = in.integer("profile_id", true);
    auto message = in.text("message");
    if (message) {
      *message = domain::trim(*message);
      if (message->empty()) message.reset();
      else if (!domain::valid_text(*message, domain::max_meeting_message, true))
        errors.push_back({"message", "at most " + std::to_string(domain::max_meeting_message) + " characters, no control characters"});
    }
    if (profile_id && *profile_id <= 0) errors.push_back({"profile_id", "must be a profile's id"});
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some fields are missing or wrong", errors));
    auto e = s.db.get_event(w->registration.event_id);
    if (!e) return done(unknown_token());
    s.db.request_meeting(std::move(w->token), *profile_id, std::move(message),
                         reply<domain::meeting>(std::move(done), [&s, me = w->registration.id, e = *e](const domain::meeting& v) {
                           return no_store(json_response(201, meeting_json(s, v, me, s.db.meeting_slots(e.id), e.utc_offset_minutes)));
                         }));
  });

  r.add("GET", "/api/v1/my/registrations/{token}/meeting-requests", [&s](const request&, const route_match& m, responder done) {
    auto link = forum_link(s, m.params.at("token"), done);
    if (!link) return;
    done(no_store(json_response(200, {{"items", meetings_json(s, link->first, link->second).requests}})));
  });

  for (const char* action : {"accept", "decline", "cancel"}) {
    const std::string what = action;
    r.add("POST", "/api/v1/my/registrations/{token}/meeting-requests/{mid}/" + what,
          [&s, what](const request& req, const route_match& m, responder done) {
            if (!begin_bodiless(s, req, m, done)) return;
            auto token = m.params.at("token");
            auto reg = s.db.find_by_manage_token(token);
            if (!reg) return done(unknown_token());
            auto e = s.db.get_event(reg->event_id);
            if (!e) return done(unknown_token());
            auto answer = reply<domain::meeting>(std::move(done), [&s, me = reg->id, e = *e](const domain::meeting& v) {
              return no_store(json_response(200, meeting_json(s, v, me, s.db.meeting_slots(e.id), e.utc_offset_minutes)));
            });
            if (what == "cancel") s.db.withdraw_meeting(std::move(token), m.id("mid"), std::move(answer));
            else s.db.answer_meeting(std::move(token), m.id("mid"), what == "accept", std::move(answer));
          });
  }

  r.add("GET", "/api/v1/my/registrations/{token}/agenda", [&s](const request&, const route_match& m, responder done) {
    auto link = forum_link(s, m.params.at("token"), done);
    if (!link) return;
    done(no_store(json_response(200, {{"items", meetings_json(s, link->first, link->second).agenda}})));
  });

  r.add("GET", "/api/v1/my/registrations/{token}/agenda.ics", [&s](const request&, const route_match& m, responder done) {
    auto link = forum_link(s, m.params.at("token"), done);
    if (!link) return;
    response res;
    res.status = 200;
    res.content_type = "text/calendar; charset=utf-8";
    res.body = agenda_ics(s, link->first, link->second);
    res.headers.emplace_back("Content-Disposition", "attachment; filename=\"agenda-" + std::to_string(link->second.id) + ".ics\"");
    done(no_store(std::move(res)));
  });

  r.add("GET", "/api/v1/events/{id}/meeting-slots", [&s](const request& req, const route_match& m, responder done) {
    auto e = s.db.get_event(m.id("id"));
    if (!e || e->kind != "partner_search_forum") return done(problem(404, "Not found", "no such partner-search forum"));
    if (e->status == domain::event_status::draft) {
      response err;
      if (!require(s, req, domain::role::organiser, err)) return done(problem(404, "Not found", "no such partner-search forum"));
    }
    done(json_response(200, slots_json(s.db.meeting_slots(e->id), e->utc_offset_minutes)));
  });

  r.add("PUT", "/api/v1/events/{id}/meeting-slots", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    domain::field_errors errors;
    reader in(*body, errors);
    const auto tables = in.integer("tables", true);
    std::vector<domain::meeting_slot> slots;
    if (!body->contains("slots") || !(*body)["slots"].is_array()) {
      errors.push_back({"slots", "must be a list of {starts_at, ends_at}"});
    } else if ((*body)["slots"].size() > domain::max_meeting_slots) {
      errors.push_back({"slots", "at most " + std::to_string(domain::max_meeting_slots) + " slots"});
    } else {
      std::size_t i = 0;
      for (const auto& item : (*body)["slots"]) {
        const auto prefix = "slots[" + std::to_string(i++) + "].";
        if (!item.is_object()) {
          errors.push_back({prefix.substr(0, prefix.size() - 1), "must be an object {starts_at, ends_at}"});
          continue;
        }
        reader slot(item, errors, prefix);
        const auto from = slot.time("starts_at", true);
        const auto to = slot.time("ends_at", true);
        if (from && to) slots.push_back({0, from->at, to->at});
      }
    }
    if (errors.empty()) domain::validate_slots(slots, *tables, errors);
    if (!errors.empty()) return done(problem(422, "Invalid fields", "some slots or the number of tables are wrong", errors));
    s.db.set_meeting_slots(e->id, std::move(slots), static_cast<int>(*tables),
                           reply<store::forum_slots>(std::move(done), [offset = e->utc_offset_minutes](const store::forum_slots& f) {
                             return json_response(200, slots_json(f, offset));
                           }));
  });

  r.add("GET", "/api/v1/events/{id}/meetings", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto e = s.db.get_event(m.id("id"));
    if (!e) return done(problem(404, "Not found", "no such event"));
    run_heavy(s, std::move(done), [&s, e = *e] {
      const auto f = s.db.meeting_slots(e.id);
      json items = json::array();
      for (const auto& v : s.db.forum_meetings(e.id)) {
        const auto slot = slot_of(f, v.slot_id);
        items.push_back({{"id", v.id},
                         {"state", std::string(domain::to_string(v.state))},
                         {"from", party_json(s, v.from_registration)},
                         {"to", party_json(s, v.to_registration)},
                         {"message", nullable(v.message)},
                         {"slot", slot ? slot_json(*slot, e.utc_offset_minutes) : json(nullptr)},
                         {"table", v.table ? json(*v.table) : json(nullptr)},
                         {"created_at", domain::format_rfc3339(v.created_at, e.utc_offset_minutes)},
                         {"decided_at", v.decided_at ? json(domain::format_rfc3339(*v.decided_at, e.utc_offset_minutes)) : json(nullptr)}});
      }
      const auto figures = s.db.figures_of_forum(e.id, domain::now());
      json out = slots_json(f, e.utc_offset_minutes);
      out["items"] = std::move(items);
      out["figures"] = {{"profiles", figures.profiles}, {"requests", figures.requests}, {"accepted", figures.accepted},
                        {"held", figures.held}};
      return no_store(json_response(200, out));
    });
  });

  r.add("PATCH", "/api/v1/events/{id}/meetings/{mid}", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    auto body = parse_body(req, err);
    if (!body) return done(err);
    domain::field_errors errors;
    reader in(*body, errors);
    const auto slot = in.integer("slot_id", true);
    const auto table = in.integer("table", true);
    if (table && (*table < 1 || *table > domain::max_meeting_tables)) errors.push_back({"table", "must be a table's number"});
    if (!errors.empty()) return done(problem(422, "Invalid fields", "name the slot and the table", errors));
    const auto event_id = m.id("id");
    s.db.move_meeting(event_id, m.id("mid"), *slot, static_cast<int>(*table),
                      reply<domain::meeting>(std::move(done), [&s, event_id](const domain::meeting& v) {
                        auto e = s.db.get_event(event_id);
                        return json_response(200, meeting_json(s, v, v.from_registration, s.db.meeting_slots(event_id),
                                                               e ? e->utc_offset_minutes : 0));
                      }));
  });

  r.add("POST", "/api/v1/events/{id}/meetings/{mid}/cancel", [&s](const request& req, const route_match& m, responder done) {
    response err;
    if (!require(s, req, domain::role::organiser, err)) return done(err);
    const auto event_id = m.id("id");
    s.db.cancel_meeting(event_id, m.id("mid"), reply<domain::meeting>(std::move(done), [&s, event_id](const domain::meeting& v) {
                          auto e = s.db.get_event(event_id);
                          return json_response(200, meeting_json(s, v, v.from_registration, s.db.meeting_slots(event_id),
                                                                 e ? e->utc_offset_minutes : 0));
                        }));
  });
}

}  // namespace eventd::api
