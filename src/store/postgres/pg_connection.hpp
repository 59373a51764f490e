// PostgreSQL connections behind the store's connection interface (issue 11), through libpq. A connection is used by
// one caller at a time, as SQLite's are. Every connection is non-blocking and waits for the server through its socket
// (support::wait_fd): a handler running as one of the HTTP server's fibers (on PostgreSQL, every handler that may
// read) suspends while it waits and its I/O thread serves other requests; the writer's thread and background jobs
// wait in poll().
#pragma once

#include "store/sql.hpp"

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

struct pg_conn;
struct pg_result;

namespace eventd::store {

// The store's SQL in PostgreSQL's parameter syntax: "?" and "?N" (SQLite's numbering: a bare "?" is one more than
// the largest number so far) and ":name" (each name its own number, the same name the same one) become "$N";
// nothing inside quotes, and no "::" cast, is touched. `names` gets each name at its number - 1.
std::string postgres_parameters(std::string_view sql, std::vector<std::string>& names);

// A PostgreSQL array literal of texts, for CAST(? AS type[]): each element quoted with its quotes and backslashes
// escaped, nothing as NULL. Whatever the texts hold (they come from outside), the server reads back exactly them.
std::string postgres_array(const std::vector<std::optional<std::string>>& values);

class pg_statement;

// Connections this process gave up because their server sent nothing within their limit (pg_limits).
std::uint64_t pg_silences();

// How long a connection's work may take. statement_timeout_ms: the server's limit for one statement, and for a
// transaction left idle by its client (0: none, for migrations). The connection itself waits at most that and 5 s
// more for the server's next byte, then takes the connection for lost (a server gone without a word).
struct pg_limits {
  int statement_timeout_ms = 30000;
  // How long the connection waits for the server's next byte (< 0: no limit).
  int answer_limit_ms() const { return statement_timeout_ms > 0 ? statement_timeout_ms + 5000 : -1; }
};

class pg_connection final : public connection {
public:
  // `url`: a libpq connection string or postgresql:// URL. Throws std::runtime_error when the server cannot be
  // reached (the message names the host, never the password).
  explicit pg_connection(const std::string& url, pg_limits limits = {});
  ~pg_connection() override;
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  statement& prepare(const char* sql) override;
  void reset_all() override;
  void execute(const std::string& sql) override;
  std::int64_t last_insert_id() override;
  bool in_transaction() override;
  void begin_write() override;
  // Whether the connection is still up (false after the server went away).
  bool healthy() const;
  bool broken() const override { return !healthy(); }
  bool still_open() override;
  bool shared_writers() const override { return true; }
  // The writer's connection: libpq's pipeline mode from now on. Every statement is sent with the extended protocol;
  // one that waits for its answer sends a Sync and reads every result up to it, so the statements deferred before
  // it (statement::defer) travel in the same round trip. While the socket takes no more of a long pipeline, the
  // server's answers are read meanwhile, so neither side can stall the other.
  void pipeline();
  void defer_writes(bool on) override { deferring_ = on; }
  bool deferring() const override { return pipelined_ && deferring_; }
  // How often this connection has waited for the server's answers (a Sync in pipeline mode, or a plain call).
  std::uint64_t round_trips() const override { return round_trips_; }
  pg_conn* native() { return conn_; }

private:
  friend class pg_statement;
  // Pipeline mode: sends a Sync after what was sent last and reads every result up to it. Returns the result of the
  // last statement sent (its caller's, when `last_is_callers`), or throws: the caller's own failure as check()
  // classifies it, an earlier deferred statement's as deferred_error, a lost connection as unavailable_error.
  pg_result* sync_results(bool last_is_callers);
  // A command without parameters (BEGIN, ROLLBACK, SET...), waiting for its answer; pipeline mode or not.
  pg_result* run_text(const char* sql);
  pg_conn* conn_ = nullptr;
  bool pipelined_ = false;
  bool deferring_ = true;
  // Statements sent ahead whose results are not read yet, in order: the one to keep each result (prefetch), or
  // nullptr (defer: the result is only checked).
  std::vector<pg_statement*> pending_;
  std::vector<pg_statement*> preparing_;  // statements whose PREPARE was sent ahead, not yet answered
  std::uint64_t round_trips_ = 0;
  int answer_limit_ms_ = -1;  // see pg_limits
  std::uint64_t silences_at_open_ = 0;  // pg_connection.cpp: `silences`, when this one was opened
  bool lost_ = false;  // the pipeline's results could not be read: the connection is unusable
  std::map<const void*, std::unique_ptr<pg_statement>> cache_;
  std::vector<pg_statement*> used_;
  int next_name_ = 0;
};

class pg_statement final : public statement {
public:
  pg_statement(pg_connection& c, const char* sql);
  ~pg_statement() override;
  bool executeStep() override;
  int exec() override;
  void defer() override;
  void prefetch() override;
  void reset() override;
  std::int64_t int64_at(int i) override;
  double double_at(int i) override;
  std::string text_at(int i) override;
  bool null_at(int i) override;
  void clear();  // results and parameters, ready for the next use

protected:
  void bind_int(int i, std::int64_t v) override;
  void bind_double(int i, double v) override;
  void bind_text(int i, const std::string& v) override;
  void bind_null(int i) override;
  int index_of(const char* name) override;

private:
  friend class pg_connection;  // sync_results hands a prefetched query its rows
  void run();
  void send();  // pipeline mode: the statement with its parameters, not waiting
  // Prepares the statement on the server unless it is: at once, or on a writer's connection sent ahead with the
  // next statement that waits (a statement's first use costs no round trip of its own).
  void ensure_prepared();
  std::vector<const char*> bound() const;  // the parameters as libpq takes them (nullptr: NULL)
  const char* value(int column);
  pg_connection& c_;
  std::string name_, text_;
  bool prepared_ = false;
  std::vector<std::string> names_;
  int parameter_count_ = 0;
  std::vector<std::optional<std::string>> params_;
  pg_result* result_ = nullptr;
  int row_ = -1;
  bool awaiting_ = false;  // prefetched: its result comes with the connection's next Sync
};

}  // namespace eventd::store
