// PostgreSQL's migrations (schema/postgresql/), applied the way SQLite's are: the missing ones in one transaction,
// recorded in schema_migrations; a database newer than this binary is refused. Several nodes may start at once:
// an advisory lock lets one migrate while the others wait, then find nothing left to do.
#include "store/database.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres.hpp"

#include <stdexcept>

namespace eventd::store {

namespace {
// Any fixed number: the lock is eventd's, held only while migrating.
constexpr const char* lock_sql = "SELECT pg_advisory_lock(7336120011)";
constexpr const char* unlock_sql = "SELECT pg_advisory_unlock(7336120011)";
}  // namespace

void migrate_postgres(const std::string& url) {
  pg_connection c(url, pg_limits{0});  // no statement timeout: a migration of a large table may take its time
  scalar_int(c, lock_sql);
  try {
    c.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at BIGINT NOT NULL)");
    // The writer's commit marks (one row per transaction, kept an hour): whether a COMMIT whose answer was lost
    // went through. Bookkeeping of the store, not of the schema's versions.
    c.execute("CREATE TABLE IF NOT EXISTS commit_marks (token TEXT PRIMARY KEY, at BIGINT NOT NULL)");
    const auto current = scalar_int(c, "SELECT coalesce(max(version), 0) FROM schema_migrations");
    const auto& all = postgres_migrations();
    const int newest = all.empty() ? 0 : all.back().version;
    if (current > newest)
      throw std::runtime_error("the PostgreSQL database has schema version " + std::to_string(current) +
                               ", newer than this eventd knows (" + std::to_string(newest) + "); use a newer eventd");
    if (current < newest) {
      c.execute("BEGIN");
      for (const auto& m : all) {
        if (m.version <= current) continue;
        c.execute(std::string(m.sql));
        auto& ins = c.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, extract(epoch FROM now())::bigint)");
        ins.bind(1, m.version);
        ins.bind(2, std::string(m.name));
        ins.exec();
      }
      c.execute("COMMIT");
    }
  } catch (...) {
    try {
      if (c.in_transaction()) c.execute("ROLLBACK");
      scalar_int(c, unlock_sql);
    } catch (...) {
    }
    throw;
  }
  scalar_int(c, unlock_sql);
}

}  // namespace eventd::store
