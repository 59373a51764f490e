#include "api/json.hpp"

#include "api/registration_view.hpp"
#include "domain/evaluation_rules.hpp"
#include "domain/time.hpp"

#include <algorithm>
#include <cstdio>
#include <vector>

namespace eventd::api {

response json_response(int status, const json& body) {
  response r;
  r.status = status;
  r.body = body.dump(-1, ' ', false, json::error_handler_t::replace);
  return r;
}

json problem_json(int status, const std::string& title, const std::string& detail) {
  return {{"type", "about:blank"}, {"title", title}, {"status", status}, {"detail", detail}};
}

response problem(int status, std::string title, std::string detail, const domain::field_errors& errors, const json& extra) {
  json body = problem_json(status, title, detail);
  if (!errors.empty()) {
    body["errors"] = json::array();
    // One entry per field: the first problem found is the one to fix (a missing field is not also "too short").
    std::vector<std::string> seen;
    for (const auto& e : errors) {
      if (std::find(seen.begin(), seen.end(), e.field) != seen.end()) continue;
      seen.push_back(e.field);
      body["errors"].push_back({{"field", e.field}, {"message", e.message}});
    }
  }
  if (extra.is_object())
    for (auto it = extra.begin(); it != extra.end(); ++it) body[it.key()] = it.value();
  auto r = json_response(status, body);
  r.content_type = "application/problem+json";
  return r;
}

response problem_from(const store::failure& f) {
  json extra = json::object();
  for (const auto& [k, v] : f.facts) extra[k] = v;
  for (const auto& [k, v] : f.figures) extra[k] = v;
  switch (f.code) {
    case store::errc::not_found: return problem(404, "Not found", f.detail, f.errors, extra);
    case store::errc::conflict: return problem(409, "Conflict", f.detail, f.errors, extra);
    case store::errc::precondition_failed: return problem(412, "Precondition failed", f.detail, f.errors, extra);
    case store::errc::invalid: return problem(422, "Invalid fields", f.detail, f.errors, extra);
    case store::errc::unavailable: break;
  }
  auto r = problem(503, "Service unavailable", f.detail, {}, extra);
  r.headers.emplace_back("Retry-After", "1");
  return r;
}

namespace {
json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
json opt(const std::optional<std::int64_t>& v) { return v ? json(*v) : json(nullptr); }
}  // namespace

json counts_json(const domain::event_counts& c) {
  return {{"confirmed", c.confirmed}, {"waitlisted", c.waitlisted}, {"checked_in", c.checked_in},
          {"walk_ins", c.walk_ins},   {"capacity", opt(c.capacity)}, {"available", opt(c.available())}};
}

json event_json(const domain::event& e, domain::time_point now) {
  const int off = e.utc_offset_minutes;
  json j = {{"id", e.id},
            {"kind", e.kind},
            {"title", e.title},
            {"description", e.description},
            {"starts_at", domain::format_rfc3339(e.starts_at, off)},
            {"ends_at", domain::format_rfc3339(e.ends_at, off)},
            {"capacity", opt(e.capacity)},
            {"focus_area", opt(e.focus_area)},
            {"topic", opt(e.topic)},
            {"network", opt(e.network)},
            {"organised_by_project", e.organised_by_project},
            {"registration_closes_at", domain::format_rfc3339(e.closes_at(), off)},
            {"language", e.language},
            {"status", std::string(domain::to_string(e.status))},
            {"venue", nullptr},
            {"registration_open", e.registration_open(now)},
            {"counts", counts_json(e.counts)},
            {"created_at", domain::format_rfc3339(e.created_at, off)},
            {"updated_at", domain::format_rfc3339(e.updated_at, off)},
            {"version", e.version},
            {"evaluation_closes_at", domain::format_rfc3339(domain::evaluation_closes_at(e), off)}};
  if (e.place) j["venue"] = {{"name", e.place->name}, {"address", e.place->address}, {"accessibility", e.place->accessibility}};
  return j;
}

json registration_json(const domain::registration& r) {
  const auto v = view_of(r);
  const int off = domain::stockholm_offset_minutes(v.created_at);
  json needs = json::array();
  for (const auto& n : v.accessibility_needs) needs.push_back(n);
  return {{"id", v.id},
          {"event_id", v.event_id},
          {"status", std::string(domain::to_string(v.status))},
          {"waitlist_position", opt(v.waitlist_position)},
          {"ticket_code", v.ticket_code},
          {"name", nullable(v.name)},
          {"email", nullable(v.email)},
          {"organisation", nullable(v.organisation)},
          {"organisation_type", v.organisation_type},
          {"municipality", nullable(v.municipality)},
          {"country", nullable(v.country)},
          {"home_region", v.home_region},
          {"gender", v.gender},
          {"accessibility_needs", std::move(needs)},
          {"accessibility_note", nullable(v.accessibility_note)},
          {"dietary", nullable(v.dietary)},
          {"language", v.language},
          {"walk_in", v.walk_in},
          {"checked_in_at", v.checked_in_at ? json(domain::format_rfc3339(*v.checked_in_at, domain::stockholm_offset_minutes(*v.checked_in_at))) : json(nullptr)},
          {"checkin_forced", v.checkin_forced},
          {"created_at", domain::format_rfc3339(v.created_at, off)},
          {"cancelled_at", v.cancelled_at ? json(domain::format_rfc3339(*v.cancelled_at, off)) : json(nullptr)},
          {"erased", v.erased}};
}

void append_json_string(std::string& out, std::string_view v) {
  out += '"';
  for (char ch : v) {
    const auto c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        if (c < 0x20) {
          char buf[8];
          std::snprintf(buf, sizeof buf, "\\u%04x", c);
          out += buf;
        } else {
          out += ch;
        }
    }
  }
  out += '"';
}

