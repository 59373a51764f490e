#include "app/app.hpp"

#include "api/services.hpp"
#include "app/config_file.hpp"
#include "app/demo.hpp"
#include "auth/crypto.hpp"
#include "http/server.hpp"

#include <cstdio>
#include <cstdlib>
#include <future>
#include <iostream>
#include <thread>

namespace eventd::app {
namespace {

// The first admin comes from the environment, only while the database has no user at all.
void create_first_admin(store::store& db, const domain::config& cfg) {
  if (db.user_count() > 0) return;
  const char* email = std::getenv("EVENTD_ADMIN_EMAIL");
  const char* password = std::getenv("EVENTD_ADMIN_PASSWORD");
  if (!email || !password || !*email || !*password) {
    std::cerr << "{\"level\":\"warn\",\"msg\":\"no users yet: set EVENTD_ADMIN_EMAIL and EVENTD_ADMIN_PASSWORD to create the first admin\"}\n";
    return;
  }
  if (!domain::valid_email(email)) throw config_error("EVENTD_ADMIN_EMAIL is not a valid e-mail address");
  if (std::string(password).size() < 10) throw config_error("EVENTD_ADMIN_PASSWORD must have at least 10 characters");
  std::promise<store::outcome<domain::user>> p;
  auto f = p.get_future();
  db.create_user(domain::user{0, email, "Administrator", domain::role::admin},
                 auth::hash_password(password, cfg.password_cost == "moderate"),
                 [&p](store::outcome<domain::user> r) { p.set_value(std::move(r)); });
  auto r = f.get();
  if (!r.ok()) throw std::runtime_error("could not create the first admin: " + r.error().detail);
}

}  // namespace

int run(int argc, char** argv) {
  launch l;
  try {
    l = read_launch(argc, argv);
  } catch (const config_error& e) {
    std::cerr << "eventd: configuration error: " << e.what() << "\n";
    return 2;
  }
  if (l.help) {
    std::cout << usage();
    return 0;
  }
  try {
    auth::init_crypto();
    auto& cfg = l.cfg;
    const auto colon = cfg.listen.rfind(':');
    http::options opts;
    opts.host = cfg.listen.substr(0, colon);
    if (opts.host.size() > 2 && opts.host.front() == '[') opts.host = opts.host.substr(1, opts.host.size() - 2);
    opts.port = static_cast<unsigned short>(std::stoi(cfg.listen.substr(colon + 1)));
    opts.threads = cfg.threads > 0 ? cfg.threads : std::max(1u, std::thread::hardware_concurrency());
    opts.body_limit = cfg.body_limit;
    opts.header_limit = cfg.header_limit;
    opts.header_timeout_seconds = cfg.header_timeout_seconds;
    opts.idle_timeout_seconds = cfg.idle_timeout_seconds;
    opts.max_connections = cfg.max_connections;
    opts.log_requests = !l.quiet;

    auto db = store::make_sqlite_store(cfg);
    create_first_admin(*db, cfg);
    if (l.demo) {
      const int n = load_demo(*db, cfg);
      if (n > 0) std::cerr << "{\"level\":\"info\",\"msg\":\"demo data loaded\",\"events\":" << n << "}\n";
    }
    api::metrics stats;
    api::services services(*db, cfg, stats);
    api::router router;
    api::add_all_routes(router, services);
    auto server = http::make_server(opts, router, stats);
    const auto url = server->listen();
    std::cout << "listening on " << url << std::endl;
    server->run();
    server.reset();
    db.reset();  // the writer drains its queue; closing the last connection checkpoints the WAL
    std::cerr << "{\"level\":\"info\",\"msg\":\"stopped\"}\n";
    return 0;
  } catch (const config_error& e) {
    std::cerr << "eventd: configuration error: " << e.what() << "\n";
    return 2;
  } catch (const std::exception& e) {
    std::cerr << "eventd: " << e.what() << "\n";
    return 1;
  }
}

}  // namespace eventd::app
