// The OpenAPI document (docs/openapi.json, compiled in) must describe exactly the routes the router has:
// a route without its operation, or an operation without its route, fails here with the difference listed.
#include "api/metrics.hpp"
#include "api/openapi.hpp"
#include "api/router.hpp"
#include "api/services.hpp"
#include "auth/crypto.hpp"
#include "domain/config.hpp"
#include "store/store.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <cctype>
#include <filesystem>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <utility>

#include <unistd.h>

namespace {

using nlohmann::json;
using endpoint = std::pair<std::string, std::string>;  // method (upper case), path template

// The real router, built as the server builds it (src/app/app.cpp), on a throwaway database.
class app_routes {
public:
  app_routes() {
    static std::atomic<int> counter{0};
    dir_ = std::filesystem::temp_directory_path() /
           ("eventd-openapi-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
    std::filesystem::create_directories(dir_);
    eventd::auth::init_crypto();
    cfg_.database = (dir_ / "eventd.db").string();
    cfg_.web = EVENTD_SOURCE_DIR "/web";
    db_ = eventd::store::make_sqlite_store(cfg_);
    services_ = std::make_unique<eventd::api::services>(*db_, cfg_, stats_);
    eventd::api::add_all_routes(router_, *services_);
  }
  ~app_routes() {
    router_ = {};
    services_.reset();
    db_.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir_, ec);
  }
  const eventd::api::router& router() const { return router_; }

private:
  std::filesystem::path dir_;
  eventd::domain::config cfg_;
  std::unique_ptr<eventd::store::store> db_;
  eventd::api::metrics stats_;
  std::unique_ptr<eventd::api::services> services_;
  eventd::api::router router_;
};

json document() {
  const auto text = eventd::api::openapi_document();
  json doc = json::parse(text.begin(), text.end(), nullptr, false);
  return doc;
}

bool is_http_method(const std::string& key) {
  static const std::set<std::string> methods{"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  return methods.count(key) > 0;
}

std::string upper(std::string s) {
  for (auto& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::set<endpoint> documented(const json& doc) {
  std::set<endpoint> out;
  for (const auto& [path, item] : doc.at("paths").items())
    for (const auto& [key, op] : item.items())
      if (is_http_method(key)) out.emplace(upper(key), path);
  return out;
}

std::string listing(const std::set<endpoint>& endpoints) {
  std::ostringstream o;
  for (const auto& [method, path] : endpoints) o << "\n  " << method << " " << path;
  return o.str();
}

// Follows a local "#/components/..." reference; null when it does not resolve.
const json* resolve(const json& doc, const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  const json* node = &doc;
  std::stringstream parts(ref.substr(2));
  std::string part;
  while (std::getline(parts, part, '/')) {
    if (!node->is_object() || !node->contains(part)) return nullptr;
    node = &node->at(part);
  }
  return node;
}

void collect_refs(const json& node, std::set<std::string>& out) {
  if (node.is_object()) {
    for (const auto& [key, value] : node.items()) {
      if (key == "$ref" && value.is_string()) out.insert(value.get<std::string>());
      else collect_refs(value, out);
    }
  } else if (node.is_array()) {
    for (const auto& value : node) collect_refs(value, out);
  }
}

}  // namespace

TEST(openapi, is_json_and_version_3_1) {
  const auto doc = document();
  ASSERT_FALSE(doc.is_discarded()) << "docs/openapi.json is not valid JSON";
  ASSERT_TRUE(doc.is_object());
  ASSERT_TRUE(doc.contains("openapi") && doc.at("openapi").is_string());
  EXPECT_EQ(doc.at("openapi").get<std::string>().rfind("3.1", 0), 0u) << "openapi is " << doc.at("openapi");
  ASSERT_TRUE(doc.contains("paths") && doc.at("paths").is_object());
  ASSERT_TRUE(doc.contains("info") && doc.at("info").contains("title") && doc.at("info").contains("version"));
}

TEST(openapi, documents_exactly_the_routes_of_the_router) {
  const auto doc = document();
  ASSERT_FALSE(doc.is_discarded()) << "docs/openapi.json is not valid JSON";
  app_routes app;

  std::set<endpoint> routes;
  std::set<endpoint> duplicates;
  for (const auto& r : app.router().routes())
    if (!routes.emplace(r.method, r.pattern).second) duplicates.emplace(r.method, r.pattern);
  ASSERT_FALSE(routes.empty()) << "the router has no routes";
  EXPECT_TRUE(duplicates.empty()) << "routes registered twice:" << listing(duplicates);

  auto ops = documented(doc);
  // The WebSocket upgrade is served by the HTTP layer before routing (src/http/server.cpp), and documented too.
  EXPECT_EQ(ops.erase(endpoint{"GET", "/ws"}), 1u) << "GET /ws (live updates) is missing from docs/openapi.json";
  std::set<endpoint> undocumented, phantom;
  for (const auto& e : routes)
    if (!ops.count(e)) undocumented.insert(e);
  for (const auto& e : ops)
    if (!routes.count(e)) phantom.insert(e);

  EXPECT_TRUE(undocumented.empty()) << "routes missing from docs/openapi.json:" << listing(undocumented);
  EXPECT_TRUE(phantom.empty()) << "operations in docs/openapi.json that no route serves:" << listing(phantom);
}

TEST(openapi, every_operation_has_responses_and_declares_its_path_parameters) {
  const auto doc = document();
  ASSERT_FALSE(doc.is_discarded()) << "docs/openapi.json is not valid JSON";
  const std::regex param(R"(\{([^}]+)\})");
  for (const auto& [path, item] : doc.at("paths").items()) {
    std::set<std::string> in_template;
    for (std::sregex_iterator it(path.begin(), path.end(), param), end; it != end; ++it) in_template.insert((*it)[1]);
    for (const auto& [key, op] : item.items()) {
      if (!is_http_method(key)) continue;
      const auto where = upper(key) + " " + path;
      EXPECT_TRUE(op.contains("responses") && op.at("responses").is_object() && !op.at("responses").empty())
          << where << " has no responses";
      std::set<std::string> declared;
      for (const auto* list : {item.contains("parameters") ? &item.at("parameters") : nullptr,
                               op.contains("parameters") ? &op.at("parameters") : nullptr}) {
        if (!list) continue;
        for (const auto& p : *list) {
          const json* resolved = p.contains("$ref") ? resolve(doc, p.at("$ref").get<std::string>()) : &p;
          ASSERT_NE(resolved, nullptr) << where << ": parameter reference does not resolve: " << p;
          if (resolved->value("in", "") == "path") {
            declared.insert(resolved->value("name", ""));
            EXPECT_TRUE(resolved->value("required", false)) << where << ": path parameter must be required";
          }
        }
      }
      EXPECT_EQ(declared, in_template) << where << ": declared path parameters differ from the template";
    }
  }
}

TEST(openapi, every_reference_resolves) {
  const auto doc = document();
  ASSERT_FALSE(doc.is_discarded()) << "docs/openapi.json is not valid JSON";
  std::set<std::string> refs;
  collect_refs(doc, refs);
  for (const auto& ref : refs) EXPECT_NE(resolve(doc, ref), nullptr) << "unresolved $ref " << ref;
  for (const char* name : {"Event", "EventCounts", "Registration", "RegistrationCreated", "User", "Session",
                           "CheckinResult", "Goals", "Problem"})
    EXPECT_TRUE(doc.at("components").at("schemas").contains(name)) << "components.schemas lacks " << name;
}

// On PostgreSQL a handler that may read the store runs off the I/O threads (http::options::offload); only handlers
// that read nothing stay on them. A route added to this list must not read the database.
TEST(routes, only_handlers_that_read_nothing_stay_on_the_io_threads) {
  app_routes app;
  std::set<endpoint> inline_routes;
  for (const auto& r : app.router().routes())
    if (!r.waits_on_store) inline_routes.emplace(r.method, r.pattern);
  const std::set<endpoint> expected = {
      {"GET", "/healthz"}, {"GET", "/metrics"}, {"POST", "/api/v1/events/{id}/registrations"}};
  EXPECT_EQ(inline_routes, expected) << "inline:" << listing(inline_routes);
  const auto waits = [&](const char* method, const char* path) {
    eventd::api::request req;
    req.method = method;
    req.path = path;
    return app.router().waits_on_store(req);
  };
  EXPECT_TRUE(waits("GET", "/api/v1/events/7/registrations"));
  EXPECT_TRUE(waits("HEAD", "/api/v1/events/7"));
  EXPECT_TRUE(waits("GET", "/readyz"));
  EXPECT_FALSE(waits("POST", "/api/v1/events/7/registrations"));
  EXPECT_FALSE(waits("GET", "/healthz"));
  EXPECT_FALSE(waits("GET", "/index.html")) << "static files need no database";
  EXPECT_FALSE(waits("DELETE", "/healthz")) << "a 405 needs no database";
}
