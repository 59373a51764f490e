#include "store/postgres/pg_connection.hpp"

#include "support/log.hpp"
#include "support/suspend.hpp"

#include <arpa/inet.h>
#include <libpq-fe.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <stdexcept>
#include <thread>
#include <vector>

namespace eventd::store {

std::string postgres_parameters(std::string_view sql, std::vector<std::string>& names) {
  std::string out;
  out.reserve(sql.size() + 8);
  int largest = 0;
  std::map<std::string, int, std::less<>> named;
  auto is_name = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_'; };
  for (std::size_t i = 0; i < sql.size(); ++i) {
    const char c = sql[i];
    if (c == '\'' || c == '"') {  // a literal or a quoted name, with doubled quotes inside
      const auto end = sql.find(c, i + 1);
      const auto stop = end == std::string_view::npos ? sql.size() : end + 1;
      out.append(sql.substr(i, stop - i));
      i = stop - 1;
      continue;
    }
    if (c == '?') {
      std::size_t j = i + 1;
      while (j < sql.size() && sql[j] >= '0' && sql[j] <= '9') ++j;
      const int n = j > i + 1 ? std::atoi(std::string(sql.substr(i + 1, j - i - 1)).c_str()) : largest + 1;
      if (n > largest) largest = n;
      out += '$' + std::to_string(n);
      i = j - 1;
      continue;
    }
    if (c == ':' && i + 1 < sql.size() && sql[i + 1] == ':') {  // a cast
      out += "::";
      ++i;
      continue;
    }
    if (c == ':' && i + 1 < sql.size() && is_name(sql[i + 1]) && !(sql[i + 1] >= '0' && sql[i + 1] <= '9')) {
      std::size_t j = i + 1;
      while (j < sql.size() && is_name(sql[j])) ++j;
      const std::string name(sql.substr(i, j - i));  // with its colon, as bind(":name") names it
      auto it = named.find(name);
      if (it == named.end()) {
        it = named.emplace(name, ++largest).first;
        if (names.size() < static_cast<std::size_t>(largest)) names.resize(static_cast<std::size_t>(largest));
        names[static_cast<std::size_t>(largest - 1)] = name;
      }
      out += '$' + std::to_string(it->second);
      i = j - 1;
      continue;
    }
    out += c;
  }
  if (names.size() < static_cast<std::size_t>(largest)) names.resize(static_cast<std::size_t>(largest));
  return out;
}

std::string postgres_array(const std::vector<std::optional<std::string>>& values) {
  std::string out = "{";
  for (std::size_t i = 0; i < values.size(); ++i) {
    if (i > 0) out += ',';
    if (!values[i]) {
      out += "NULL";
      continue;
    }
    out += '"';
    for (const char ch : *values[i]) {
      if (ch == '"' || ch == '\\') out += '\\';
      out += ch;
    }
    out += '"';
  }
  return out + "}";
}

namespace {

// The connection is non-blocking: every wait for the server is a wait for its socket (support::wait_fd), which
// suspends the handler's fiber on the I/O thread, or polls on a plain thread (the writer's).

// How long a connection may wait for the server's next byte (`limit_ms`, < 0: no limit) before it is taken for
// dead. A server that went away without a word (its host lost power, the network between split) sends no reset: the
// socket would stay quiet for good and the wait with it, holding a handler, a writer and whatever waits on them.
// The limit is the statement timeout and a few seconds more, so a statement the server is still running (or one
// waiting for another node's row lock) always answers first, with its own error if it takes too long.
// At the limit the socket is shut down: libpq then reads its end, reports the connection closed, and every caller
// meets the connection lost, as after a server restart.
// A server silent on one connection is likely silent on all of them (the process has one database): the others,
// opened before, count as lost too (pg_connection::healthy), and the read pool drops them rather than lend them out
// to wait their own full limit one request at a time.
std::atomic<std::uint64_t> silences{0};

}  // namespace

std::uint64_t pg_silences() { return silences; }

namespace {

bool await(PGconn* c, bool read, bool write, int limit_ms) {
  if (support::wait_fd(PQsocket(c), read, write, limit_ms)) return true;
  if (support::waits_cancelled()) {
    support::log_fault("warn", "stopping: a wait for PostgreSQL was cut short", "the stop's deadline passed");
  } else {
    ++silences;
    support::log_fault("warn", "PostgreSQL gave no answer in time; the connection is dropped",
                       "nothing heard for " + std::to_string(limit_ms) + " ms");
  }
  ::shutdown(PQsocket(c), SHUT_RDWR);
  return false;
}

// Sends everything libpq holds. While the socket takes no more, the server's answers are read as they come, so that a
// server blocked on sending to us cannot stall both sides (libpq's advice for PQflush). False: the connection broke.
bool flush(PGconn* c, int limit_ms) {
  for (;;) {
    const int r = PQflush(c);
    if (r == 0) return true;
    if (r < 0) return false;
    if (!await(c, true, true, limit_ms)) return false;
    if (!PQconsumeInput(c)) return false;
  }
}

// PQgetResult without blocking: reads from the socket, waiting for it, until a whole result is there.
PGresult* next_result(PGconn* c, int limit_ms) {
  while (PQisBusy(c)) {
    await(c, true, false, limit_ms);  // on timeout the socket is shut down: the read below finds it closed
    if (!PQconsumeInput(c)) break;  // lost: PQgetResult reports it
  }
  return PQgetResult(c);
}

// What PQexec and friends return, from a command already sent: the last result, or the first that failed.
PGresult* last_result(PGconn* c, int limit_ms) {
  if (!flush(c, limit_ms)) return nullptr;
  PGresult* kept = nullptr;
  while (PGresult* r = next_result(c, limit_ms)) {
    if (kept && PQresultStatus(kept) == PGRES_FATAL_ERROR) {
      PQclear(r);
      continue;
    }
    PQclear(kept);
    kept = r;
    if (PQstatus(c) == CONNECTION_BAD) break;
  }
  return kept;
}

// libpq looks a host name up with getaddrinfo, which blocks: on an I/O thread (a handler's fiber opening a read
// connection) a slow or failing DNS server would stall every request that thread serves, for the resolver's
// timeouts. So a URL naming one host by name has it looked up here, on a thread of its own, while the caller waits
// for it through support::wait_fd (a fiber is suspended); libpq is then given the address (hostaddr) and keeps the
// name (host) for TLS and .pgpass. Unix sockets, numeric addresses, several hosts and a URL's own hostaddr are left
// to libpq. Returns the addresses, or nullopt when there is nothing to look up; throws unavailable_error when the
// name cannot be resolved by `until`.
struct resolved {
  std::string hosts, addresses;  // comma-separated, one to one
};
std::optional<resolved> resolve_host(const std::string& url, std::chrono::steady_clock::time_point until) {
  char* err = nullptr;
  PQconninfoOption* options = PQconninfoParse(url.c_str(), &err);
  if (!options) {
    PQfreemem(err);
    return std::nullopt;  // libpq reports the URL's fault itself
  }
  std::string host, hostaddr;
  for (auto* o = options; o->keyword; ++o) {
    if (!o->val) continue;
    if (std::string_view(o->keyword) == "host") host = o->val;
    if (std::string_view(o->keyword) == "hostaddr") hostaddr = o->val;
  }
  PQconninfoFree(options);
  unsigned char probe[sizeof(in6_addr)];
  if (host.empty() || !hostaddr.empty() || host.front() == '/' || host.front() == '@' ||
      host.find(',') != std::string::npos || ::inet_pton(AF_INET, host.c_str(), probe) == 1 ||
      ::inet_pton(AF_INET6, host.c_str(), probe) == 1)
    return std::nullopt;
  struct lookup {
    int done = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    std::vector<std::string> addresses;
    std::string error;
    ~lookup() {
      if (done >= 0) ::close(done);
    }
  };
  auto l = std::make_shared<lookup>();
  if (l->done < 0) return std::nullopt;
  // Detached: should the caller give up first, the lookup ends by itself and frees what it shares.
  std::thread([l, host] {
    addrinfo hints{};
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    addrinfo* found = nullptr;
    const int rc = ::getaddrinfo(host.c_str(), nullptr, &hints, &found);
    if (rc != 0 || !found) {
      l->error = rc != 0 ? ::gai_strerror(rc) : "no address";
    } else {
      for (auto* f = found; f; f = f->ai_next) {
        char text[INET6_ADDRSTRLEN] = {};
        const void* a = f->ai_family == AF_INET6
                            ? static_cast<const void*>(&reinterpret_cast<sockaddr_in6*>(f->ai_addr)->sin6_addr)
                            : static_cast<const void*>(&reinterpret_cast<sockaddr_in*>(f->ai_addr)->sin_addr);
        if ((f->ai_family != AF_INET && f->ai_family != AF_INET6) || !::inet_ntop(f->ai_family, a, text, sizeof text))
          continue;
        if (std::find(l->addresses.begin(), l->addresses.end(), text) == l->addresses.end())
          l->addresses.emplace_back(text);
      }
      if (l->addresses.empty()) l->error = "no address";
    }
    if (found) ::freeaddrinfo(found);
    const std::uint64_t one = 1;
    [[maybe_unused]] const auto n = ::write(l->done, &one, sizeof one);
  }).detach();
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
  if (!support::wait_fd(l->done, true, false, static_cast<int>(std::max<std::int64_t>(left.count(), 0))))
    throw unavailable_error("cannot connect to PostgreSQL at " + host + ": its name was not resolved in time");
  if (l->addresses.empty())
    throw unavailable_error("cannot connect to PostgreSQL at " + host + ": its name does not resolve (" + l->error + ")");
  // Every address, in the resolver's order, as libpq itself would try them: the name once for each (libpq pairs
  // host and hostaddr lists one to one, and takes a single port for all).
  resolved r;
  for (const auto& a : l->addresses) {
    if (!r.hosts.empty()) {
      r.hosts += ',';
      r.addresses += ',';
    }
    r.hosts += host;
    r.addresses += a;
  }
  return r;
}

// PQconnectdb without blocking: PQconnectStart, then PQconnectPoll each time the socket is ready (at most
// `seconds` in all, the name's lookup included). The connection is non-blocking from then on.
// TCP keepalives and a user timeout unless the URL sets its own: the kernel finds a connection to a server that
// vanished dead within about 25 s when it is idle, and within 10 s of sending something the server never
// acknowledged (libpq ignores both on a Unix socket). The URL's own values override these.
PGconn* connect(const std::string& url, int seconds) {
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(seconds);
  const auto address = resolve_host(url, until);
  const char* keys[] = {"keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout",
                        "dbname", address ? "host" : nullptr, "hostaddr", nullptr};
  const char* values[] = {"1", "10", "5", "3", "10000", url.c_str(), address ? address->hosts.c_str() : nullptr,
                          address ? address->addresses.c_str() : nullptr, nullptr};
  PGconn* c = PQconnectStartParams(keys, values, 1);
  if (!c || PQstatus(c) == CONNECTION_BAD) return c;
  auto polled = PGRES_POLLING_WRITING;
  while (polled != PGRES_POLLING_OK && polled != PGRES_POLLING_FAILED) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
    if (left.count() <= 0 ||
        !support::wait_fd(PQsocket(c), polled == PGRES_POLLING_READING, polled == PGRES_POLLING_WRITING,
                          static_cast<int>(left.count())))
      return c;  // still CONNECTION_STARTED: the caller reports the timeout
    polled = PQconnectPoll(c);
  }
  if (polled == PGRES_POLLING_OK) PQsetnonblocking(c, 1);
  return c;
}

void check(PGresult* r, pg_conn* c, const char* what) {
  const auto status = PQresultStatus(r);
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return;
  std::string msg = std::string(what) + ": " + (r ? PQresultErrorMessage(r) : PQerrorMessage(c));
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  const std::string sqlstate = state ? state : "";
  PQclear(r);
  // A connection the server closed (a restart, a crash): nothing wrong with the statement.
  if (!c || PQstatus(c) != CONNECTION_OK) throw unavailable_error(msg);
  // Another node's transaction: serialization failure, deadlock, a unique key it committed first.
  if (sqlstate == "40001" || sqlstate == "40P01" || sqlstate == "23505") throw conflict_error(msg);
  // The server is shutting down or refuses connections for now (admin shutdown, crash recovery, too many clients).
  if (sqlstate.starts_with("57P") || sqlstate == "53300") throw unavailable_error(msg);
  // The statement timeout (or a cancel): the database could not do it in time, e.g. another node's lock held it up.
  if (sqlstate == "57014") throw unavailable_error(msg);
  throw std::runtime_error(msg);
}

}  // namespace

