// The SQLite store's wiring: the writer, the pool of read connections, the checkpointer, and make_sqlite_store.
#include "store/sql/sql_store.hpp"

#include "auth/crypto.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/postgres.hpp"
#include "support/host.hpp"
#include "support/log.hpp"
#include "support/suspend.hpp"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>
#include <utility>

namespace eventd::store::sql {

sql_store::sql_store(const domain::config& cfg, const std::string& ticket_key, engine e, auth::ticket_cipher::scheme tickets)
    : engine_(e),
      sql_seats_(e == engine::postgres && tickets == auth::ticket_cipher::scheme::sha256 && cfg.postgres_seat_decisions == "sql"),
      tickets_(std::make_unique<auth::ticket_cipher>(ticket_key, tickets)),
      cfg_(cfg),
      home_(cfg.home_municipalities),
      path_(cfg.database),
      writer_(open(true), cfg.commit_mode == "per_request" ? 1 : cfg.max_batch, 20000,
              [this]() { return open(true); }) {
  mail_host_ = support::message_host(cfg.public_url);
  mail_key_ = auth::sha256_hex("mail-id:" + ticket_key);
  ticket_key_ = ticket_key;
  if (postgres()) {  // PostgreSQL keeps its own log: no checkpointer; other nodes may share the database
    node_id_ = auth::random_token(8);
    setup_postgres_writer(writer_);
    // writer_ takes the writes of no event (mail attempts, accounts, counselling...); these the events' writes, so that
    // a batch of registrations is not split by them nor kept waiting behind them.
    for (int i = 0; i < cfg.postgres_writers; ++i) {
      more_writers_.push_back(std::make_unique<writer>(open(true), cfg.commit_mode == "per_request" ? 1 : cfg.max_batch,
                                                       20000, [this]() { return open(true); }));
      setup_postgres_writer(*more_writers_.back());
    }
    checkpointer_ = std::thread([this] { vacuum_loop(); });
    listener_ = std::make_unique<pg_listener>(
        path_, "eventd_changes", [this](const std::string& payload) { heard_from_other_node(payload); },
        [this] { deliver({change{change::kind::resync}}); }, pg_limits{cfg.postgres_statement_timeout_ms});
    return;
  }
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
  listener_.reset();
  turn_conn_.reset();  // the advisory lock goes with it: another node takes the background work over
  writer_.stop();
  for (auto& w : more_writers_) w->stop();
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

write_stats sql_store::stats() {
  auto s = writer_.stats();
  for (auto& w : more_writers_) {
    const auto m = w->stats();
    s.batches += m.batches;
    s.commands += m.commands;
    s.commit_micros_total += m.commit_micros_total;
    s.queued += m.queued;
    s.refused += m.refused;
    s.failed_batches += m.failed_batches;
    s.waiting += m.waiting;
    s.conflicts += m.conflicts;
    s.pipeline_reruns += m.pipeline_reruns;
    s.round_trips += m.round_trips;
    for (std::size_t i = 0; i < s.batch_size_buckets.size() && i < m.batch_size_buckets.size(); ++i)
      s.batch_size_buckets[i] += m.batch_size_buckets[i];
  }
  {
    std::lock_guard lock(pool_mutex_);
    s.pool_idle = pool_.size();
    s.pool_open = readers_open_;
    s.pool_waits = pool_waits_;
    s.pool_timeouts = pool_timeouts_;
    s.pool_closed = pool_closed_;
  }
  s.connections_opened = connections_opened_;
  s.connect_failures = connect_failures_;
  s.silent_connections = pg_silences();
  s.shared = postgres();
  s.batched_registrations = batched_registrations_.load();
  s.listening = listener_ && listener_->listening();
  if (postgres()) {
    std::lock_guard lock(turn_mutex_);
    s.background_turn = turn_;
  }
  return s;
}

void sql_store::stop_writes() {
  writer_.stop();
  for (auto& w : more_writers_) w->stop();
}

void sql_store::on_commit(std::function<void(const std::vector<change>&)> listener) {
  std::lock_guard lock(listener_mutex_);
  commit_listener_ = std::move(listener);
}

// The hooks of a PostgreSQL writer: its transactions' commit marks and NOTIFY, and their row locks up front.
void sql_store::setup_postgres_writer(writer& w) {
  w.around_commit(
      [] {
        auto& t = here();
        t.batch = registration_batch{};
        t.notes.clear();
        t.notes_overflow = false;
        t.locked_events.clear();
        t.batched_sent = 0;
      },
      [this](connection& c) {
        auto& t = here();
        send_held_registrations(c, false);  // the SQL registrations' answer comes with the COMMIT's
        // The transaction's mark: after a COMMIT whose answer was lost, was_committed finds it.
        if (t.writer_token.empty()) t.writer_token = auth::random_token(8);  // this writer among all nodes' writers
        t.commit_mark = t.writer_token + "-" + std::to_string(++t.commit_serial);
        const auto now = static_cast<std::int64_t>(domain::now());
        auto& m = c.prepare("INSERT INTO commit_marks(token, at) VALUES (?, ?)");
        m.bind(1, t.commit_mark);
        m.bind(2, now);
        m.defer();  // these go with the COMMIT, in its round trip
        if (t.commit_serial % 1000 == 0) {  // marks are needed for moments, not kept
          auto& d = c.prepare("DELETE FROM commit_marks WHERE at < ?");
          d.bind(1, now - 3600);
          d.defer();
        }
        if (t.notes.empty() && !t.notes_overflow) return;
        // Delivered with the commit, to every node listening, in commit order.
        auto& q = c.prepare("SELECT pg_notify('eventd_changes', ?)");
        q.bind(1, node_id_ + "|" + (t.notes_overflow ? std::string("*") : t.notes));
        q.defer();
        t.notes.clear();
        t.notes_overflow = false;
      },
      [](connection& c) {
        auto& q = c.prepare("SELECT 1 FROM commit_marks WHERE token = ?");
        q.bind(1, here().commit_mark);
        const bool found = q.executeStep();
        q.reset();
        return found;
      });
  w.after_commit([this](connection& c) {
    // Counted now: a transaction that failed after sending its statement wrote none of them.
    batched_registrations_ += std::exchange(here().batched_sent, 0);
    read_sql_registrations(c);
  });
  w.after_found_committed([this](connection& c) {
    batched_registrations_ += std::exchange(here().batched_sent, 0);
    recover_sql_registrations(c);
  });
  w.prepare_jobs([this](connection& c, const std::vector<std::pair<std::int64_t, std::string>>& jobs) {
    if (sql_seats_ && c.deferring()) {
      // Nothing to read first: the registrations go into one statement, decided by the database.
      auto& b = here().batch;
      b = registration_batch{};
      b.sql_ready = true;
      b.sql = std::make_shared<sql_registrations>();
      return;
    }
    prepare_registrations(c, jobs);
  });
  w.before_plain_job([this](connection& c) {
    send_held_registrations(c);  // the registrations' statement so far runs, and is answered, before this job
    auto& b = here().batch;
    b.ready = false;  // this job may change what the batch read
    // The registrations after it go into a statement of their own, which sees what this job wrote.
    if (b.sql_ready && b.sql && b.sql->jobs > 0) b.sql = std::make_shared<sql_registrations>();
  });
  w.lock_rows([this](connection& c, const std::vector<std::int64_t>& ids) {
    here().locked_events = ids;
    std::vector<std::optional<std::string>> texts;
    texts.reserve(ids.size());
    for (const auto id : ids) texts.emplace_back(std::to_string(id));
    auto& q = c.prepare("SELECT id FROM events WHERE id = ANY(CAST(? AS BIGINT[])) ORDER BY id FOR UPDATE");
    q.bind(1, postgres_array(texts));
    if (sql_seats_ && c.deferring()) {
      // Sent ahead: the database takes the locks before it runs what follows, all in the COMMIT's round trip.
      q.defer();
      return;
    }
    while (q.executeStep()) {
    }
    q.reset();
  });
}

bool sql_store::background_turn() {
  if (!postgres()) return true;
  std::lock_guard lock(turn_mutex_);
  // Asked often (each round of the mail sender): the database is asked at most every two seconds.
  const auto now = std::chrono::steady_clock::now();
  if (now - turn_checked_ < std::chrono::seconds(2)) return turn_;
  turn_checked_ = now;
  try {
    if (turn_conn_ && turn_conn_->broken()) turn_conn_.reset();  // the lock went with the session
    if (!turn_conn_) {
      turn_conn_ = open(false);
      turn_ = false;
    }
    if (turn_) {
      scalar_int(*turn_conn_, "SELECT 1");  // still connected, so still holding it
      turn_ = !turn_conn_->broken();
    } else {
      // Session level: held until released or the session ends (this process dies, its connection drops).
      turn_ = scalar_int(*turn_conn_, "SELECT CASE WHEN pg_try_advisory_lock(7201511) THEN 1 ELSE 0 END") == 1;
    }
  } catch (const std::exception&) {
    turn_conn_.reset();
    turn_ = false;
  }
  return turn_;
}

void sql_store::deliver(const std::vector<change>& changes) {
  std::lock_guard lock(listener_mutex_);
  if (commit_listener_) commit_listener_(changes);
}

// A notification carries "node|kind,registration,event;..." (or "node|*": too many to list). Kept well under
// PostgreSQL's 8,000-byte payload limit; beyond it the other nodes read everything they show again.
void sql_store::note_for_other_nodes(const std::vector<change>& changes) {
  constexpr std::size_t max_notes = 7000;
  for (const auto& c : changes) {
    if (here().notes_overflow) return;
    auto what = c.what;
    // A walk-in registered with its check-in is an attendance to the others (they read it back).
    if (what == change::kind::registered && c.created && c.created->registration.walk_in) what = change::kind::checked_in;
    here().notes += std::to_string(static_cast<int>(what)) + "," + std::to_string(c.registration_id) + "," +
              std::to_string(c.event_id) + ";";
    if (here().notes.size() > max_notes) {
      here().notes.clear();
      here().notes_overflow = true;
    }
  }
}

void sql_store::heard_from_other_node(const std::string& payload) {
  const auto bar = payload.find('|');
  if (bar == std::string::npos || payload.compare(0, bar, node_id_) == 0) return;  // malformed, or this node's own
  std::vector<change> changes;
  const std::string_view body = std::string_view(payload).substr(bar + 1);
  if (body == "*") {
    changes.push_back(change{change::kind::resync});
  } else {
    std::size_t at = 0;
    while (at < body.size()) {
      const auto end = body.find(';', at);
      const auto item = body.substr(at, end == std::string_view::npos ? std::string_view::npos : end - at);
      at = end == std::string_view::npos ? body.size() : end + 1;
      long long v[3] = {0, 0, 0};
      std::size_t k = 0, p = 0;
      bool ok = !item.empty();
      while (ok && k < 3) {
        const auto comma = item.find(',', p);
        const auto part = item.substr(p, comma == std::string_view::npos ? std::string_view::npos : comma - p);
        const auto [ptr, ec] = std::from_chars(part.data(), part.data() + part.size(), v[k]);
        ok = ec == std::errc{} && ptr == part.data() + part.size() && v[k] >= 0;
        ++k;
        if (comma == std::string_view::npos) break;
        p = comma + 1;
      }
      if (!ok || k != 3 || v[0] > static_cast<long long>(change::kind::account_changed)) {
        changes.assign(1, change{change::kind::resync});  // not understood: read everything again
        break;
      }
      change c{static_cast<change::kind>(v[0]), v[1]};
      c.event_id = v[2];
      changes.push_back(std::move(c));
    }
  }
  if (!changes.empty()) deliver(changes);
}

sql_store::lease sql_store::borrow() {
  std::unique_lock lock(pool_mutex_);
  const auto available = [&] {
    return !pool_.empty() || readers_open_ < static_cast<std::size_t>(std::max(1, cfg_.max_read_connections));
  };
  if (!available()) {
    ++pool_waits_;
    bool got = false;
    if (support::can_suspend()) {
      // A fiber (http's handlers on PostgreSQL) must not hold its I/O thread in a condition wait: it looks again
      // every 2 ms, suspended in between.
      const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(2);
      while (!(got = available()) && std::chrono::steady_clock::now() < until) {
        lock.unlock();
        support::sleep_ms(2);
        lock.lock();
      }
    } else {
      got = pool_returned_.wait_for(lock, std::chrono::seconds(2), available);
    }
    if (!got) {
      ++pool_timeouts_;
      throw unavailable_error("every database connection is busy; please try again shortly");
    }
  }
  while (!pool_.empty()) {
    auto c = std::move(pool_.back());
    pool_.pop_back();
    if (c->still_open()) return lease{this, std::move(c)};
    // Lost while it sat in the pool (the server restarted, or another connection found it silent): dropped here,
    // before a request meets the loss as a 503; the next one is lent, or a new one opened.
    --readers_open_;
    ++pool_closed_;
  }
  ++readers_open_;
  lock.unlock();
  try {
    return lease{this, open(false)};
  } catch (...) {
    lock.lock();
    --readers_open_;
    lock.unlock();
    pool_returned_.notify_one();
    throw;
  }
}

std::unique_ptr<connection> sql_store::open(bool writable) const {
  if (postgres()) {
    // While the database is unreachable, a request is answered 503 at once instead of each one waiting for a
    // connection attempt of its own: after a failure, and for a backoff that doubles up to 5 s, one attempt at a
    // time goes ahead (the others are answered at once), so the first request after the database is back finds it,
    // rather than 503s for the rest of the backoff.
    const auto now = std::chrono::steady_clock::now();
    {
      std::lock_guard lock(backoff_mutex_);
      if (now < retry_at_ && probing_) throw unavailable_error("the database is unreachable; trying again shortly");
      if (now < retry_at_) probing_ = true;
    }
    try {
      auto c = std::make_unique<pg_connection>(path_, pg_limits{cfg_.postgres_statement_timeout_ms});
      if (writable) {
        // The writer's statements are the same few, run thousands of times a second with arrays of any length: a
        // plan made once, not one per run (the registrations' statement takes a millisecond to plan). And they find
        // their rows by keys: a plan made while a table was empty or small (a new database), or for the 20 event rows
        // that the counters rewrite thousands of times a second (whose dead versions the statistics do not count),
        // scanned the whole table for each batch; measured, that halved the registrations a second.
        c->execute("SET plan_cache_mode = force_generic_plan; SET enable_seqscan = off");
        c->pipeline();  // its batches' writes travel together
      }
      std::lock_guard lock(backoff_mutex_);
      backoff_ = std::chrono::milliseconds(0);
      retry_at_ = {};
      probing_ = false;
      ++connections_opened_;
      return c;
    } catch (const unavailable_error&) {
      std::lock_guard lock(backoff_mutex_);
      backoff_ = std::clamp(backoff_ * 2, std::chrono::milliseconds(100), std::chrono::milliseconds(5000));
      retry_at_ = std::chrono::steady_clock::now() + backoff_;
      probing_ = false;
      ++connect_failures_;
      throw;
    }
  }
  ++connections_opened_;
  if (writable) return sqlite_write_connection(path_);
  return std::make_unique<sqlite_connection>(path_, false);
}

void sql_store::after_commit(const std::vector<change>& changes) {
  deliver(changes);
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
// PostgreSQL's side of erasure: a blanked row's old version stays in its table's pages until VACUUM prunes it,
// and in the shared buffers until a checkpoint writes the pruned pages out. After a commit that erased personal
// data: VACUUM the database, then CHECKPOINT (which needs the pg_checkpoint role or a superuser; without it the
// pages reach the disk at the next automatic checkpoint). At most every few seconds, on a connection of its own.
// The WAL keeps the old values until its segments are recycled and overwritten: see docs/SCALING.md.
void sql_store::vacuum_loop() {
  std::unique_ptr<connection> c;
  bool checkpoint_refused = false;
  std::unique_lock lock(checkpoint_mutex_);
  for (;;) {
    checkpoint_wake_.wait(lock, [&] { return stopping_ || truncate_wanted_; });
    if (stopping_) return;
    truncate_wanted_ = false;
    lock.unlock();
    try {
      if (c && c->broken()) c.reset();
      if (!c) {
        c = open(false);
        c->execute("SET statement_timeout = 0");  // a large database's VACUUM takes its time
      }
      c->execute("VACUUM");
      if (!checkpoint_refused) {
        try {
          c->execute("CHECKPOINT");
        } catch (const std::exception& e) {
          checkpoint_refused = true;
          support::log_fault("info", "CHECKPOINT after an erasure is not allowed for this user; erased values reach "
                                     "the disk's pages at PostgreSQL's next checkpoint", e.what());
        }
      }
    } catch (const std::exception& e) {
      support::log_fault("warn", "VACUUM after an erasure failed", e.what());
    }
    lock.lock();
    checkpoint_wake_.wait_for(lock, std::chrono::seconds(2), [&] { return stopping_; });
  }
}

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
  auto scheme = auth::ticket_cipher::scheme::siphash;
  {
    pg_connection c(cfg.database);
    // A new installation takes the scheme PostgreSQL can compute (migration 013); one with tickets out keeps its own.
    // Before the key, in its own statement: a node that finds the key finds the scheme that came with it.
    c.execute("INSERT INTO settings(key, value) SELECT 'ticket_scheme', '2' WHERE NOT EXISTS "
              "(SELECT 1 FROM settings WHERE key = 'ticket_key') ON CONFLICT(key) DO NOTHING");
    auto& ins = c.prepare("INSERT INTO settings(key, value) VALUES ('ticket_key', ?) ON CONFLICT(key) DO NOTHING");
    ins.bind(1, auth::ticket_cipher::new_key_hex());
    ins.exec();
    key = scalar_text(c, "SELECT value FROM settings WHERE key = 'ticket_key'");
    if (scalar_text(c, "SELECT coalesce((SELECT value FROM settings WHERE key = 'ticket_scheme'), '1')") == "2")
      scheme = auth::ticket_cipher::scheme::sha256;
  }
  return std::make_unique<sql::sql_store>(cfg, key, sql::sql_store::engine::postgres, scheme);
}

}  // namespace eventd::store
