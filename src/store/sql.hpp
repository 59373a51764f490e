// Connections and prepared statements as the store's use-case code sees them, whatever the engine behind (SQLite
// now; PostgreSQL is to come, issue 11). The names follow SQLiteCpp's (bind, executeStep, exec, reset, getColumn),
// which the code was first written against.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>

namespace eventd::store {

class statement;

// The database cannot be reached (its server is down or restarting): the request is answered 503 and may be tried
// again, unlike a fault of the statement itself.
struct unavailable_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// Another process's transaction got in the way (PostgreSQL with several nodes: a deadlock, a serialization
// failure, or a unique key the other transaction committed first). Nothing is wrong with the job: the writer
// commits what its batch has done so far, which releases this node's locks, and runs the job again on fresh data.
struct conflict_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// A write sent ahead without waiting for its answer (statement::defer on PostgreSQL's pipelined writer connection)
// failed; it is reported by the next statement that waits for an answer, which did not run either. The transaction
// is in error: the writer rolls it back and runs the batch again without sending anything ahead, so that each
// failure reaches the job it belongs to.
struct deferred_error : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// One column of the current row, read as the caller asks (getInt64, getString...).
class column_value {
public:
  column_value(statement& s, int index) : s_(&s), i_(index) {}
  std::int64_t getInt64() const;
  int getInt() const { return static_cast<int>(getInt64()); }
  double getDouble() const;
  std::string getString() const;  // "" for NULL
  bool isNull() const;

private:
  statement* s_;
  int i_;
};

// A prepared statement. Parameters are numbered from 1 ("?", "?1"), or named (":id") and bound by their name.
class statement {
public:
  virtual ~statement() = default;

  template <class T>
    requires std::is_integral_v<T>
  void bind(int index, T value) {
    bind_int(index, static_cast<std::int64_t>(value));
  }
  void bind(int index, double value) { bind_double(index, value); }
  void bind(int index, const std::string& value) { bind_text(index, value); }
  void bind(int index, const char* value) { bind_text(index, value); }
  void bind(int index) { bind_null(index); }  // NULL
  template <class... V>
  void bind(const char* name, V&&... value) {
    bind(index_of(name), std::forward<V>(value)...);
  }

  // The next row: true while there is one.
  virtual bool executeStep() = 0;
  // Runs a statement that returns no rows; answers how many rows it changed.
  virtual int exec() = 0;
  // Runs a statement whose answer nobody reads (its count, its rows). A connection that pipelines (PostgreSQL's
  // writer, while connection::defer_writes is on) only sends it: it runs on the server in order, before the next
  // statement that waits for an answer, and a failure surfaces there as deferred_error. Elsewhere: exec().
  virtual void defer() { exec(); }
  // Sends a query now whose rows are read later (its first executeStep): on a connection that pipelines, queries
  // prefetched one after another travel in one round trip, and each keeps its own rows. Elsewhere the query runs
  // at its first executeStep, as usual.
  virtual void prefetch() {}
  // Ready to run again (bindings stay until the next prepare).
  virtual void reset() = 0;
  column_value getColumn(int index) { return column_value(*this, index); }

  // column_value's reads of the current row.
  virtual std::int64_t int64_at(int index) = 0;
  virtual double double_at(int index) = 0;
  virtual std::string text_at(int index) = 0;
  virtual bool null_at(int index) = 0;

protected:
  virtual void bind_int(int index, std::int64_t) = 0;
  virtual void bind_double(int index, double) = 0;
  virtual void bind_text(int index, const std::string&) = 0;
  virtual void bind_null(int index) = 0;
  virtual int index_of(const char* name) = 0;
};

inline std::int64_t column_value::getInt64() const { return s_->int64_at(i_); }
inline double column_value::getDouble() const { return s_->double_at(i_); }
inline std::string column_value::getString() const { return s_->text_at(i_); }
inline bool column_value::isNull() const { return s_->null_at(i_); }

// A connection with its prepared statements kept, so hot queries are parsed once. Used by one thread at a time.
class connection {
public:
  virtual ~connection() = default;
  // A statement for this SQL, ready to bind, prepared on first use and kept by the text's address: every call site
  // passes a string literal (or text that lives as long as the program).
  virtual statement& prepare(const char* sql) = 0;
  // Resets every statement handed out since the last call, ending any read a half-stepped one keeps open.
  virtual void reset_all() = 0;
  // Runs SQL that returns nothing (several statements may be given at once).
  virtual void execute(const std::string& sql) = 0;
  // The id the last INSERT gave its row.
  virtual std::int64_t last_insert_id() = 0;
  // Whether a transaction is open (after a failure: whether there is one left to roll back).
  virtual bool in_transaction() = 0;
  // Starts the writer's transaction (SQLite takes the write lock at once).
  virtual void begin_write() = 0;
  // The connection is lost for good (a database server that went away): open a new one instead.
  virtual bool broken() const { return false; }
  // For a connection that sat idle (in the read pool): whether it is still usable, found out without waiting. A
  // PostgreSQL server that restarted meanwhile left its goodbye on the socket, unread until now.
  virtual bool still_open() { return !broken(); }
  // How often it has waited for the server's answers (PostgreSQL; 0 for SQLite, which has no server).
  virtual std::uint64_t round_trips() const { return 0; }
  // Whether other processes may write the same database at the same time (PostgreSQL with several nodes), so that a
  // read-decide-write job must lock the rows its decision rests on. SQLite has one writer: nothing to lock.
  virtual bool shared_writers() const { return false; }
  // Whether statement::defer may send without waiting (PostgreSQL's writer connection; no effect elsewhere).
  virtual void defer_writes(bool) {}
  // Whether statement::defer sends without waiting right now.
  virtual bool deferring() const { return false; }
};

// The first column of the first row of a statement without parameters (0 or "" when there is none).
inline std::int64_t scalar_int(connection& c, const char* sql) {
  auto& q = c.prepare(sql);
  const std::int64_t v = q.executeStep() ? q.getColumn(0).getInt64() : 0;
  q.reset();
  return v;
}
inline std::string scalar_text(connection& c, const char* sql) {
  auto& q = c.prepare(sql);
  std::string v = q.executeStep() ? q.getColumn(0).getString() : std::string();
  q.reset();
  return v;
}

}  // namespace eventd::store