pg_connection::pg_connection(const std::string& url, pg_limits limits)
    : answer_limit_ms_(limits.answer_limit_ms()), silences_at_open_(silences) {
  conn_ = connect(url, 10);
  if (!conn_ || PQstatus(conn_) != CONNECTION_OK) {
    std::string host = conn_ && PQhost(conn_) ? PQhost(conn_) : "?";
    std::string msg = !conn_ ? "out of memory" : PQstatus(conn_) == CONNECTION_BAD ? PQerrorMessage(conn_) : "no answer within 10 s";
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    if (conn_) PQfinish(conn_);
    conn_ = nullptr;
    throw unavailable_error("cannot connect to PostgreSQL at " + host + ": " + msg);
  }
  // Quiet notices (e.g. "relation exists, skipping") instead of libpq's default print to stderr.
  PQsetNoticeProcessor(conn_, [](void*, const char*) {}, nullptr);
  // In one round trip:
  // - No statement of a request may hold a connection (and its locks) for long: a stuck one fails after the statement
  //   timeout (30 s as shipped) instead of stalling the writer and every node waiting on its locks. 0: none
  //   (migrations).
  // - A transaction left waiting for its client half that long is ended by the server, and its row locks with it: a
  //   node that vanished in the middle of a batch (no reset reached the server) holds no event up for the other
  //   nodes, whose statements wait for those locks at most the whole timeout. A writer's transaction never waits
  //   for anything but the database.
  // - The server's keepalives find such a client dead within about 25 s when it is idle (TCP only).
  const auto ms = std::to_string(std::max(limits.statement_timeout_ms, 0));
  execute("SET client_min_messages = warning; SET statement_timeout = " + ms +
          "; SET idle_in_transaction_session_timeout = " + std::to_string(std::max(limits.statement_timeout_ms, 0) / 2) +
          "; SET tcp_keepalives_idle = 10; SET tcp_keepalives_interval = 5; SET tcp_keepalives_count = 3");
}

