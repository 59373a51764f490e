// The JSON body readers and validation of each command, through the real handlers on a real SQLite store:
// registration, walk-in, event create and patch, the participant's own patch, check-in, check-in batch, and the
// query strings of the lists. Input: byte 0 picks the route, byte 1 the event id, auth and content type; the rest is
// the body (or, for GET routes, a query string "k=v&k=v", already decoded as the HTTP layer hands it over).
// Sign-in has its own target (fuzz_session).
#include "harness.hpp"

#include "domain/time.hpp"

#include <cstddef>
#include <cstdint>

using namespace eventd;

namespace {

struct route_case {
  const char* method;
  const char* path;  // {id} and {token} are filled in below
};

constexpr route_case routes[] = {
    {"POST", "/api/v1/events/{id}/registrations"},
    {"POST", "/api/v1/events"},
    {"PATCH", "/api/v1/events/{id}"},
    {"POST", "/api/v1/events/{id}/checkins"},
    {"POST", "/api/v1/checkins/batch"},
    {"POST", "/api/v1/events/{id}/walk-ins"},
    {"PATCH", "/api/v1/my/registrations/{token}"},
    {"GET", "/api/v1/events"},
    {"GET", "/api/v1/events/{id}/registrations"},
    // Partner search, at the forum (event 6) by a participant's link ({ftoken}) and by organisers.
    {"PUT", "/api/v1/my/registrations/{ftoken}/profile"},
    {"POST", "/api/v1/my/registrations/{ftoken}/meeting-requests"},
    {"PUT", "/api/v1/events/6/meeting-slots"},
    {"PATCH", "/api/v1/events/6/meetings/1"},
    {"GET", "/api/v1/partners"},
    {"GET", "/api/v1/events/6/profiles"},
    // Accounts: an admin's change to a user (1: the signed-in admin, 2: an organiser), "forgot password". Completing a
    // reset is left out: a well-formed body costs an argon2 hash, which would slow every other input down.
    {"PATCH", "/api/v1/users/{id}"},
    {"POST", "/api/v1/password-reset"},
};
constexpr std::size_t route_count = sizeof routes / sizeof routes[0];

// 1..5 exist (see fixtures), 99 does not; "0" and "x" are no ids at all.
constexpr const char* event_ids[] = {"1", "2", "3", "4", "5", "99", "0", "x"};
constexpr const char* content_types[] = {"application/json", "application/problem+json; charset=utf-8",
                                         "Application/JSON ; charset=utf-8", "text/plain"};

// Rebuilt now and then: registrations and events pile up, and lists over them would slow every later input.
constexpr int inputs_per_database = 4000;

struct fixtures {
  std::unique_ptr<fuzz::app> a;
  std::string manage_token;
  std::string forum_token;  // a participant of the forum, with a profile, asked to meet by another
  int used = 0;

