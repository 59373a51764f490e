// PostgreSQL connections behind the store's connection interface (issue 11), through libpq. A connection is used by
// one thread at a time, as SQLite's are: the writer's own thread and the read pool's, never an I/O thread, so a
// call that waits for the server blocks no request but its own.
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

class pg_statement;

class pg_connection final : public connection {
public:
  // `url`: a libpq connection string or postgresql:// URL. Throws std::runtime_error when the server cannot be
  // reached (the message names the host, never the password).
  explicit pg_connection(const std::string& url);
  ~pg_connection() override;
  pg_connection(const pg_connection&) = delete;
  pg_connection& operator=(const pg_connection&) = delete;

  statement& prepare(const char* sql) override;
  void reset_all() override;
  void execute(const std::string& sql) override;
  std::int64_t last_insert_id() override;
  bool in_transaction() override;
  void begin_write() override { execute("BEGIN"); }
  // Whether the connection is still up (false after the server went away).
  bool healthy() const;
  bool broken() const override { return !healthy(); }
  bool shared_writers() const override { return true; }
  pg_conn* native() { return conn_; }

private:
  friend class pg_statement;
  pg_conn* conn_ = nullptr;
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
  void run();
  const char* value(int column);
  pg_connection& c_;
  std::string name_;
  std::vector<std::string> names_;
  int parameter_count_ = 0;
  std::vector<std::optional<std::string>> params_;
  pg_result* result_ = nullptr;
  int row_ = -1;
};

}  // namespace eventd::store