pg_connection::~pg_connection() {
  cache_.clear();
  if (conn_) PQfinish(conn_);
}

statement& pg_connection::prepare(const char* sql) {
  auto& slot = cache_[static_cast<const void*>(sql)];
  if (!slot) slot = std::make_unique<pg_statement>(*this, sql);
  else slot->clear();
  used_.push_back(slot.get());
  return *slot;
}

void pg_connection::reset_all() {
  for (auto* s : used_) s->reset();
  used_.clear();
}

void pg_connection::execute(const std::string& sql) { PQclear(run_text(sql.c_str())); }

std::int64_t pg_connection::last_insert_id() {
  PGresult* r = run_text("SELECT lastval()");
  const std::int64_t v = PQntuples(r) > 0 ? std::strtoll(PQgetvalue(r, 0, 0), nullptr, 10) : 0;
  PQclear(r);
  return v;
}

void pg_connection::begin_write() {
  if (pipelined_ && deferring_)
    prepare("BEGIN").defer();  // goes with the transaction's first statement that waits
  else
    execute("BEGIN");
}

void pg_connection::pipeline() {
  if (pipelined_) return;
  if (PQenterPipelineMode(conn_) != 1) throw std::runtime_error("PostgreSQL: cannot enter pipeline mode");
  pipelined_ = true;
}

