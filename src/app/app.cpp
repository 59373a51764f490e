#include "app/app.hpp"
#include "store/postgres/postgres.hpp"

#include "api/services.hpp"
#include "app/config_file.hpp"
#include "app/tools.hpp"
#include "app/demo.hpp"
#include "app/erasure_journal.hpp"
#include "auth/crypto.hpp"
#include "auth/rate_limit.hpp"
#include "domain/time.hpp"
#include "http/server.hpp"
#include "support/log.hpp"
#include "support/suspend.hpp"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <cstdlib>
#include <future>
#include <iostream>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include <sys/resource.h>

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

// Each connection is a file descriptor: raise the soft limit to the hard one, and when even that is too small for
// max_connections and live_max_connections together (plus room for the database, mail and logs), lower them and say so.
void fit_connections_to_file_limit(int& max_connections, int& live_max_connections) {
  constexpr rlim_t reserve = 128;
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return;
  if (lim.rlim_cur < lim.rlim_max) {
    rlimit raised = lim;
    raised.rlim_cur = lim.rlim_max;
    if (setrlimit(RLIMIT_NOFILE, &raised) == 0) lim = raised;
  }
  if (lim.rlim_cur == RLIM_INFINITY) return;
  // Every HTTP connection and every live one holds a descriptor. When both caps together exceed the room, each gets
  // its configured share of it (at least 16), so neither is starved by the other.
  const rlim_t room = lim.rlim_cur > reserve * 2 ? lim.rlim_cur - reserve : lim.rlim_cur / 2;
  const auto http = static_cast<rlim_t>(std::max(max_connections, 0));
  const auto live = static_cast<rlim_t>(std::max(live_max_connections, 0));
  if (http + live <= room) return;
  const auto fit = [&](int& value, rlim_t share, const char* name) {
    const int fitted = static_cast<int>(std::max<rlim_t>(share, 16));
    if (fitted >= value) return;
    std::cerr << "{\"level\":\"warn\",\"msg\":\"" << name << " lowered to fit the open-file limit\",\"configured\":"
              << value << ",\"now\":" << fitted << ",\"file_limit\":" << lim.rlim_cur << "}\n";
    value = fitted;
  };
  const rlim_t http_share = room * http / (http + live);
  fit(max_connections, http_share, "max_connections");
  fit(live_max_connections, room - http_share, "live_max_connections");
}

// Erases personal data of past events once the retention period has run out: at start and every six hours.
class retention_sweeper {
public:
  retention_sweeper(store::store& db, int retention_days) : db_(db), days_(retention_days), thread_([this] { run(); }) {}
  ~retention_sweeper() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_one();
    thread_.join();
  }

private:
  void run() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      // With several nodes on one database, one sweeps; the others look again each minute in case it has gone.
      if (!db_.background_turn()) {
        lock.lock();
        wake_.wait_for(lock, std::chrono::minutes(1), [&] { return stopping_; });
        continue;
      }
      db_.erase_ended_before(domain::now() - static_cast<domain::time_point>(days_) * 86400, [](store::outcome<std::int64_t> r) {
        if (r.ok() && r.value() > 0)
          std::cerr << "{\"level\":\"info\",\"msg\":\"retention: personal data erased\",\"registrations\":" << r.value() << "}\n";
      });
      lock.lock();
      wake_.wait_for(lock, std::chrono::hours(6), [&] { return stopping_; });
    }
  }
  store::store& db_;
  int days_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

// The rest of a stop, after the HTTP drain, gets as long again (`seconds`): then every wait for the database is cut
// short (support::cancel_waits), so that a database gone silent cannot hold the stop for its connections' limits.
// A stop with the database answering ends well before.
class stop_deadline {
public:
  explicit stop_deadline(int seconds)
      : thread_([this, seconds] {
          std::unique_lock lock(mutex_);
          if (!done_wake_.wait_for(lock, std::chrono::seconds(seconds), [&] { return done_; })) {
            support::log_fault("warn", "stopping: still waiting after the deadline", "waits for the database are cut short");
            support::cancel_waits();
          }
        }) {}
  ~stop_deadline() {
    {
      std::lock_guard lock(mutex_);
      done_ = true;
    }
    done_wake_.notify_one();
    thread_.join();
  }
  stop_deadline(const stop_deadline&) = delete;
  stop_deadline& operator=(const stop_deadline&) = delete;

private:
  std::mutex mutex_;
  std::condition_variable done_wake_;
  bool done_ = false;
  std::thread thread_;
};

}  // namespace

