#include "app/config_file.hpp"

#include "auth/rate_limit.hpp"
#include "domain/time.hpp"

#include <nlohmann/json.hpp>

#include <cstdlib>
#include <fstream>
#include <sstream>

namespace eventd::app {
namespace {

using json = nlohmann::json;

[[noreturn]] void bad(const std::string& source, const std::string& key, const std::string& why) {
  throw config_error(source + ": " + key + " " + why);
}

std::string get_string(const json& v, const std::string& source, const std::string& key) {
  if (!v.is_string()) bad(source, key, "must be a string");
  return v.get<std::string>();
}

std::int64_t get_int(const json& v, const std::string& source, const std::string& key, std::int64_t min, std::int64_t max) {
  if (!v.is_number_integer()) bad(source, key, "must be a whole number");
  const auto n = v.get<std::int64_t>();
  if (n < min || n > max) bad(source, key, "must be from " + std::to_string(min) + " to " + std::to_string(max));
  return n;
}

double get_share(const json& v, const std::string& source, const std::string& key) {
  if (!v.is_number()) bad(source, key, "must be a number");
  const double d = v.get<double>();
  if (d < 0 || d > 1) bad(source, key, "must be from 0 to 1");
  return d;
}

std::vector<std::string> get_list(const json& v, const std::string& source, const std::string& key) {
  if (!v.is_array() || v.empty()) bad(source, key, "must be a non-empty list of strings");
  std::vector<std::string> out;
  for (const auto& x : v) {
    if (!x.is_string() || x.get<std::string>().empty()) bad(source, key, "must be a non-empty list of strings");
    out.push_back(x.get<std::string>());
  }
  return out;
}

void check_listen(const std::string& value, const std::string& source, const std::string& key) {
  const auto colon = value.rfind(':');
  if (colon == std::string::npos || colon == 0) bad(source, key, "must be HOST:PORT, e.g. 127.0.0.1:8080");
  const auto port = value.substr(colon + 1);
  if (port.empty() || port.size() > 5 || port.find_first_not_of("0123456789") != std::string::npos || std::stoi(port) > 65535)
    bad(source, key, "must be HOST:PORT with a port from 0 to 65535");
}

}  // namespace

void apply_json(domain::config& cfg, const std::string& text, const std::string& source) {
  json doc = json::parse(text, nullptr, false, true);
  if (doc.is_discarded() || !doc.is_object()) throw config_error(source + ": is not a JSON object");
  for (auto it = doc.begin(); it != doc.end(); ++it) {
    const std::string& key = it.key();
    const json& v = it.value();
    if (key.rfind("_", 0) == 0) continue;  // keys starting with _ are comments
    if (key == "listen") { cfg.listen = get_string(v, source, key); check_listen(cfg.listen, source, key); }
    else if (key == "database") cfg.database = get_string(v, source, key);
    else if (key == "outbox") cfg.outbox_dir = get_string(v, source, key);
    else if (key == "erasure_journal") cfg.erasure_journal = get_string(v, source, key);
    else if (key == "public_url") {
      cfg.public_url = get_string(v, source, key);
      if (cfg.public_url.rfind("http://", 0) != 0 && cfg.public_url.rfind("https://", 0) != 0) bad(source, key, "must start with http:// or https://");
      while (!cfg.public_url.empty() && cfg.public_url.back() == '/') cfg.public_url.pop_back();
    }
    else if (key == "mail_from") cfg.mail_from = get_string(v, source, key);
    else if (key == "mail") {
      cfg.mail = get_string(v, source, key);
      if (cfg.mail != "outbox" && cfg.mail != "off") bad(source, key, "must be \"outbox\" or \"off\"");
    }
    else if (key == "web") cfg.web = get_string(v, source, key);
    else if (key == "threads") cfg.threads = static_cast<int>(get_int(v, source, key, 0, 256));
    else if (key == "body_limit") cfg.body_limit = static_cast<std::uint64_t>(get_int(v, source, key, 1024, 64 << 20));
    else if (key == "header_limit") cfg.header_limit = static_cast<std::uint32_t>(get_int(v, source, key, 1024, 1 << 20));
    else if (key == "header_timeout_seconds") cfg.header_timeout_seconds = static_cast<int>(get_int(v, source, key, 1, 3600));
    else if (key == "idle_timeout_seconds") cfg.idle_timeout_seconds = static_cast<int>(get_int(v, source, key, 1, 3600));
    else if (key == "max_connections") cfg.max_connections = static_cast<int>(get_int(v, source, key, 1, 1000000));
    else if (key == "shutdown_drain_seconds") cfg.shutdown_drain_seconds = static_cast<int>(get_int(v, source, key, 0, 600));
    else if (key == "live_max_connections")
      cfg.live_max_connections = static_cast<int>(get_int(v, source, key, 1, 1000000));
    else if (key == "live_max_connections_per_address")
      cfg.live_max_connections_per_address = static_cast<int>(get_int(v, source, key, 1, 1000000));
    else if (key == "live_idle_timeout_seconds")
      cfg.live_idle_timeout_seconds = static_cast<int>(get_int(v, source, key, 5, 3600));
    else if (key == "live_recheck_seconds")
      cfg.live_recheck_seconds = static_cast<int>(get_int(v, source, key, 1, 3600));
    else if (key == "max_connections_per_address")
      cfg.max_connections_per_address = static_cast<int>(get_int(v, source, key, 1, 1000000));
    else if (key == "allowed_origins") cfg.allowed_origins = v.empty() ? std::vector<std::string>{} : get_list(v, source, key);
    else if (key == "commit_mode") {
      cfg.commit_mode = get_string(v, source, key);
      if (cfg.commit_mode != "group" && cfg.commit_mode != "per_request") bad(source, key, "must be \"group\" or \"per_request\"");
    }
    else if (key == "max_batch") cfg.max_batch = static_cast<int>(get_int(v, source, key, 1, 100000));
    else if (key == "postgres_handlers") {
      cfg.postgres_handlers = get_string(v, source, key);
      if (cfg.postgres_handlers != "fibers" && cfg.postgres_handlers != "threads")
        bad(source, key, "must be \"fibers\" or \"threads\"");
    } else if (key == "postgres_seat_decisions") {
      cfg.postgres_seat_decisions = get_string(v, source, key);
      if (cfg.postgres_seat_decisions != "sql" && cfg.postgres_seat_decisions != "rules")
        bad(source, key, "must be \"sql\" or \"rules\"");
    } else if (key == "postgres_writers") cfg.postgres_writers = static_cast<int>(get_int(v, source, key, 1, 64));
    else if (key == "postgres_statement_timeout_ms")
      cfg.postgres_statement_timeout_ms = static_cast<int>(get_int(v, source, key, 100, 3600000));
    else if (key == "max_read_connections") cfg.max_read_connections = static_cast<int>(get_int(v, source, key, 1, 1024));
    else if (key == "signin_max_failures") cfg.signin_max_failures = static_cast<int>(get_int(v, source, key, 1, 1000));
    else if (key == "signin_window_seconds") cfg.signin_window_seconds = static_cast<int>(get_int(v, source, key, 1, 86400));
    else if (key == "public_write_burst") cfg.public_write_burst = static_cast<int>(get_int(v, source, key, 0, 100000));
    else if (key == "public_write_refill_seconds") cfg.public_write_refill_seconds = static_cast<int>(get_int(v, source, key, 1, 86400));
    else if (key == "mail_reminder_hours") cfg.mail_reminder_hours = static_cast<int>(get_int(v, source, key, 0, 24 * 30));
    else if (key == "mail_schedule_seconds") cfg.mail_schedule_seconds = static_cast<int>(get_int(v, source, key, 1, 3600));
    else if (key == "mail_retry_max_seconds") cfg.mail_retry_max_seconds = static_cast<int>(get_int(v, source, key, 1, 86400));
    else if (key == "mail_retry_seconds") cfg.mail_retry_seconds = static_cast<int>(get_int(v, source, key, 1, 86400));
    else if (key == "mail_per_recipient_per_hour") cfg.mail_per_recipient_per_hour = static_cast<int>(get_int(v, source, key, 0, 10000));
    else if (key == "trusted_proxies") {
      cfg.trusted_proxies = v.is_array() && v.empty() ? std::vector<std::string>{} : get_list(v, source, key);
      for (const auto& p : cfg.trusted_proxies)
        if (!auth::parse_network(p)) bad(source, key, "must list IP addresses or networks (CIDR), e.g. \"10.0.0.0/8\"; \"" + p + "\" is neither");
    }
    else if (key == "password_cost") {
      cfg.password_cost = get_string(v, source, key);
      if (cfg.password_cost != "interactive" && cfg.password_cost != "moderate") bad(source, key, "must be \"interactive\" or \"moderate\"");
    }
    else if (key == "home_municipalities") cfg.home_municipalities = get_list(v, source, key);
    else if (key == "networks") cfg.networks = get_list(v, source, key);
    else if (key == "focus_areas") cfg.focus_areas = get_list(v, source, key);
    else if (key == "seminar_topics") cfg.seminar_topics = get_list(v, source, key);
    else if (key == "retention_days") cfg.retention_days = static_cast<int>(get_int(v, source, key, 1, 36500));
    else if (key == "goals") {
      if (!v.is_object()) bad(source, key, "must be an object");
      for (auto g = v.begin(); g != v.end(); ++g) {
        if (g.key().rfind("_", 0) == 0) continue;  // a comment
        const std::string k = "goals." + g.key();
        if (g.key() == "representation") cfg.goals.representation = get_share(g.value(), source, k);
        else if (g.key() == "user_organisations") cfg.goals.user_organisations = get_share(g.value(), source, k);
        else if (g.key() == "meetings_per_focus_area") cfg.goals.meetings_per_focus_area = static_cast<int>(get_int(g.value(), source, k, 0, 1000));
        else if (g.key() == "partner_search_forums") cfg.goals.partner_search_forums = static_cast<int>(get_int(g.value(), source, k, 0, 1000));
        else if (g.key() == "forum_deadline") {
          cfg.goals.forum_deadline = get_string(g.value(), source, k);
          if (!domain::parse_date(cfg.goals.forum_deadline)) bad(source, k, "must be a date YYYY-MM-DD");
        }
        else if (g.key() == "programme_start" || g.key() == "programme_end") {
          auto& day = g.key() == "programme_start" ? cfg.goals.programme_start : cfg.goals.programme_end;
          if (g.value().is_null()) day.reset();
          else {
            day = get_string(g.value(), source, k);
            if (day->size() != 10 || !domain::parse_date(*day)) bad(source, k, "must be a date YYYY-MM-DD or null");
          }
        }
        else bad(source, k, "is not a known setting");
      }
      const auto& gs = cfg.goals;
      if (gs.programme_start && gs.programme_end && *gs.programme_end < *gs.programme_start)
        bad(source, "goals.programme_end", "must not be before goals.programme_start");
    }
    else bad(source, key, "is not a known setting");
  }
}

std::string usage() {
  return "usage: eventd [--listen HOST:PORT] [--db PATH|postgresql://...] [--config PATH] [--web DIR] [--demo]\n"
         "              [--threads N] [--commit-mode group|per_request] [--mail outbox|off] [--outbox DIR] [--quiet]\n"
         "Environment: EVENTD_LISTEN, EVENTD_DB, EVENTD_WEB, EVENTD_THREADS, EVENTD_COMMIT_MODE, EVENTD_CONFIG, EVENTD_OUTBOX,\n"
         "             EVENTD_ADMIN_EMAIL and EVENTD_ADMIN_PASSWORD (first admin when there is no user).\n"
         "Tools:        eventd --version | eventd check --db PATH | eventd backup --db PATH --to FILE\n"
         "              eventd user list|add EMAIL --role ROLE [--name NAME]|passwd EMAIL --db PATH\n";
}

launch read_launch(int argc, char** argv) {
  launch l;
  std::vector<std::string> args(argv + 1, argv + argc);
  // The config file comes first: flags and environment override it.
  std::string config_path;
  if (const char* e = std::getenv("EVENTD_CONFIG")) config_path = e;
  for (std::size_t i = 0; i + 1 < args.size(); ++i)
    if (args[i] == "--config") config_path = args[i + 1];
  if (!config_path.empty()) {
    std::ifstream in(config_path);
    if (!in) throw config_error("cannot read the config file " + config_path);
    std::stringstream text;
    text << in.rdbuf();
    apply_json(l.cfg, text.str(), config_path);
  }
  auto env = [](const char* name) -> std::optional<std::string> {
    const char* v = std::getenv(name);
    return v && *v ? std::optional<std::string>(v) : std::nullopt;
  };
  json overrides = json::object();
  if (auto v = env("EVENTD_LISTEN")) overrides["listen"] = *v;
  if (auto v = env("EVENTD_DB")) overrides["database"] = *v;
  if (auto v = env("EVENTD_OUTBOX")) overrides["outbox"] = *v;
  if (auto v = env("EVENTD_WEB")) overrides["web"] = *v;
  if (auto v = env("EVENTD_COMMIT_MODE")) overrides["commit_mode"] = *v;
  if (auto v = env("EVENTD_PUBLIC_URL")) overrides["public_url"] = *v;
  if (auto v = env("EVENTD_MAIL_FROM")) overrides["mail_from"] = *v;
  if (auto v = env("EVENTD_THREADS")) {
    if (v->find_first_not_of("0123456789") != std::string::npos || v->size() > 3) throw config_error("EVENTD_THREADS must be a whole number");
    overrides["threads"] = std::stoi(*v);
  }
  if (!overrides.empty()) apply_json(l.cfg, overrides.dump(), "environment");
  json flags = json::object();
  for (std::size_t i = 0; i < args.size(); ++i) {
    const auto& a = args[i];
    auto value = [&]() -> std::string {
      if (i + 1 >= args.size()) throw config_error(a + " needs a value");
      return args[++i];
    };
    if (a == "--listen") flags["listen"] = value();
    else if (a == "--db") flags["database"] = value();
    else if (a == "--outbox") flags["outbox"] = value();
    else if (a == "--web") flags["web"] = value();
    else if (a == "--config") (void)value();
    else if (a == "--commit-mode") flags["commit_mode"] = value();
    else if (a == "--mail") flags["mail"] = value();
    else if (a == "--threads") {
      auto v = value();
      if (v.empty() || v.find_first_not_of("0123456789") != std::string::npos || v.size() > 3) throw config_error("--threads must be a whole number");
      flags["threads"] = std::stoi(v);
    }
    else if (a == "--demo") l.demo = true;
    else if (a == "--quiet") l.quiet = true;
    else if (a == "--help" || a == "-h") l.help = true;
    else throw config_error("unknown argument " + a + "\n" + usage());
  }
  if (!flags.empty()) apply_json(l.cfg, flags.dump(), "command line");
  return l;
}

}  // namespace eventd::app