void append_json_nullable(std::string& out, const std::optional<std::string_view>& v) {
  if (v) append_json_string(out, *v); else out += "null";
}

json nullable(const std::optional<std::string_view>& v) { return v ? json(*v) : json(nullptr); }

std::string registration_text(const domain::registration& r, const std::string* manage_token) {
  const auto v = view_of(r);
  const int off = domain::stockholm_offset_minutes(v.created_at);
  std::string o;
  o.reserve(768);
  auto key = [&](const char* k) {
    o += o.size() == 1 ? "\"" : ",\"";
    o += k;
    o += "\":";
  };
  auto text = [&](const char* k, std::string_view t) { key(k); append_json_string(o, t); };
  auto optional_text = [&](const char* k, const std::optional<std::string_view>& t) { key(k); append_json_nullable(o, t); };
  auto boolean = [&](const char* k, bool b) { key(k); o += b ? "true" : "false"; };
  auto time = [&](const char* k, const std::optional<domain::time_point>& t, int offset) {
    key(k);
    if (t) { o += '"'; o += domain::format_rfc3339(*t, offset); o += '"'; } else o += "null";
  };
  // Keys in the order nlohmann's object (a std::map) writes them, so both ways give the same bytes.
  o += '{';
  key("accessibility_needs");
  o += '[';
  for (std::size_t i = 0; i < v.accessibility_needs.size(); ++i) {
    if (i) o += ',';
    append_json_string(o, v.accessibility_needs[i]);
  }
  o += ']';
  optional_text("accessibility_note", v.accessibility_note);
  time("cancelled_at", v.cancelled_at, off);
  time("checked_in_at", v.checked_in_at, v.checked_in_at ? domain::stockholm_offset_minutes(*v.checked_in_at) : 0);
  boolean("checkin_forced", v.checkin_forced);
  optional_text("country", v.country);
  time("created_at", v.created_at, off);
  optional_text("dietary", v.dietary);
  optional_text("email", v.email);
  boolean("erased", v.erased);
  key("event_id");
  o += std::to_string(v.event_id);
  text("gender", v.gender);
  boolean("home_region", v.home_region);
  key("id");
  o += std::to_string(v.id);
  text("language", v.language);
  if (manage_token) text("manage_token", *manage_token);
  optional_text("municipality", v.municipality);
  optional_text("name", v.name);
  optional_text("organisation", v.organisation);
  text("organisation_type", v.organisation_type);
  text("status", domain::to_string(v.status));
  text("ticket_code", v.ticket_code);
  key("waitlist_position");
  o += v.waitlist_position ? std::to_string(*v.waitlist_position) : "null";
  boolean("walk_in", v.walk_in);
  o += '}';
  return o;
}

json user_json(const domain::user& u) {
  json out{{"id", u.id}, {"email", u.email}, {"name", u.name}, {"role", std::string(domain::to_string(u.role))},
           {"active", u.active}, {"password_reset_pending", u.password_reset_pending}};
  if (u.created_at > 0) out["created_at"] = domain::format_rfc3339(u.created_at);
  return out;
}

