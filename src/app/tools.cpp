#include "app/tools.hpp"

#include "auth/crypto.hpp"
#include "domain/time.hpp"
#include "store/database.hpp"
#include "store/postgres/postgres.hpp"
#include "store/store.hpp"

#include <SQLiteCpp/SQLiteCpp.h>

#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <future>
#include <iostream>
#include <sstream>

#ifndef EVENTD_VERSION
#define EVENTD_VERSION "unknown"
#endif

namespace eventd::app {
namespace {

int schema_level() {
  int newest = 0;
  for (const auto& m : store::migrations()) newest = std::max(newest, m.version);
  return newest;
}

// "--db PATH" and the like, from the tool's own arguments; empty when not given.
std::string option(const std::vector<std::string>& args, const std::string& name) {
  for (std::size_t i = 1; i + 1 < args.size(); ++i)
    if (args[i] == name) return args[i + 1];
  return {};
}

bool only_options(const std::vector<std::string>& args, std::initializer_list<const char*> names) {
  for (std::size_t i = 1; i < args.size(); i += 2)
    if (std::none_of(names.begin(), names.end(), [&](const char* n) { return args[i] == n; }) || i + 1 >= args.size())
      return false;
  return true;
}

std::string database_of(const std::vector<std::string>& args) {
  auto db = option(args, "--db");
  if (db.empty())
    if (const char* e = std::getenv("EVENTD_DB"); e && *e) db = e;
  return db;
}

// The checks a database file must pass before it is served or trusted as a backup: SQLite's own integrity and
// foreign-key checks, and a schema this binary knows (not newer; older is upgraded at the next start).
int check(const std::string& path, std::ostream& out) {
  if (store::is_postgres_url(path)) {
    out << "eventd check: PostgreSQL databases are checked by PostgreSQL (amcheck, pg_dump); see docs/SCALING.md\n";
    return 2;
  }
  if (!std::filesystem::is_regular_file(path)) {
    out << "eventd check: " << path << ": no such database file\n";
    return 1;
  }
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    std::string integrity;
    {
      SQLite::Statement q(db, "PRAGMA integrity_check");
      while (q.executeStep()) integrity += (integrity.empty() ? "" : "; ") + q.getColumn(0).getString();
    }
    int foreign = 0;
    {
      SQLite::Statement q(db, "PRAGMA foreign_key_check");
      while (q.executeStep()) ++foreign;
    }
    int level = 0;
    if (db.tableExists("schema_migrations")) level = db.execAndGet("SELECT coalesce(max(version), 0) FROM schema_migrations").getInt();
    const int known = schema_level();
    out << "integrity: " << integrity << "\nforeign keys: " << (foreign == 0 ? "ok" : std::to_string(foreign) + " broken")
        << "\nschema: " << level << " (this eventd: " << known << ")\n";
    if (integrity != "ok" || foreign != 0) return 1;
    if (level == 0) {
      out << "not an eventd database (no schema_migrations)\n";
      return 1;
    }
    if (level > known) {
      out << "the database is newer than this eventd: use a newer eventd\n";
      return 1;
    }
    if (level < known) out << "older schema: the next start of this eventd upgrades it\n";
    out << "ok\n";
    return 0;
  } catch (const std::exception& e) {
    out << "eventd check: " << path << ": " << e.what() << "\n";
    return 1;
  }
}

// A consistent copy while the server runs: VACUUM INTO reads one snapshot of the database (WAL mode lets the server
// go on writing meanwhile) and writes a compact new file, which is then checked. Never overwrites a file.
int backup(const std::string& path, const std::string& to) {
  if (store::is_postgres_url(path)) {
    std::cerr << "eventd backup: for PostgreSQL use pg_dump (README.md, Running in production)\n";
    return 2;
  }
  if (!std::filesystem::is_regular_file(path)) {
    std::cerr << "eventd backup: " << path << ": no such database file\n";
    return 1;
  }
  std::error_code ec;
  if (std::filesystem::exists(to, ec)) {
    std::cerr << "eventd backup: " << to << " exists already; it is not overwritten\n";
    return 1;
  }
  try {
    SQLite::Database db(path, SQLite::OPEN_READONLY);
    db.setBusyTimeout(5000);
    SQLite::Statement q(db, "VACUUM INTO ?");
    q.bind(1, to);
    q.exec();
  } catch (const std::exception& e) {
    std::cerr << "eventd backup: " << e.what() << "\n";
    std::filesystem::remove(to, ec);
    return 1;
  }
  std::ostringstream report;
  const int checked = check(to, report);
  if (checked != 0) {
    std::cerr << "eventd backup: the copy failed its check:\n" << report.str();
    return 1;
  }
  std::cout << "backed up " << path << " to " << to << " (" << std::filesystem::file_size(to, ec) << " bytes, schema "
            << schema_level() << ", checked)\n";
  return 0;
}

// Waits for a store call's answer (the tools are plain blocking programs).
template <class T, class F>
store::outcome<T> wait(F start) {
  auto p = std::make_shared<std::promise<store::outcome<T>>>();
  auto f = p->get_future();
  start([p](store::outcome<T> o) { p->set_value(std::move(o)); });
  return f.get();
}

// A password from standard input: on a terminal asked twice without echo; from a pipe, its first line.
std::optional<std::string> read_password(std::string& why) {
  const auto line = [](std::string& out) {
    if (!std::getline(std::cin, out)) return false;
    if (!out.empty() && out.back() == '\r') out.pop_back();
    return true;
  };
  std::string first;
  if (::isatty(STDIN_FILENO)) {
    termios old{};
    ::tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    ::tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string second;
    std::cerr << "New password: " << std::flush;
    const bool got = line(first);
    std::cerr << "\nThe same again: " << std::flush;
    const bool again = got && line(second);
    std::cerr << "\n";
    ::tcsetattr(STDIN_FILENO, TCSANOW, &old);
    if (!again || first != second) {
      why = "the two passwords differ";
      return std::nullopt;
    }
  } else if (!line(first)) {
    why = "no password on standard input";
    return std::nullopt;
  }
  // The same rule as the API's (accounts.cpp).
  if (first.size() < 10 || first.size() > 1024) {
    why = "a password has 10 to 1024 characters";
    return std::nullopt;
  }
  return first;
}

constexpr const char* user_usage =
    "usage: eventd user list --db PATH\n"
    "       eventd user add EMAIL --role admin|organiser|steering [--name NAME] --db PATH   (password on standard input)\n"
    "       eventd user passwd EMAIL --db PATH                                             (password on standard input)\n";

// Accounts for whoever runs the server: a first or further account, a forgotten password, without the API.
int user(const std::vector<std::string>& args) {
  if (args.size() < 2) {
    std::cerr << user_usage;
    return 2;
  }
  const auto& what = args[1];
  std::vector<std::string> rest(args.begin() + 1, args.end());  // rest[0] = the subcommand, options from rest[1] or [2]
  std::string email;
  std::size_t first_option = 1;
  if (what == "add" || what == "passwd") {
    if (rest.size() < 2 || rest[1].starts_with("--")) {
      std::cerr << user_usage;
      return 2;
    }
    email = rest[1];
    first_option = 2;
  } else if (what != "list") {
    std::cerr << user_usage;
    return 2;
  }
  std::string db, role, name;
  for (std::size_t i = first_option; i < rest.size(); i += 2) {
    if (i + 1 >= rest.size()) {
      std::cerr << user_usage;
      return 2;
    }
    if (rest[i] == "--db") db = rest[i + 1];
    else if (rest[i] == "--role" && what == "add") role = rest[i + 1];
    else if (rest[i] == "--name" && what == "add") name = rest[i + 1];
    else {
      std::cerr << user_usage;
      return 2;
    }
  }
  if (db.empty())
    if (const char* e = std::getenv("EVENTD_DB"); e && *e) db = e;
  if (db.empty() || (what == "add" && role.empty())) {
    std::cerr << user_usage;
    return 2;
  }
  if (!store::is_postgres_url(db) && !std::filesystem::is_regular_file(db)) {
    std::cerr << "eventd user: " << db << ": no such database file\n";
    return 1;
  }
  auth::init_crypto();
  domain::load_time_zone();
  domain::config cfg;
  cfg.database = db;
  cfg.mail = "off";
  auto s = store::make_store(cfg);
  if (what == "list") {
    for (const auto& u : s->list_users())
      std::cout << u.email << "\t" << domain::to_string(u.role) << "\t" << u.name
                << (u.active ? "" : "\t(deactivated)") << (u.password_reset_pending ? "\t(waiting for a new password)" : "")
                << "\n";
    return 0;
  }
  domain::user u;
  if (what == "add") {
    const auto r = domain::role_from(role);
    if (!r) {
      std::cerr << "eventd user: --role is admin, organiser or steering\n";
      return 2;
    }
    u.email = domain::normalise_email(email);
    u.name = name.empty() ? u.email : name;
    u.role = *r;
    if (u.email.find('@') == std::string::npos) {
      std::cerr << "eventd user: " << email << " is not an e-mail address\n";
      return 2;
    }
  }
  std::string why;
  const auto password = read_password(why);
  if (!password) {
    std::cerr << "eventd user: " << why << "; nothing was changed\n";
    return 1;
  }
  const auto hash = auth::hash_password(*password);
  const auto done = wait<domain::user>([&](auto cb) {
    if (what == "add")
      s->create_user(u, hash, cb);
    else
      s->set_password(email, hash, cb);
  });
  if (!done.ok()) {
    std::cerr << "eventd user: " << done.error().detail << "\n";
    return 1;
  }
  if (what == "add")
    std::cout << "added " << done.value().email << " (" << domain::to_string(done.value().role) << ")\n";
  else
    std::cout << "new password for " << done.value().email << "; their sessions have ended\n";
  return 0;
}

}  // namespace

std::optional<int> run_tool(const std::vector<std::string>& args) {
  if (args.empty()) return std::nullopt;
  const auto& tool = args[0];
  if (tool == "--version" || tool == "version") {
    std::cout << "eventd " << EVENTD_VERSION << " (schema " << schema_level() << ", PostgreSQL schema "
              << std::max_element(store::postgres_migrations().begin(), store::postgres_migrations().end(),
                                  [](const auto& a, const auto& b) { return a.version < b.version; })->version
              << ")\n";
    return 0;
  }
  if (tool == "check") {
    const auto db = database_of(args);
    if (db.empty() || !only_options(args, {"--db"})) {
      std::cerr << "usage: eventd check --db PATH\n";
      return 2;
    }
    return check(db, std::cout);
  }
  if (tool == "backup") {
    const auto db = database_of(args);
    const auto to = option(args, "--to");
    if (db.empty() || to.empty() || !only_options(args, {"--db", "--to"})) {
      std::cerr << "usage: eventd backup --db PATH --to FILE\n";
      return 2;
    }
    return backup(db, to);
  }
  if (tool == "user") return user(args);
  return std::nullopt;
}

}  // namespace eventd::app