PGresult* pg_connection::run_text(const char* sql) {
  if (!pipelined_) {
    PGresult* r = PQsendQuery(conn_, sql) == 1 ? last_result(conn_, answer_limit_ms_) : nullptr;
    check(r, conn_, "PostgreSQL");
    return r;
  }
  if (PQsendQueryParams(conn_, sql, 0, nullptr, nullptr, nullptr, nullptr, 0) != 1) {
    lost_ = true;
    throw unavailable_error(std::string("PostgreSQL: ") + PQerrorMessage(conn_));
  }
  return sync_results(true);
}

PGresult* pg_connection::sync_results(bool last_is_callers) {
  ++round_trips_;
  const auto keepers = std::move(pending_);
  pending_.clear();
  // Statements prepared in this round trip: if anything in it failed, each is prepared again at its next use (under
  // a new name), whether or not its own PREPARE was reached.
  const auto preparing = std::move(preparing_);
  preparing_.clear();
  struct unprepare_unless_done {
    const std::vector<pg_statement*>& statements;
    bool done = false;
    ~unprepare_unless_done() {
      if (!done)
        for (auto* s : statements) s->prepared_ = false;
    }
  } prepared{preparing};
  const int sent = static_cast<int>(keepers.size()) + (last_is_callers ? 1 : 0);
  const auto gone = [this](PGresult* a, PGresult* b) {
    PQclear(a);
    PQclear(b);
    lost_ = true;
    std::string msg = std::string("PostgreSQL: the connection was lost: ") + PQerrorMessage(conn_);
    while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
    return unavailable_error(msg);
  };
  if (PQpipelineSync(conn_) != 1 || !flush(conn_, answer_limit_ms_)) throw gone(nullptr, nullptr);
  PGresult* last = nullptr;    // the caller's statement's result
  PGresult* failed = nullptr;  // the first statement that failed
  int failed_at = -1;
  int done = 0;  // statements whose results are all read (PQgetResult answered NULL after them)
  for (;;) {
    PGresult* r = next_result(conn_, answer_limit_ms_);
    if (!r) {
      // Each statement's results end with a NULL; more NULLs than statements, or a closed connection, and the Sync
      // is never coming.
      if (++done > sent + 1 || PQstatus(conn_) != CONNECTION_OK) throw gone(last, failed);
      continue;
    }
    const auto status = PQresultStatus(r);
    if (status == PGRES_PIPELINE_SYNC) {
      PQclear(r);
      break;
    }
    pg_statement* keeper = done < static_cast<int>(keepers.size()) ? keepers[static_cast<std::size_t>(done)] : nullptr;
    if (status == PGRES_FATAL_ERROR && !failed) {
      failed = r;
      failed_at = done;
    } else if (keeper && keeper->awaiting_ && status == PGRES_TUPLES_OK) {
      keeper->awaiting_ = false;  // a prefetched query's rows, for its executeStep
      PQclear(keeper->result_);
      keeper->result_ = r;
      keeper->row_ = -1;
    } else if (last_is_callers && done == sent - 1 && (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)) {
      PQclear(last);
      last = r;
    } else {
      PQclear(r);  // a deferred statement's answer, or one skipped after a failure
    }
  }
  for (auto* k : keepers)
    if (k) k->awaiting_ = false;  // after a failure: those not reached have no rows to wait for
  if (!failed) {
    prepared.done = true;
    return last;
  }
  PQclear(last);
  if (PQstatus(conn_) != CONNECTION_OK) throw gone(failed, nullptr);
  if (last_is_callers && failed_at == sent - 1) check(failed, conn_, "PostgreSQL");  // the caller's own: throws
  std::string msg = std::string("PostgreSQL, a write sent ahead: ") + PQresultErrorMessage(failed);
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  PQclear(failed);
  throw deferred_error(msg);
}