  void build() {
    a.reset();
    a = std::make_unique<fuzz::app>(fuzz::scratch_dir("api"));
    a->sign_in();
    auto& db = *a->db;
    const auto now = domain::now();
    auto event = [&](std::optional<std::int64_t> capacity, domain::event_status status, domain::time_point start) {
      domain::event e;
      e.kind = "seminar";
      e.title = "Fuzzing across borders";
      e.topic = "culture";
      e.starts_at = start;
      e.ends_at = start + 3 * 3600;
      e.capacity = capacity;
      e.status = status;
      return fuzz::wait_ok<domain::event>([&](auto cb) { db.create_event(e, cb); });
    };
    event(2, domain::event_status::published, now + 30 * 86400);                // 1: small, fills up
    event(std::nullopt, domain::event_status::published, now + 30 * 86400);     // 2: unlimited
    event(10, domain::event_status::draft, now + 30 * 86400);                   // 3: draft
    auto cancelled = event(10, domain::event_status::published, now + 30 * 86400);
    fuzz::wait_ok<domain::event>([&](auto cb) { db.cancel_event(cancelled.id, cb); });  // 4: cancelled
    event(10, domain::event_status::published, now - 2 * 86400);                // 5: over
    domain::person_fields p;
    p.name = "Ada Participant";
    p.email = "ada@example.org";
    p.organisation = "Kommunen";
    p.organisation_type = "public";
    p.municipality = "Solna";
    p.gender = "woman";
    auto created = fuzz::wait_ok<store::created_registration>([&](auto cb) { db.register_person(1, p, false, cb); });
    manage_token = created.manage_token;
    fuzz::wait_ok<domain::user>([&](auto cb) {
      db.create_user(domain::user{0, "second@example.org", "Second", domain::role::organiser}, "not-a-hash", cb);
    });

    // 6: a partner-search forum with slots, two participants with profiles and a meeting request between them.
    domain::event forum;
    forum.kind = "partner_search_forum";
    forum.title = "Fuzzing partners";
    forum.starts_at = now + 40 * 86400;
    forum.ends_at = forum.starts_at + 6 * 3600;
    forum.status = domain::event_status::published;
    const auto f = fuzz::wait_ok<domain::event>([&](auto cb) { db.create_event(forum, cb); });
    fuzz::wait_ok<store::forum_slots>([&](auto cb) {
      db.set_meeting_slots(f.id, {{0, f.starts_at + 3600, f.starts_at + 4800}, {0, f.starts_at + 5400, f.starts_at + 6600}}, 4, cb);
    });
    domain::profile_fields pf;
    pf.organisation = "Kommunen";
    pf.summary = "Fuzzing across the Baltic Sea";
    pf.country = "SE";
    pf.focus_areas = {"roma"};
    pf.languages = {"en"};
    std::vector<domain::partner_profile> profiles;
    forum_token.clear();
    for (const char* email : {"bo@example.org", "cy@example.org"}) {
      p.email = email;
      auto r = fuzz::wait_ok<store::created_registration>([&](auto cb) { db.register_person(f.id, p, false, cb); });
      profiles.push_back(fuzz::wait_ok<domain::partner_profile>([&](auto cb) { db.save_profile(r.manage_token, pf, cb); }));
      if (forum_token.empty()) forum_token = r.manage_token;
      else fuzz::wait_ok<domain::meeting>([&](auto cb) { db.request_meeting(r.manage_token, profiles.front().id, std::nullopt, cb); });
    }
  }

  fuzz::app& get() {
    if (!a || ++used > inputs_per_database) {
      build();
      used = 1;
    }
    return *a;
  }
};

fixtures& state() {
  static fixtures f;
  return f;
}

std::string fill_path(std::string path, const char* id, const std::string& token, const std::string& forum_token) {
  if (auto at = path.find("{id}"); at != std::string::npos) path.replace(at, 4, id);
  if (auto at = path.find("{ftoken}"); at != std::string::npos) path.replace(at, 8, forum_token);
  if (auto at = path.find("{token}"); at != std::string::npos) path.replace(at, 7, token);
  return path;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 2) return 0;
  auto& f = state();
  auto& a = f.get();
  const auto& rc = routes[data[0] % route_count];
  const std::uint8_t flags = data[1];
  std::string rest(reinterpret_cast<const char*>(data + 2), size - 2);

  api::request req;
  req.method = rc.method;
  req.path = fill_path(rc.path, event_ids[flags & 7], f.manage_token, f.forum_token);
  req.target = req.path;
  switch ((flags >> 3) & 3) {
    case 0:
    case 1: req.headers["authorization"] = "Bearer " + a.token; break;
    case 2: break;
    case 3: req.headers["cookie"] = std::string(api::session_cookie) + "=" + a.token; break;  // no CSRF header: 403
  }
  req.headers["x-device-id"] = "fuzz-device";
  if (req.method == "GET") {
    // k=v&k=v, the last value winning, as the HTTP layer decodes a query.
    std::size_t pos = 0;
    while (pos <= rest.size()) {
      auto end = rest.find('&', pos);
      if (end == std::string::npos) end = rest.size();
      auto pair = rest.substr(pos, end - pos);
      auto eq = pair.find('=');
      req.query[pair.substr(0, eq)] = eq == std::string::npos ? std::string() : pair.substr(eq + 1);
      pos = end + 1;
    }
  } else {
    req.headers["content-type"] = content_types[(flags >> 5) & 3];
    req.body = std::move(rest);
  }
  fuzz::check_response(req, fuzz::call(a.router, req));
  return 0;
}
