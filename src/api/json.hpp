// JSON in and out: problem details, the shapes of events and registrations, and a reader that collects every bad field.
#pragma once

#include "api/http_types.hpp"
#include "domain/config.hpp"
#include "domain/time.hpp"
#include "domain/types.hpp"
#include "domain/validation.hpp"
#include "store/store.hpp"

#include <nlohmann/json.hpp>

#include <optional>
#include <string>

namespace eventd::api {

using json = nlohmann::json;

response json_response(int status, const json& body);
response problem(int status, std::string title, std::string detail, const domain::field_errors& errors = {},
                 const json& extra = nullptr);
// The problem for a store failure (404, 409, 422 or 503).
response problem_from(const store::failure&);
json problem_json(int status, const std::string& title, const std::string& detail);

json event_json(const domain::event&, domain::time_point now);
json counts_json(const domain::event_counts&);
json registration_json(const domain::registration&);
// The same document as registration_json(r).dump(), plus "manage_token" when given, written directly: the 201 of a
// registration is the hottest answer the server gives.
std::string registration_text(const domain::registration&, const std::string* manage_token = nullptr);
// Appends `v` as a JSON string literal (v must be valid UTF-8, as everything that came through the JSON parser is).
void append_json_string(std::string& out, std::string_view v);
// The same, or null when there is no value.
void append_json_nullable(std::string& out, const std::optional<std::string_view>& v);
// A string, or null when there is no value.
json nullable(const std::optional<std::string_view>&);
json user_json(const domain::user&);

// Parses a JSON object body; on failure `error` holds the 400/415 problem to send.
std::optional<json> parse_body(const request&, response& error);

// Reads fields of a JSON object, noting each missing or mistyped one; the handler validates the rest.
class reader {
public:
  reader(const json& obj, domain::field_errors& errors, std::string prefix = "") : obj_(obj), errors_(errors), prefix_(std::move(prefix)) {}
  bool has(const char* name) const { return obj_.contains(name) && !obj_.at(name).is_null(); }
  std::optional<std::string> text(const char* name, bool required = false);
  // A text that null clears: none when absent (or mistyped, noted), an empty optional for null.
  std::optional<std::optional<std::string>> nullable_text(const char* name);
  std::optional<std::int64_t> integer(const char* name, bool required = false);
  std::optional<double> number(const char* name, bool required = false);
  std::optional<bool> boolean(const char* name, bool required = false);
  std::optional<std::vector<std::string>> words(const char* name, bool required = false);
  // RFC 3339 timestamp
  std::optional<domain::parsed_time> time(const char* name, bool required = false);
  void error(const char* name, std::string message) { errors_.push_back({prefix_ + name, std::move(message)}); }

private:
  const json* get(const char* name, bool required);
  const json& obj_;
  domain::field_errors& errors_;
  std::string prefix_;
};

}  // namespace eventd::api
