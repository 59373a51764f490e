#include "store/database.hpp"

#include <sqlite3.h>

#include <filesystem>
#include <stdexcept>

#ifndef EVENTD_PAGE_SIZE
#define EVENTD_PAGE_SIZE "1024"
#endif

namespace eventd::store {

namespace {
// Before SQLite's first use: no global memory statistics, whose mutex every allocation would take.
int configure_sqlite() {
  static const int once = sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
  return once;
}
}  // namespace

// NOMUTEX: a connection is only ever used by one thread at a time (the writer's own; a read connection is lent
// out whole), so SQLite's per-connection mutex would only cost.
sqlite_connection::sqlite_connection(const std::string& path, bool writable)
    : db_((configure_sqlite(), path),
          writable ? SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE | SQLite::OPEN_NOMUTEX : SQLite::OPEN_READONLY | SQLite::OPEN_NOMUTEX) {
  db_.setBusyTimeout(5000);
  // Savepoint journals stay in memory. The page cache stays at SQLite's default (2 MiB): measured, a 64 MiB cache
  // made the writer spend a third of its time in one SQLite-internal function (likely walking the larger cache)
  // and cost check-ins a third of their rate; memory-mapped reads did not help (docs/PERFORMANCE.md).
  db_.exec("PRAGMA temp_store=MEMORY");
  if (writable) {
    db_.exec("PRAGMA journal_mode=WAL");
    // FULL: a commit is on disk before the writer answers anyone.
    db_.exec("PRAGMA synchronous=FULL");
    db_.exec("PRAGMA foreign_keys=ON");
    // The store's checkpointer thread does this, off the commit path (see sql_store::checkpoint_loop).
    db_.exec("PRAGMA wal_autocheckpoint=0");
    // Erased personal data must not survive in free space: deleted and overwritten bytes become zeros.
    db_.exec("PRAGMA secure_delete=ON");
    // When the WAL starts over after a checkpoint, a file that grew in a burst is cut back to this size.
    db_.exec("PRAGMA journal_size_limit=67108864");
  }
}

statement& sqlite_connection::prepare(const char* sql) {
  // Keyed by the literal's address: every call site passes a string literal.
  auto& slot = cache_[static_cast<const void*>(sql)];
  if (!slot) {
    slot = std::make_unique<sqlite_statement>(db_, sql);
  } else {
    slot->native().tryReset();  // a statement that failed last time reports that error here again: not ours to throw
    slot->native().clearBindings();
  }
  used_.push_back(slot.get());
  return *slot;
}

void sqlite_connection::reset_all() {
  for (auto* stmt : used_) stmt->native().tryReset();
  used_.clear();
}

bool sqlite_connection::in_transaction() { return db_.getHandle() && sqlite3_get_autocommit(db_.getHandle()) == 0; }

std::unique_ptr<sqlite_connection> sqlite_write_connection(const std::string& path) {
  auto c = std::make_unique<sqlite_connection>(path, true);
  c->db().setBusyTimeout(1000);
  return c;
}

void migrate(const std::string& path) {
  configure_sqlite();
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) std::filesystem::create_directories(parent);
  SQLite::Database db(path, SQLite::OPEN_READWRITE | SQLite::OPEN_CREATE);
  db.setBusyTimeout(5000);
  // Small pages: each registration touches a few random index leaves (ticket code, token, e-mail), and every
  // touched page is written to the WAL at commit. Only takes effect on a new file, before WAL is on.
  db.exec("PRAGMA page_size=" EVENTD_PAGE_SIZE);
  db.exec("PRAGMA journal_mode=WAL");
  db.exec("PRAGMA synchronous=FULL");
  db.exec("PRAGMA secure_delete=ON");  // migrations may erase data too
  db.exec("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)");
  const int current = db.execAndGet("SELECT coalesce(max(version), 0) FROM schema_migrations").getInt();
  const int newest = migrations().empty() ? 0 : migrations().back().version;
  if (current > newest)
    throw std::runtime_error("database " + path + " has schema version " + std::to_string(current) +
                             ", newer than this eventd knows (" + std::to_string(newest) + "); use a newer eventd");
  if (current == newest) return;
  SQLite::Transaction tx(db, SQLite::TransactionBehavior::IMMEDIATE);
  for (const auto& m : migrations()) {
    if (m.version <= current) continue;
    db.exec(std::string(m.sql));
    SQLite::Statement ins(db, "INSERT INTO schema_migrations(version, name, applied_at) VALUES (?, ?, strftime('%s','now'))");
    ins.bind(1, m.version);
    ins.bind(2, std::string(m.name));
    ins.exec();
  }
  tx.commit();
}

}  // namespace eventd::store