int run(int argc, char** argv) {
  if (auto code = run_tool(std::vector<std::string>(argv + 1, argv + argc))) return *code;
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
    // Swedish time comes from the tz database: without it, stop here and say so.
    domain::load_time_zone();
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
    opts.max_connections_per_address = cfg.max_connections_per_address;
    opts.drain_seconds = cfg.shutdown_drain_seconds;
    std::vector<auth::ip_network> proxies;
    for (const auto& p : cfg.trusted_proxies)
      if (auto n = auth::parse_network(p)) proxies.push_back(*n);
    opts.uncapped_peer = [proxies](const std::string& address) {
      const auto ip = auth::parse_ip(address);
      if (!ip) return false;
      for (const auto& n : proxies)
        if (n.contains(*ip)) return true;
      return false;
    };
    int live_max_connections = cfg.live_max_connections;
    fit_connections_to_file_limit(opts.max_connections, live_max_connections);
    opts.log_requests = !l.quiet;

    // An erasure notice needs a mail server: the .eml folder keeps nothing of an erased person.
    if (const char* smtp = std::getenv("EVENTD_SMTP_URL"); smtp && *smtp) cfg.erasure_notices = true;
    auto db = store::make_store(cfg);
    create_first_admin(*db, cfg);
    if (l.demo) {
      const int n = load_demo(*db, cfg);
      if (n > 0) std::cerr << "{\"level\":\"info\",\"msg\":\"demo data loaded\",\"events\":" << n << "}\n";
      apply_demo_programme(*db, cfg);
    }
    {
      // Everything that uses the store lives in this scope and is gone before the store closes.
      api::metrics stats;
      const char* smtp = std::getenv("EVENTD_SMTP_URL");
      const std::string smtp_url = smtp ? smtp : "";
      if (!smtp_url.empty() && smtp_url.rfind("smtp://", 0) != 0 && smtp_url.rfind("smtps://", 0) != 0)
        throw config_error("EVENTD_SMTP_URL must start with smtp:// or smtps://");
      if (const char* from = std::getenv("EVENTD_MAIL_FROM"); from && *from) cfg.mail_from = from;
      const auto db_dir = std::filesystem::path(cfg.database).parent_path();
      api::services services(*db, cfg, stats);
      // The sender starts at once: messages an earlier run left in the outbox go out first.
      std::unique_ptr<api::mail_sender> mail;
      if (cfg.mail == "outbox") {
        api::mail_settings ms;
        ms.folder = !cfg.outbox_dir.empty()              ? cfg.outbox_dir
                    : store::is_postgres_url(cfg.database) ? std::string("outbox")
                                                           : ((db_dir.empty() ? std::filesystem::path(".") : db_dir) / "outbox").string();
        ms.from = cfg.mail_from;
        ms.smtp_url = smtp_url;
        ms.retry_seconds = cfg.mail_retry_seconds;
        ms.retry_max_seconds = cfg.mail_retry_max_seconds;
        ms.reminder_seconds = static_cast<std::int64_t>(cfg.mail_reminder_hours) * 3600;
        ms.schedule_every_seconds = cfg.mail_schedule_seconds;
        mail = std::make_unique<api::mail_sender>(*db, ms, [&services](const store::mail_item& item, api::round_events& events) {
          return api::compose_queued(services, item, events);
        });
      }
      services.mail = mail.get();
      // Live topics: kept by the hub's thread (goals by a tally following the commits, the others read from the
      // store once per change burst). Outlives the server's io_context (connections still queued there hold its
      // clients).
      api::live_goals live_goals(services);
      services.goals = &live_goals;
      live::hub hub(api::live_topics(services, live_goals));
      // Erasures people asked for since the backup this database may have been restored from are made again before
      // anyone is served; then each new one is journalled as it commits.
      std::unique_ptr<erasure_journal> journal;
      const std::string journal_path = cfg.erasure_journal == "off"            ? std::string()
                                       : !cfg.erasure_journal.empty()          ? cfg.erasure_journal
                                       : store::is_postgres_url(cfg.database) ? std::string()
                                                                               : cfg.database + ".erasures";
      if (!journal_path.empty()) {
        int skipped = 0;
        auto entries = erasure_journal::read(journal_path, &skipped);
        if (!entries.empty() || skipped > 0) {
          std::promise<store::outcome<std::vector<store::erasure_entry>>> replayed;
          auto done = replayed.get_future();
          db->erase_again(entries, [&replayed](store::outcome<std::vector<store::erasure_entry>> r) { replayed.set_value(std::move(r)); });
          auto r = done.get();
          if (!r.ok()) throw std::runtime_error("the erasure journal could not be applied: " + r.error().detail);
          erasure_journal::rewrite(journal_path, r.value());
          std::cerr << "{\"level\":\"info\",\"msg\":\"erasure journal applied\",\"entries\":" << entries.size()
                    << ",\"kept\":" << r.value().size() << ",\"unreadable_lines\":" << skipped << "}\n";
        }
        journal = std::make_unique<erasure_journal>(journal_path);
      }
      // Side effects start from the writer's commit hook, one mechanism for all of them (docs/ARCHITECTURE.md).
      db->on_commit([&services, &hub, &live_goals, &journal](const std::vector<store::change>& changes) {
        if (journal) journal->note(changes);  // first: the record of an erasure before anything else is told of it
        live_goals.note(changes);  // before the hub hears of them: its refresh reads what they touched
        services.profiles.note(changes);
        hub.changed(changes);
        api::mail_after_commit(services, changes);
        api::accounts_after_commit(services, changes);
      });
      api::router router;
      api::add_all_routes(router, services);
      http::live_settings live;
      live.hub = &hub;
      live.role_of = [&services](const api::request& req) -> std::optional<domain::role> {
        auto p = api::authenticate(services, req);
        if (!p) return std::nullopt;
        return p->user.role;
      };
      live.role_of_token = [&services](const std::string& token) -> std::optional<domain::role> {
        api::request req;
        req.headers["authorization"] = "Bearer " + token;
        auto p = api::authenticate(services, req);
        if (!p) return std::nullopt;
        return p->user.role;
      };
      live.registration_of = [&services](const std::string& token) -> std::optional<domain::id_t> {
        if (!api::plausible_token(token)) return std::nullopt;
        auto r = services.db.find_by_manage_token(token);
        if (!r) return std::nullopt;
        return r->id;
      };
      live.token_of = [](const api::request& req) { return api::session_token(req); };
      live.recheck_seconds = cfg.live_recheck_seconds;
      live.allowed_origins = cfg.allowed_origins;
      live.max_connections = live_max_connections;
      live.max_connections_per_address = cfg.live_max_connections_per_address;
      live.idle_timeout_seconds = cfg.live_idle_timeout_seconds;
      http::live_gateway gateway(live);
      opts.live = &gateway;
      auto sweeper = std::make_unique<retention_sweeper>(*db, cfg.retention_days);
      // PostgreSQL: a read waits for a network round trip. API handlers that may read run as fibers on the I/O
      // threads, suspended while they wait (http::options::fibers); or, with postgres_handlers "threads", on threads
      // of their own, as many as read connections may be open (http::options::offload).
      std::unique_ptr<api::blocking_pool> handlers;
      if (store::is_postgres_url(cfg.database) && cfg.postgres_handlers == "fibers") {
        opts.fibers = true;
        opts.max_fibers = std::clamp(cfg.max_read_connections, 2, 1024);
      } else if (store::is_postgres_url(cfg.database)) {
        handlers = std::make_unique<api::blocking_pool>(0, 4096, std::clamp(cfg.max_read_connections, 2, 64));
        opts.offload = [&handlers](std::function<void()> f) { return handlers->post(std::move(f)); };
      }
      auto server = http::make_server(opts, router, stats);
      const auto url = server->listen();
      std::cout << "listening on " << url << std::endl;

      // The one stop order (docs/ARCHITECTURE.md, Stopping). run() returns once the signal came, in-flight
      // requests finished (or the drain deadline passed) and the I/O threads ended; the io_context itself stays,
      // so that answers still on their way from the writer or a pool have somewhere to go.
      server->run();
      stop_deadline deadline(cfg.shutdown_drain_seconds);
      hub.stop();            // live sockets are closed (1001): nothing more to publish
      sweeper.reset();       // background jobs: no new writes
      if (handlers) handlers->stop();  // handlers still queued run (the writer still takes their writes)
      // A last round of the outbox (the last commits' messages), recorded while the writer still takes writes;
      // what it leaves stays queued for the next start.
      if (mail) mail->stop();
      db->stop_writes();     // the writer commits what is queued and answers every caller; later writes are refused
      services.slow.stop();  // queued work runs to the end
      services.reads.stop();  // heavy reads still queued are answered (into the stopped io_context)
      db->on_commit(nullptr);  // the writer has stopped: nothing calls it any more
      server.reset();       // last: the io_context, with whatever answers it still held
    }
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