std::optional<json> parse_body(const request& req, response& error) {
  const auto& ct = req.header("content-type");
  const auto semi = ct.find(';');
  std::string media = ct.substr(0, semi);
  for (auto& c : media) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  while (!media.empty() && media.back() == ' ') media.pop_back();
  if (media != "application/json" && !(media.size() > 5 && media.substr(media.size() - 5) == "+json")) {
    error = problem(415, "Unsupported media type", "send the body as application/json");
    return std::nullopt;
  }
  // nlohmann keeps the last of two equal keys, so `"consent":false, ..., "consent":true` would pass as true: count the
  // keys each object was sent with and refuse the body when its parsed object holds fewer.
  std::vector<std::size_t> keys_sent;
  bool repeated = false;
  json j = json::parse(
      req.body,
      [&](int, json::parse_event_t event, json& parsed) {
        switch (event) {
          case json::parse_event_t::object_start: keys_sent.push_back(0); break;
          case json::parse_event_t::key: ++keys_sent.back(); break;
          case json::parse_event_t::object_end:
            if (parsed.size() != keys_sent.back()) repeated = true;
            keys_sent.pop_back();
            break;
          default: break;
        }
        return true;
      },
      false);
  if (j.is_discarded()) {
    error = problem(400, "Malformed JSON", "the body is not valid JSON");
    return std::nullopt;
  }
  if (repeated) {
    error = problem(400, "Malformed JSON", "the body names a key twice in one object; send each key once");
    return std::nullopt;
  }
  if (!j.is_object()) {
    error = problem(400, "Malformed JSON", "the body must be a JSON object");
    return std::nullopt;
  }
  return j;
}

const json* reader::get(const char* name, bool required) {
  if (!obj_.contains(name) || obj_.at(name).is_null()) {
    if (required) errors_.push_back({prefix_ + name, "is required"});
    return nullptr;
  }
  return &obj_.at(name);
}

std::optional<std::string> reader::text(const char* name, bool required) {
  const json* v = get(name, required);
  if (!v) return std::nullopt;
  if (!v->is_string()) {
    error(name, "must be a string");
    return std::nullopt;
  }
  return v->get<std::string>();
}

std::optional<std::int64_t> reader::integer(const char* name, bool required) {
  const json* v = get(name, required);
  if (!v) return std::nullopt;
  if (!v->is_number_integer()) {
    error(name, "must be a whole number");
    return std::nullopt;
  }
  return v->get<std::int64_t>();
}

std::optional<std::optional<std::string>> reader::nullable_text(const char* name) {
  if (!obj_.contains(name)) return std::nullopt;
  if (obj_.at(name).is_null()) return std::optional<std::string>();
  if (auto v = text(name)) return std::optional<std::string>(std::move(*v));
  return std::nullopt;
}

std::optional<double> reader::number(const char* name, bool required) {
  const json* v = get(name, required);
  if (!v) return std::nullopt;
  if (!v->is_number()) {
    error(name, "must be a number");
    return std::nullopt;
  }
  return v->get<double>();
}

std::optional<bool> reader::boolean(const char* name, bool required) {
  const json* v = get(name, required);
  if (!v) return std::nullopt;
  if (!v->is_boolean()) {
    error(name, "must be true or false");
    return std::nullopt;
  }
  return v->get<bool>();
}

std::optional<std::vector<std::string>> reader::words(const char* name, bool required) {
  const json* v = get(name, required);
  if (!v) return std::nullopt;
  if (!v->is_array() || v->size() > 64) {
    error(name, "must be a list of at most 64 strings");
    return std::nullopt;
  }
  std::vector<std::string> out;
  for (const auto& w : *v) {
    if (!w.is_string() || w.get_ref<const std::string&>().size() > 200) {
      error(name, "must be a list of at most 64 strings");
      return std::nullopt;
    }
    out.push_back(w.get<std::string>());
  }
  return out;
}

std::optional<domain::parsed_time> reader::time(const char* name, bool required) {
  auto s = text(name, required);
  if (!s) return std::nullopt;
  auto t = domain::parse_rfc3339(*s);
  if (!t) error(name, "must be an RFC 3339 timestamp with offset, e.g. 2026-03-01T09:00:00+01:00");
  return t;
}

}  // namespace eventd::api