bool pg_connection::in_transaction() {
  const auto s = PQtransactionStatus(conn_);
  return s == PQTRANS_INTRANS || s == PQTRANS_INERROR || s == PQTRANS_ACTIVE;
}

bool pg_connection::still_open() {
  // Idle, nothing should come from the server: anything readable is most likely its goodbye (a FATAL error, then
  // the close, which libpq would only find at the next read). Such a connection is given up; should it have been
  // something else, the cost is one new connection.
  pollfd p{PQsocket(conn_), POLLIN, 0};
  if (healthy() && ::poll(&p, 1, 0) != 0) lost_ = true;
  return healthy();
}

bool pg_connection::healthy() const {
  return conn_ && !lost_ && PQstatus(conn_) == CONNECTION_OK && silences_at_open_ == silences.load();
}

pg_statement::pg_statement(pg_connection& c, const char* sql) : c_(c) {
  const auto text = postgres_parameters(sql, names_);
  parameter_count_ = static_cast<int>(names_.size());
  params_.assign(names_.size(), std::nullopt);
  text_ = text;
  ensure_prepared();
}

void pg_statement::ensure_prepared() {
  if (prepared_) return;
  name_ = "s" + std::to_string(c_.next_name_++);  // a new name: an earlier attempt may have been prepared after all
  if (c_.pipelined_) {
    if (PQsendPrepare(c_.conn_, name_.c_str(), text_.c_str(), 0, nullptr) != 1) {
      c_.lost_ = true;
      throw unavailable_error(std::string("PostgreSQL: ") + PQerrorMessage(c_.conn_));
    }
    prepared_ = true;
    if (c_.deferring_) {  // goes with the next statement that waits, usually this one's first run
      c_.pending_.push_back(nullptr);
      c_.preparing_.push_back(this);
      return;
    }
    try {
      PQclear(c_.sync_results(true));
    } catch (...) {
      prepared_ = false;
      throw;
    }
    return;
  }
  PGresult* r = PQsendPrepare(c_.conn_, name_.c_str(), text_.c_str(), 0, nullptr) == 1 ? last_result(c_.conn_, c_.answer_limit_ms_) : nullptr;
  check(r, c_.conn_, "prepare");
  PQclear(r);
  prepared_ = true;
}

pg_statement::~pg_statement() {
  if (result_) PQclear(result_);
}

void pg_statement::clear() {
  reset();
  params_.assign(names_.size(), std::nullopt);
}

void pg_statement::reset() {
  awaiting_ = false;
  if (result_) PQclear(result_);
  result_ = nullptr;
  row_ = -1;
}

