// Shared by the fuzz targets: a real store, services and router in a scratch folder, and the checks every answer
// must pass. Header-only so each target stays one translation unit plus this.
#pragma once

#include "api/services.hpp"
#include "auth/crypto.hpp"
#include "store/database.hpp"

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <future>
#include <memory>
#include <string>
#include <string_view>
#include <unistd.h>

namespace eventd::fuzz {

// Prints why and aborts, so libFuzzer records the input as a crash.
[[noreturn]] inline void fail(const std::string& why, const api::request& req, const api::response& res) {
  std::fprintf(stderr, "fuzz check failed: %s\n  %s %s\n  -> %d %s\n  %.2000s\n", why.c_str(), req.method.c_str(),
               req.path.c_str(), res.status, res.content_type.c_str(), res.body.c_str());
  std::abort();
}

// What every answer must be: no 5xx, errors as problem+json, JSON bodies that parse.
inline void check_response(const api::request& req, const api::response& res) {
  if (res.status < 100 || res.status >= 500) fail("status out of range or a server error", req, res);
  if (res.status >= 400 && res.content_type != "application/problem+json") fail("an error that is not problem+json", req, res);
  const bool is_json = res.content_type == "application/json" || res.content_type == "application/problem+json";
  if (is_json && !res.body.empty() && api::json::parse(res.body, nullptr, false).is_discarded())
    fail("a JSON answer that does not parse", req, res);
}

// Dispatches and waits for the answer, which may come from the writer thread; runs its deferred part here, as the
// connection's thread would.
inline api::response call(const api::router& r, const api::request& req) {
  auto promise = std::make_shared<std::promise<api::response>>();
  auto future = promise->get_future();
  r.dispatch(req, [promise](api::response res) { promise->set_value(std::move(res)); });
  if (future.wait_for(std::chrono::seconds(20)) != std::future_status::ready) {
    std::fprintf(stderr, "fuzz check failed: no answer within 20 s to %s %s\n", req.method.c_str(), req.path.c_str());
    std::abort();
  }
  auto res = future.get();
  res.complete();
  return res;
}

// A folder of our own, in memory when /dev/shm exists (the writer syncs every commit).
inline std::filesystem::path scratch_dir(const char* name) {
  std::error_code ec;
  std::filesystem::path base = std::filesystem::is_directory("/dev/shm", ec) ? "/dev/shm" : std::filesystem::temp_directory_path();
  auto dir = base / (std::string("eventd-fuzz-") + name + "-" + std::to_string(::getpid()));
  std::filesystem::remove_all(dir, ec);
  std::filesystem::create_directories(dir);
  return dir;
}

// Waits for a store callback (only at set-up).
template <class T, class Start>
T wait_ok(Start&& start) {
  auto promise = std::make_shared<std::promise<store::outcome<T>>>();
  auto future = promise->get_future();
  start([promise](store::outcome<T> o) { promise->set_value(std::move(o)); });
  auto o = future.get();
  if (!o.ok()) {
    std::fprintf(stderr, "fuzz set-up failed: %s\n", o.error().detail.c_str());
    std::abort();
  }
  return std::move(o.value());
}

// The whole API over a fresh database. The ticket key is fixed, so ticket codes in the seed corpus stay valid.
struct app {
  std::filesystem::path dir;
  domain::config cfg;
  std::unique_ptr<store::store> db;
  api::metrics stats;
  std::unique_ptr<api::services> services;
  api::router router;
  std::string token = "fuzz-organiser-token-0123456789abcdef";

  explicit app(const std::filesystem::path& folder) : dir(folder) {
    auth::init_crypto();
    cfg.database = (dir / "fuzz.db").string();
    cfg.web = (dir / "web").string();
    cfg.mail = "off";
    store::migrate(cfg.database);
    {
      store::sqlite_connection c(cfg.database, true);
      c.db().exec("INSERT OR IGNORE INTO settings(key, value) VALUES ('ticket_key', '000102030405060708090a0b0c0d0e0f')");
    }
    db = store::make_sqlite_store(cfg);
    services = std::make_unique<api::services>(*db, cfg, stats);
    api::add_all_routes(router, *services);
  }

  ~app() {
    services.reset();
    db.reset();
    std::error_code ec;
    std::filesystem::remove_all(dir, ec);
  }

  // A signed-in organiser (admin), by a session written straight into the store.
  void sign_in() {
    auto u = wait_ok<domain::user>([&](auto cb) {
      db->create_user(domain::user{0, "organiser@example.org", "Organiser", domain::role::admin}, "not-a-hash", cb);
    });
    wait_ok<bool>([&](auto cb) {
      db->create_session(u.id, auth::sha256_hex(token), "fuzz-csrf", domain::now() + 10 * 365 * 86400, cb);
    });
  }
};

}  // namespace eventd::fuzz
