// The SQLite store's wiring: the writer, the pool of read connections, the checkpointer, and make_sqlite_store.
#include "store/sql/sql_store.hpp"

#include "auth/crypto.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres.hpp"
#include "support/host.hpp"
#include "support/log.hpp"

#include <algorithm>
#include <chrono>
#include <filesystem>

namespace eventd::store::sql {

sql_store::sql_store(const domain::config& cfg, const std::string& ticket_key, engine e)
    : engine_(e),
      tickets_(std::make_unique<auth::ticket_cipher>(ticket_key)),
      cfg_(cfg),
      home_(cfg.home_municipalities),
      path_(cfg.database),
      writer_(open(true), cfg.commit_mode == "per_request" ? 1 : cfg.max_batch, 20000,
              [this]() { return open(true); }) {
  mail_host_ = support::message_host(cfg.public_url);
  mail_key_ = auth::sha256_hex("mail-id:" + ticket_key);
  if (postgres()) return;  // PostgreSQL keeps its own log: no checkpointer
  writer_.on_commit([this] {
    {
      std::lock_guard lock(checkpoint_mutex_);
      ++commits_since_checkpoint_;
    }
    checkpoint_wake_.notify_one();
  });
  checkpointer_ = std::thread([this] { checkpoint_loop(); });
}

sql_store::~sql_store() {
  writer_.stop();
  {
    std::lock_guard lock(checkpoint_mutex_);
    stopping_ = true;
  }
  checkpoint_wake_.notify_one();
  if (checkpointer_.joinable()) checkpointer_.join();
  if (postgres()) return;
  // Leave a compact database file behind: everything in the WAL goes into the main file.
  try {
    sqlite_connection c(path_, true);
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)");
  } catch (const std::exception& e) {
    support::log_fault("warn", "final checkpoint failed", e.what());
  }
}

bool sql_store::ready() {
  try {
    auto c = borrow();
    return scalar_int(*c, "SELECT count(*) FROM schema_migrations") > 0;
  } catch (const std::exception&) {
    return false;
  }
}

write_stats sql_store::stats() { return writer_.stats(); }

void sql_store::stop_writes() { writer_.stop(); }

void sql_store::on_commit(std::function<void(const std::vector<change>&)> listener) { commit_listener_ = std::move(listener); }

sql_store::lease sql_store::borrow() {
  {
    std::lock_guard lock(pool_mutex_);
    if (!pool_.empty()) {
      auto c = std::move(pool_.back());
      pool_.pop_back();
      return lease{this, std::move(c)};
    }
  }
  return lease{this, open(false)};
}

std::unique_ptr<connection> sql_store::open(bool writable) const {
  if (postgres()) return std::make_unique<pg_connection>(path_);
  if (writable) return sqlite_write_connection(path_);
  return std::make_unique<sqlite_connection>(path_, false);
}

void sql_store::after_commit(const std::vector<change>& changes) {
  if (commit_listener_) commit_listener_(changes);
  if (postgres()) return;
  if (std::none_of(changes.begin(), changes.end(), [](const change& c) {
        return c.what == change::kind::erased || c.what == change::kind::support_erased;
      }))
    return;
  {
    std::lock_guard lock(checkpoint_mutex_);
    truncate_wanted_ = true;
  }
  checkpoint_wake_.notify_one();
}

// Checkpoints copy the WAL into the database file and sync it. They run here, beside the writer, instead of
// inside some commit that crosses SQLite's auto-checkpoint threshold and would make its whole batch wait.
// A PASSIVE checkpoint never waits, but it cannot shrink the WAL, nor restart it while readers use it: under a
// steady burst the file grows without end. So when it passes cfg_.wal_limit_bytes, or when an erasure left old
// frames behind, a TRUNCATE checkpoint empties it. That one holds new writers back while it waits for readers,
// so it waits briefly (checkpoint_busy_ms) and tries again on a later round rather than stall commits.
void sql_store::checkpoint_loop() {
  std::unique_ptr<sqlite_connection> c;
  std::unique_lock lock(checkpoint_mutex_);
  for (;;) {
    checkpoint_wake_.wait_for(lock, std::chrono::milliseconds(500),
                              [&] { return stopping_ || truncate_wanted_ || commits_since_checkpoint_ >= 64; });
    if (stopping_) return;
    if (commits_since_checkpoint_ == 0 && !truncate_wanted_) continue;
    commits_since_checkpoint_ = 0;
    bool truncate = truncate_wanted_;
    truncate_wanted_ = false;
    lock.unlock();
    try {
      if (!c) {
        c = std::make_unique<sqlite_connection>(path_, true);
        c->db().setBusyTimeout(checkpoint_busy_ms);
      }
      if (!truncate) {
        c->db().exec("PRAGMA wal_checkpoint(PASSIVE)");
        std::error_code ec;
        const auto size = std::filesystem::file_size(path_ + "-wal", ec);
        truncate = !ec && size > cfg_.wal_limit_bytes;
      }
      if (truncate) {
        // The first column is 1 when readers or a writer kept it from finishing: try again later.
        SQLite::Statement q(c->db(), "PRAGMA wal_checkpoint(TRUNCATE)");
        if (q.executeStep() && q.getColumn(0).getInt() == 0) truncate = false;
      }
    } catch (const std::exception& e) {
      support::log_fault("warn", "checkpoint failed", e.what());
    }
    lock.lock();
    if (truncate) {
      // Kept from finishing by readers or a writer: again a second later, not at once, so writers are not
      // held back over and over.
      truncate_wanted_ = true;
      checkpoint_wake_.wait_for(lock, std::chrono::seconds(1), [&] { return stopping_; });
    }
  }
}

}  // namespace eventd::store::sql

namespace eventd::store {

std::unique_ptr<store> make_sqlite_store(const domain::config& cfg) {
  migrate(cfg.database);
  std::string key;
  {
    sqlite_connection c(cfg.database, true);
    auto& ins = c.prepare("INSERT INTO settings(key, value) VALUES ('ticket_key', ?) ON CONFLICT(key) DO NOTHING");
    ins.bind(1, auth::ticket_cipher::new_key_hex());
    ins.exec();
    key = scalar_text(c, "SELECT value FROM settings WHERE key = 'ticket_key'");
  }
  return std::make_unique<sql::sql_store>(cfg, key);
}

std::unique_ptr<store> make_store(const domain::config& cfg) {
  if (!is_postgres_url(cfg.database)) return make_sqlite_store(cfg);
  migrate_postgres(cfg.database);
  std::string key;
  {
    pg_connection c(cfg.database);
    auto& ins = c.prepare("INSERT INTO settings(key, value) VALUES ('ticket_key', ?) ON CONFLICT(key) DO NOTHING");
    ins.bind(1, auth::ticket_cipher::new_key_hex());
    ins.exec();
    key = scalar_text(c, "SELECT value FROM settings WHERE key = 'ticket_key'");
  }
  return std::make_unique<sql::sql_store>(cfg, key, sql::sql_store::engine::postgres);
}

}  // namespace eventd::store