std::vector<const char*> pg_statement::bound() const {
  std::vector<const char*> values(params_.size());
  for (std::size_t i = 0; i < params_.size(); ++i) values[i] = params_[i] ? params_[i]->c_str() : nullptr;
  return values;
}

void pg_statement::send() {
  ensure_prepared();
  const auto values = bound();
  reset();
  if (PQsendQueryPrepared(c_.conn_, name_.c_str(), parameter_count_, values.data(), nullptr, nullptr, 0) != 1) {
    c_.lost_ = true;
    throw unavailable_error(std::string("PostgreSQL: ") + PQerrorMessage(c_.conn_));
  }
}

void pg_statement::defer() {
  if (!c_.pipelined_ || !c_.deferring_) {
    exec();
    return;
  }
  send();
  c_.pending_.push_back(nullptr);
  // A bound on what waits unread: the answers of a long batch are read every so often.
  if (c_.pending_.size() >= 256) PQclear(c_.sync_results(false));
}

void pg_statement::prefetch() {
  if (!c_.pipelined_ || !c_.deferring_) return;  // runs at its first executeStep
  send();
  awaiting_ = true;
  c_.pending_.push_back(this);
}

void pg_statement::run() {
  if (c_.pipelined_) {
    send();
    result_ = c_.sync_results(true);
    if (!result_) throw std::runtime_error("PostgreSQL: a statement gave no result");
    return;
  }
  ensure_prepared();
  const auto values = bound();
  reset();
  result_ = PQsendQueryPrepared(c_.conn_, name_.c_str(), parameter_count_, values.data(), nullptr, nullptr, 0) == 1
                ? last_result(c_.conn_, c_.answer_limit_ms_)
                : nullptr;
  const auto status = PQresultStatus(result_);
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    PGresult* r = result_;
    result_ = nullptr;
    check(r, c_.conn_, "PostgreSQL");
  }
}

bool pg_statement::executeStep() {
  if (awaiting_) {
    PQclear(c_.sync_results(false));  // its rows, and those of every statement sent before it
    if (!result_) throw std::runtime_error("PostgreSQL: a prefetched query gave no rows");
  }
  if (!result_) run();
  ++row_;
  return row_ < PQntuples(result_);
}

int pg_statement::exec() {
  run();
  const char* n = PQcmdTuples(result_);
  return n && *n ? std::atoi(n) : 0;
}

const char* pg_statement::value(int column) {
  if (!result_ || row_ < 0 || row_ >= PQntuples(result_) || column < 0 || column >= PQnfields(result_))
    throw std::runtime_error("PostgreSQL: no such column in the current row");
  return PQgetvalue(result_, row_, column);
}

std::int64_t pg_statement::int64_at(int i) {
  const char* v = value(i);
  if (v[0] == 't' && v[1] == 0) return 1;  // a boolean expression
  if (v[0] == 'f' && v[1] == 0) return 0;
  return std::strtoll(v, nullptr, 10);
}
double pg_statement::double_at(int i) { return std::strtod(value(i), nullptr); }
std::string pg_statement::text_at(int i) { return value(i); }
bool pg_statement::null_at(int i) {
  value(i);
  return PQgetisnull(result_, row_, i) != 0;
}

void pg_statement::bind_int(int i, std::int64_t v) {
  if (i >= 1 && i <= parameter_count_) params_[static_cast<std::size_t>(i - 1)] = std::to_string(v);
  else throw std::runtime_error("PostgreSQL: no parameter " + std::to_string(i));
}
void pg_statement::bind_double(int i, double v) {
  char buf[40];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  bind_text(i, buf);
}
void pg_statement::bind_text(int i, const std::string& v) {
  if (i >= 1 && i <= parameter_count_) params_[static_cast<std::size_t>(i - 1)] = v;
  else throw std::runtime_error("PostgreSQL: no parameter " + std::to_string(i));
}
void pg_statement::bind_null(int i) {
  if (i >= 1 && i <= parameter_count_) params_[static_cast<std::size_t>(i - 1)] = std::nullopt;
  else throw std::runtime_error("PostgreSQL: no parameter " + std::to_string(i));
}
int pg_statement::index_of(const char* name) {
  for (std::size_t i = 0; i < names_.size(); ++i)
    if (names_[i] == name) return static_cast<int>(i) + 1;
  throw std::runtime_error(std::string("PostgreSQL: no parameter ") + name);
}

}  // namespace eventd::store
