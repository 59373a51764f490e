#include "http/server.hpp"
#include "support/log.hpp"
#include "support/suspend.hpp"

#include "http/url.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/asio/experimental/parallel_group.hpp>
#include <boost/asio/spawn.hpp>
#include <boost/context/stack_context.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <poll.h>
#include <sys/mman.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <limits>
#include <unordered_map>

namespace eventd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

using support::json_escape;

// A bounded label for metrics and logs: the methods this server knows, everything else as one word.
const char* method_label(bhttp::verb v) {
  switch (v) {
    case bhttp::verb::get: return "GET";
    case bhttp::verb::head: return "HEAD";
    case bhttp::verb::post: return "POST";
    case bhttp::verb::put: return "PUT";
    case bhttp::verb::patch: return "PATCH";
    case bhttp::verb::delete_: return "DELETE";
    case bhttp::verb::options: return "OPTIONS";
    default: return "OTHER";
  }
}

std::string problem_body(int status, std::string_view title, std::string_view detail) {
  return "{\"type\":\"about:blank\",\"title\":\"" + json_escape(title) + "\",\"status\":" + std::to_string(status) +
         ",\"detail\":\"" + json_escape(detail) + "\"}";
}

api::response plain_problem(int status, std::string_view title, std::string_view detail) {
  api::response r;
  r.status = status;
  r.content_type = "application/problem+json";
  r.body = problem_body(status, title, detail);
  return r;
}

void add_security_headers(bhttp::response<bhttp::string_body>& res) {
  res.set("Content-Security-Policy",
          "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' blob:; "
          "connect-src 'self'; worker-src 'self'; manifest-src 'self'; object-src 'none'; base-uri 'none'; "
          "form-action 'self'; frame-ancestors 'none'");
  res.set("X-Content-Type-Options", "nosniff");
  res.set("X-Frame-Options", "DENY");
  res.set("Referrer-Policy", "no-referrer");
  res.set("Permissions-Policy", "camera=(self), microphone=(), geolocation=()");
  res.set("Cross-Origin-Opener-Policy", "same-origin");
}

// A handler fiber's waits (support::suspender): the fiber yields to its I/O thread until the socket is ready, the time
// is up or, with both directions asked for, either comes first.
class fiber_suspender final : public support::suspender {
public:
  fiber_suspender(asio::yield_context yield, api::metrics& m) : yield_(std::move(yield)), metrics_(m) {}

  bool wait_fd(int fd, bool read, bool write, int timeout_ms) override {
    ++metrics_.fiber_suspensions;
    auto ex = yield_.get_executor();
    // The caller's descriptor stays the caller's: registered for this wait and released (not closed) after it. If
    // another fiber waits on it already (epoll takes a descriptor once), on a duplicate instead.
    asio::posix::stream_descriptor socket(ex);
    boost::system::error_code ec;
    socket.assign(fd, ec);
    const bool borrowed = !ec;
    if (!borrowed) {
      const int own = ::dup(fd);
      if (own < 0) {  // out of descriptors: wait on this thread
        pollfd p{fd, static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0)), 0};
        return ::poll(&p, 1, timeout_ms) != 0;
      }
      socket.assign(own);
    }
    struct give_back {
      asio::posix::stream_descriptor& s;
      bool borrowed;
      ~give_back() {
        if (borrowed) s.release();
      }
    } back{socket, borrowed};
    using wait = asio::posix::descriptor_base::wait_type;
    const wait one = read ? wait::wait_read : wait::wait_write;
    if (timeout_ms < 0 && read != write) {  // the common case: one direction, no time limit
      socket.async_wait(one, yield_[ec]);
      return true;
    }
    using asio::experimental::make_parallel_group;
    using asio::experimental::wait_for_one;
    if (timeout_ms < 0) {
      auto [order, e1, e2] = make_parallel_group(socket.async_wait(wait::wait_read, asio::deferred),
                                                 socket.async_wait(wait::wait_write, asio::deferred))
                                 .async_wait(wait_for_one(), yield_);
      return true;
    }
    asio::steady_timer timer(ex, std::chrono::milliseconds(timeout_ms));
    if (read && write) {
      auto [order, e1, e2, e3] = make_parallel_group(socket.async_wait(wait::wait_read, asio::deferred),
                                                     socket.async_wait(wait::wait_write, asio::deferred),
                                                     timer.async_wait(asio::deferred))
                                     .async_wait(wait_for_one(), yield_);
      return order[0] != 2;
    }
    auto [order, e1, e2] = make_parallel_group(socket.async_wait(one, asio::deferred), timer.async_wait(asio::deferred))
                               .async_wait(wait_for_one(), yield_);
    return order[0] == 0;
  }

  void sleep_ms(int ms) override {
    ++metrics_.fiber_suspensions;
    asio::steady_timer timer(yield_.get_executor(), std::chrono::milliseconds(ms));
    boost::system::error_code ec;
    timer.async_wait(yield_[ec]);
  }

private:
  asio::yield_context yield_;
  api::metrics& metrics_;
};

// The fibers' stacks, each with a guard page below it (an overflow faults instead of overwriting memory). Stacks of
// fibers that ended are kept for the next ones: a fresh mapping per request cost a mmap, mprotect and munmap, and
// each munmap interrupts the other cores. Not under AddressSanitizer, whose records of a stack end with its fiber.
class stack_pool {
public:
  stack_pool(std::size_t size, std::size_t keep) : keep_(keep) {
    page_ = static_cast<std::size_t>(::sysconf(_SC_PAGESIZE));
    size_ = (size + page_ - 1) / page_ * page_;
  }
  ~stack_pool() {
    for (void* base : free_) ::munmap(base, size_ + page_);
  }
  stack_pool(const stack_pool&) = delete;
  stack_pool& operator=(const stack_pool&) = delete;

  boost::context::stack_context allocate() {
    void* base = nullptr;
#if !defined(BOOST_USE_ASAN)
    {
      std::lock_guard lock(mutex_);
      if (!free_.empty()) {
        base = free_.back();
        free_.pop_back();
      }
    }
#endif
    if (!base) {
      base = ::mmap(nullptr, size_ + page_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
      if (base == MAP_FAILED) throw std::bad_alloc();
      ::mprotect(base, page_, PROT_NONE);
    }
    boost::context::stack_context sc;
    sc.size = size_;
    sc.sp = static_cast<char*>(base) + page_ + size_;
    return sc;
  }

  void deallocate(boost::context::stack_context& sc) {
    void* base = static_cast<char*>(sc.sp) - size_ - page_;
#if !defined(BOOST_USE_ASAN)
    {
      std::lock_guard lock(mutex_);
      if (free_.size() < keep_) {
        free_.push_back(base);
        return;
      }
    }
#endif
    ::munmap(base, size_ + page_);
  }

private:
  std::size_t page_ = 4096, size_ = 0, keep_ = 0;
  std::mutex mutex_;
  std::vector<void*> free_;
};

// Boost.Context's stack allocator, lending from a stack_pool.
struct pooled_stack {
  stack_pool* pool;
  boost::context::stack_context allocate() { return pool->allocate(); }
  void deallocate(boost::context::stack_context& sc) { pool->deallocate(sc); }
};

class server_impl final : public server {
public:
  server_impl(const options& o, const api::router& r, api::metrics& m)
      : opts_(o), router_(r), metrics_(m), ioc_(o.threads), acceptor_(ioc_), signals_(ioc_, SIGINT, SIGTERM) {}

  ~server_impl() override {
    // Frames of sessions still suspended in the io_context are destroyed with it; they touch the members
    // declared before ioc_, which are destroyed after it.
    boost::system::error_code ignored;
    acceptor_.close(ignored);
  }

  std::string listen() override {
    tcp::endpoint ep(asio::ip::make_address(opts_.host), opts_.port);
    acceptor_.open(ep.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(ep);
    acceptor_.listen(asio::socket_base::max_listen_connections);
    const auto bound = acceptor_.local_endpoint();
    std::string host = bound.address().to_string();
    if (bound.address().is_v6()) host = "[" + host + "]";
    return "http://" + host + ":" + std::to_string(bound.port());
  }

  void run() override {
    asio::co_spawn(ioc_, accept_loop(), log_failure("accept loop"));
    if (opts_.log_requests) asio::co_spawn(ioc_, log_flusher(), log_failure("request log"));
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) begin_shutdown();
    });
    std::vector<std::thread> pool;
    for (int i = 1; i < opts_.threads; ++i) pool.emplace_back([this] { run_io(); });
    run_io();
    for (auto& t : pool) t.join();
    std::lock_guard lock(log_mutex_);
    flush_log();
  }

private:
  // Nothing may escape into io_context::run(): a stray exception is logged and the thread goes on serving.
  void run_io() {
    for (;;) {
      try {
        ioc_.run();
        return;
      } catch (const std::exception& e) {
        log_line("error", "unhandled exception on an I/O thread", e.what());
      }
    }
  }

  // Completion of a detached coroutine: an exception that got this far is logged, never lost silently.
  std::function<void(std::exception_ptr)> log_failure(const char* what) {
    return [this, what](std::exception_ptr e) {
      if (!e) return;
      try {
        std::rethrow_exception(e);
      } catch (const std::exception& x) {
        log_line("error", what, x.what());
      } catch (...) {
        log_line("error", what, "unknown exception");
      }
    };
  }

  void log_line(const char* level, const char* msg, std::string_view error) {
    const std::string line = std::string("{\"level\":\"") + level + "\",\"msg\":\"" + msg + "\",\"error\":\"" +
                             json_escape(error.substr(0, 500)) + "\"}\n";
    std::lock_guard lock(log_mutex_);
    std::fwrite(line.data(), 1, line.size(), stderr);
  }

  void begin_shutdown() {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    // Idle keep-alive connections have nothing to finish: close them now. Busy ones finish their request.
    shed_idle(std::numeric_limits<std::size_t>::max(), false);
    if (opts_.live) opts_.live->close_all();
    asio::co_spawn(ioc_, drain(), log_failure("drain"));
  }

  awaitable<void> drain() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(opts_.drain_seconds);
    // A handler's fiber can still be finishing after its request was answered: the io_context runs until it is done.
    const auto busy = [this] {
      return in_flight_.load() > 0 || metrics_.handler_fibers.load() > 0 || (opts_.live && opts_.live->open() > 0);
    };
    while (busy() && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(tuple_awaitable);
    }
    if (busy()) log_line("warn", "shutdown: requests or live sockets still open after the drain deadline", "");
    ioc_.stop();
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), tuple_awaitable);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors and the like: make room by closing idle connections, pause briefly, go on.
        shed_idle(8, true);
        asio::steady_timer t(ioc_, std::chrono::milliseconds(50));
        co_await t.async_wait(tuple_awaitable);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto ex = socket.get_executor();
      asio::co_spawn(ex, session(std::move(socket)), log_failure("connection"));
    }
  }

  // Connections known to the server, for the caps and for closing idle ones. Touched under conns_mutex_; an entry's
  // stream is used only on that connection's strand.
  struct connection_entry {
    beast::tcp_stream* stream = nullptr;
    std::string address;
    bool idle = false;
  };
  enum class admission { ok, over_total, over_address };

  admission admit(std::uint64_t& id, const std::string& address, beast::tcp_stream* stream) {
    std::size_t total = 0;
    admission verdict = admission::ok;
    {
      std::lock_guard lock(conns_mutex_);
      id = ++next_connection_id_;
      conns_.emplace(id, connection_entry{stream, address, false});
      const int mine = ++per_address_[address];
      total = conns_.size();
      if (mine > opts_.max_connections_per_address && !(opts_.uncapped_peer && opts_.uncapped_peer(address)))
        verdict = admission::over_address;
      else if (static_cast<int>(total) > opts_.max_connections) verdict = admission::over_total;
    }
    // Near the cap, idle keep-alive connections make room for clients with something to ask.
    if (verdict != admission::over_address && total * 8 >= static_cast<std::size_t>(opts_.max_connections) * 7)
      shed_idle(16, true);
    return verdict;
  }

  void release(std::uint64_t id) {
    std::lock_guard lock(conns_mutex_);
    auto it = conns_.find(id);
    if (it == conns_.end()) return;
    auto pa = per_address_.find(it->second.address);
    if (pa != per_address_.end() && --pa->second <= 0) per_address_.erase(pa);
    conns_.erase(it);
  }

  void set_idle(std::uint64_t id, bool idle) {
    std::lock_guard lock(conns_mutex_);
    auto it = conns_.find(id);
    if (it != conns_.end()) it->second.idle = idle;
  }

  // Closes up to `count` connections that wait idle for their next request. Each is cancelled on its own strand,
  // where its entry is checked again: a connection that got busy meanwhile is left alone.
  void shed_idle(std::size_t count, bool counted) {
    std::vector<std::pair<std::uint64_t, asio::any_io_executor>> chosen;
    {
      std::lock_guard lock(conns_mutex_);
      for (auto& [id, e] : conns_) {
        if (chosen.size() >= count) break;
        if (e.idle) chosen.emplace_back(id, e.stream->get_executor());
      }
    }
    for (auto& [id, ex] : chosen) {
      asio::post(ex, [this, id = id, counted] {
        std::lock_guard lock(conns_mutex_);
        auto it = conns_.find(id);
        if (it == conns_.end() || !it->second.idle) return;
        it->second.stream->cancel();
        if (counted) ++metrics_.shed_connections;
      });
    }
  }

  // Hands the request to the router and resumes on this connection's strand with its answer. Every request gets
  // exactly one answer: a handler that throws, or drops its responder without calling it, yields a 500.
  template <class Token>
  auto async_dispatch(api::request& req, Token&& token) {
    return asio::async_initiate<Token, void(api::response)>(
        [this, &req](auto handler) {
          using handler_t = decltype(handler);
          struct once {
            server_impl* self;
            handler_t h;
            asio::executor_work_guard<asio::associated_executor_t<handler_t>> work;
            std::atomic<bool> answered{false};
            once(server_impl* s, handler_t&& hh)
                : self(s), h(std::move(hh)), work(asio::make_work_guard(asio::get_associated_executor(h))) {}
            void answer(api::response res) {
              if (answered.exchange(true)) return;
              auto ex = work.get_executor();
              asio::post(ex, [h = std::move(h), res = std::move(res)]() mutable { h(std::move(res)); });
              work.reset();
            }
            ~once() {
              if (answered.load()) return;
              ++self->metrics_.handler_failures;
              self->log_line("error", "a handler dropped its request without answering", "");
              answer(self->internal_error("(no answer)"));
            }
          };
          auto state = std::make_shared<once>(this, std::move(handler));
          auto found = router_.resolve(req);  // once: it decides where the handler runs, then runs it
          if ((opts_.offload || opts_.fibers) && found.waits_on_store()) {
            offloaded_dispatch(req, std::move(found), state);
            return;
          }
          try {
            router_.dispatch(req, std::move(found), [state](api::response res) { state->answer(std::move(res)); });
          } catch (const std::exception& e) {
            ++metrics_.handler_failures;
            log_line("error", "handler failed", e.what());
            state->answer(internal_error("(handler failed)"));
          }
        },
        token);
  }

  // The handler off the I/O threads' plain course (offload()). `req` belongs to the connection, which may let it go as soon as the
  // answer arrives: an answer given while the handler still runs is held until the handler has returned.
  template <class State>
  void offloaded_dispatch(api::request& req, api::resolution found, std::shared_ptr<State> state) {
    struct running {
      std::mutex m;
      bool returned = false;
      std::optional<api::response> held;
    };
    auto run = std::make_shared<running>();
    api::responder respond = [state, run](api::response res) {
      {
        std::lock_guard lock(run->m);
        if (!run->returned) {
          run->held = std::move(res);
          return;
        }
      }
      state->answer(std::move(res));
    };
    const bool queued = offload([this, &req, found = std::move(found), state, run, respond]() mutable {
      try {
        router_.dispatch(req, std::move(found), respond);
      } catch (const std::exception& e) {
        ++metrics_.handler_failures;
        log_line("error", "handler failed", e.what());
        respond(internal_error("(handler failed)"));
      }
      std::optional<api::response> held;
      {
        std::lock_guard lock(run->m);
        run->returned = true;
        held.swap(run->held);
      }
      if (held) state->answer(std::move(*held));
    });
    if (queued) return;
    auto busy = plain_problem(503, "Busy", "the server has too many requests waiting; retry shortly");
    busy.headers.emplace_back("Retry-After", "2");
    busy.route = "(busy)";
    state->answer(std::move(busy));
  }

  // Runs `f` off the I/O threads' plain course: as a fiber on them (options::fibers) or on options::offload's threads.
  // At most options::max_fibers fibers run at once; the next requests wait in order for one to end (at most 4096,
  // then false: the request is answered 503), as on a pool of that many threads.
  bool offload(std::function<void()> f) {
    if (!opts_.fibers) return opts_.offload(std::move(f));
    {
      std::lock_guard lock(fiber_mutex_);
      if (metrics_.handler_fibers.load() >= opts_.max_fibers) {
        if (fiber_queue_.size() >= 4096) return false;
        fiber_queue_.push_back(std::move(f));
        ++metrics_.handler_fibers_queued;
        return true;
      }
      ++metrics_.handler_fibers;
    }
    start_fiber(std::move(f));
    return true;
  }

  void start_fiber(std::function<void()> f) {
    asio::spawn(
        ioc_, std::allocator_arg, pooled_stack{&stacks_},
        [this, f = std::move(f)](asio::yield_context yield) mutable {
          fiber_suspender waits(yield, metrics_);
          support::suspender_scope scope(waits);
          f();  // answers for itself, whatever its handler throws
        },
        [this](std::exception_ptr e) {
          fiber_ended();
          if (!e) return;
          try {
            std::rethrow_exception(e);
          } catch (const std::exception& x) {
            log_line("error", "a handler's fiber failed", x.what());
          } catch (...) {
            log_line("error", "a handler's fiber failed", "(unknown)");
          }
        });
  }

  // A fiber ended: the first request waiting for one runs in its place.
  void fiber_ended() {
    std::function<void()> next;
    {
      std::lock_guard lock(fiber_mutex_);
      if (fiber_queue_.empty()) {
        --metrics_.handler_fibers;
        return;
      }
      next = std::move(fiber_queue_.front());
      fiber_queue_.pop_front();
      --metrics_.handler_fibers_queued;
    }
    start_fiber(std::move(next));
  }

  api::response internal_error(const char* route) {
    auto r = plain_problem(500, "Internal error", "the server failed to answer this request; it has been logged");
    r.route = route;
    return r;
  }

  awaitable<void> write_plain(beast::tcp_stream& stream, int status, const char* title, const char* detail, unsigned version,
                              bool retry_later = false) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version};
    res.set(bhttp::field::content_type, "application/problem+json");
    add_security_headers(res);
    if (retry_later) res.set(bhttp::field::retry_after, "2");
    res.keep_alive(false);
    res.body() = problem_body(status, title, detail);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(stream, res, tuple_awaitable);
  }

  // After refusing a request whose body is still arriving: stop sending, then read and drop what the client is
  // still writing (2 s, 16 MiB at most). Closing at once would reset the connection, and the client could lose
  // our answer before reading it.
  awaitable<void> linger(beast::tcp_stream& stream) {
    boost::system::error_code ec;
    stream.socket().shutdown(tcp::socket::shutdown_send, ec);
    std::vector<char> scratch(64 * 1024);
    std::size_t dropped = 0;
    stream.expires_after(std::chrono::seconds(2));
    while (dropped < 16 * 1024 * 1024) {
      auto [rec, n] = co_await stream.async_read_some(asio::buffer(scratch), tuple_awaitable);
      if (rec) break;
      dropped += n;
    }
  }

  // Turns Beast's message into the handlers' request; false with `why` when the target cannot be decoded.
  static bool build_request(bhttp::request<bhttp::string_body>& in, api::request& req, std::string& why) {
    req.method = std::string(in.method_string());
    req.target = std::string(in.target());
    auto decoded = decode_target(req.target, why);
    if (!decoded) return false;
    req.path = std::move(decoded->path);
    req.segments = std::move(decoded->segments);
    req.query = std::move(decoded->query);
    for (const auto& f : in) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      req.headers[name] = std::string(f.value());
    }
    req.body = std::move(in.body());
    return true;
  }

  awaitable<void> session(tcp::socket socket) {
    struct connection_count {
      api::metrics& m;
      explicit connection_count(api::metrics& mm) : m(mm) { ++m.open_connections; }
      ~connection_count() { --m.open_connections; }
    } counted(metrics_);
    boost::system::error_code rec;
    const auto remote = socket.remote_endpoint(rec);
    const std::string address = rec ? std::string("unknown") : remote.address().to_string();
    beast::tcp_stream stream(std::move(socket));
    std::uint64_t id = 0;
    const auto verdict = admit(id, address, &stream);
    struct registration {
      server_impl* self;
      std::uint64_t id;
      ~registration() { self->release(id); }
    } registered{this, id};
    if (verdict == admission::over_address) {
      ++metrics_.refused_connections;
      co_await write_plain(stream, 503, "Too many connections", "this address holds too many connections; close some and retry",
                           11, true);
      co_return;
    }
    // At the total cap one request is still read, so that probes (/healthz, /readyz) get their answer; any other
    // request hears 503 with Retry-After.
    const bool at_cap = verdict == admission::over_total;

    beast::flat_buffer buffer;
    bool first = true;
    while (!stopping_) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(opts_.body_limit);
      parser.header_limit(opts_.header_limit);
      const int wait = at_cap ? 2 : first ? opts_.header_timeout_seconds : opts_.idle_timeout_seconds;
      stream.expires_after(std::chrono::seconds(wait));
      if (!first) set_idle(id, true);
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, tuple_awaitable);
      if (!first) set_idle(id, false);
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset ||
          ec == asio::error::operation_aborted)
        break;
      if (ec == bhttp::error::body_limit) {
        co_await write_plain(stream, 413, "Body too large", "the body is over the limit", 11);
        co_await linger(stream);
        break;
      }
      if (ec == bhttp::error::header_limit) {
        co_await write_plain(stream, 431, "Headers too large", "the request headers are over the limit", 11);
        break;
      }
      if (ec) {
        if (buffer.size() > 0 || n > 0) co_await write_plain(stream, 400, "Bad request", "the request is not valid HTTP/1.1", 11);
        break;
      }
      first = false;
      // RFC 9112 6.1 and 6.3: a request whose final transfer coding is not chunked, or that carries both
      // Transfer-Encoding and Content-Length, cannot be framed safely; answer 400 and close (no request smuggling).
      {
        const auto& h = parser.get();
        if (h.count(bhttp::field::transfer_encoding) > 0 &&
            (!parser.chunked() || h.count(bhttp::field::content_length) > 0 || h.count(bhttp::field::transfer_encoding) > 1)) {
          co_await write_plain(stream, 400, "Bad request", "Transfer-Encoding must be chunked alone, without Content-Length",
                               h.version());
          co_await linger(stream);
          break;
        }
      }
      if (opts_.live && (parser.get().target() == "/ws" || parser.get().target().starts_with("/ws?"))) {
        co_await upgrade(stream, parser, address, id);
        break;
      }
      const auto started = std::chrono::steady_clock::now();
      ++in_flight_;
      struct in_flight_guard {
        std::atomic<int>& n;
        ~in_flight_guard() { --n; }
      } guard{in_flight_};
      if (!parser.is_done()) {
        if (beast::iequals(parser.get()[bhttp::field::expect], "100-continue")) {
          bhttp::response<bhttp::empty_body> cont{bhttp::status::continue_, parser.get().version()};
          co_await bhttp::async_write(stream, cont, tuple_awaitable);
        }
        stream.expires_after(std::chrono::seconds(30));
        auto [ec2, n2] = co_await bhttp::async_read(stream, buffer, parser, tuple_awaitable);
        if (ec2 == bhttp::error::body_limit) {
          co_await write_plain(stream, 413, "Body too large", "the body is over the limit", parser.get().version());
          co_await linger(stream);
          break;
        }
        if (ec2) break;
      }
      auto& in = parser.get();
      const char* method = method_label(in.method());
      const bool head = in.method() == bhttp::verb::head;
      const unsigned version = in.version();
      bool keep_alive = in.keep_alive();

      api::request req;
      req.request_id = std::to_string(++request_counter_);
      req.remote_address = address;
      api::response out;
      try {
        std::string why;
        if (!build_request(in, req, why)) {
          out = plain_problem(400, "Bad request", "the address is not valid: " + why);
          out.route = "(bad target)";
        } else if (at_cap && req.path != "/healthz" && req.path != "/readyz") {
          out = plain_problem(503, "Too many connections", "the server is at its connection limit; retry shortly");
          out.headers.emplace_back("Retry-After", "2");
          out.route = "(connection limit)";
          ++metrics_.refused_connections;
        } else {
          out = co_await async_dispatch(req, use_awaitable);
          out.complete();
        }
      } catch (const std::exception& e) {
        ++metrics_.handler_failures;
        log_line("error", "request failed", e.what());
        out = internal_error(out.route.empty() ? "(failed)" : out.route.c_str());
      }
      if (at_cap) keep_alive = false;

      bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(out.status), version};
      if (!out.content_type.empty()) res.set(bhttp::field::content_type, out.content_type);
      for (const auto& [k, v] : out.headers) res.insert(k, v);
      res.set("X-Request-Id", req.request_id);
      add_security_headers(res);
      res.keep_alive(keep_alive && !stopping_);
      const auto length = out.body.size();
      if (out.status != 204 && out.status != 304) {
        if (head) {
          res.content_length(length);
        } else {
          res.body() = std::move(out.body);
          res.prepare_payload();
        }
      }
      stream.expires_after(std::chrono::seconds(30));
      auto [wec, wn] = co_await bhttp::async_write(stream, res, tuple_awaitable);
      const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      metrics_.observe(method, out.route, out.status, seconds);
      if (opts_.log_requests) log(req.request_id, method, out, seconds);
      if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  static bool has_token(std::string_view header, std::string_view token) {
    // A comma-separated list of tokens, compared without case (RFC 9110 7.6.1, 7.8).
    while (!header.empty()) {
      const auto comma = header.find(',');
      auto item = header.substr(0, comma);
      while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
      while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
      if (beast::iequals(item, token)) return true;
      if (comma == std::string_view::npos) break;
      header.remove_prefix(comma + 1);
    }
    return false;
  }

  // GET /ws: checks the upgrade (a WebSocket handshake, an allowed Origin, a free place) and hands the connection to
  // the live gateway, which serves it to its end. Refusals are answered in HTTP and close the connection.
  awaitable<void> upgrade(beast::tcp_stream& stream, bhttp::request_parser<bhttp::string_body>& parser,
                          const std::string& address, std::uint64_t id) {
    auto& in = parser.get();
    const unsigned version = in.version();
    const char* method = method_label(in.method());
    const auto started = std::chrono::steady_clock::now();
    api::response refusal;
    if (in.method() != bhttp::verb::get || !parser.is_done() || !beast::iequals(in[bhttp::field::upgrade], "websocket") ||
        !has_token(in[bhttp::field::connection], "upgrade")) {
      refusal = plain_problem(426, "Upgrade required", "/ws speaks WebSocket only: send GET with Upgrade: websocket");
      refusal.headers.emplace_back("Upgrade", "websocket");
    } else if (!opts_.live->origin_allowed(in[bhttp::field::origin], in[bhttp::field::host])) {
      refusal = plain_problem(403, "Forbidden", "pages from this origin may not open live connections");
    } else if (stopping_) {
      refusal = plain_problem(503, "Shutting down", "the server is stopping; reconnect shortly");
      refusal.headers.emplace_back("Retry-After", "2");
    } else if (!opts_.live->admit(address, !(opts_.uncapped_peer && opts_.uncapped_peer(address)))) {
      ++metrics_.refused_connections;
      refusal = plain_problem(503, "Too many connections", "no room for another live connection; retry shortly");
      refusal.headers.emplace_back("Retry-After", "5");
    } else {
      std::optional<domain::role> role;
      std::string credential;
      api::request req;
      std::string why;
      req.remote_address = address;
      if (opts_.live->settings().role_of && build_request(in, req, why)) {
        role = opts_.live->settings().role_of(req);
        if (role && opts_.live->settings().token_of) credential = opts_.live->settings().token_of(req);
      }
      // From here the connection counts against the live caps, not the HTTP ones.
      release(id);
      metrics_.observe(method, "/ws", 101, std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
      // The live connection goes on as a coroutine of its own, so that this session's frame, its read buffer and
      // the parsed request are freed now rather than held for the connection's whole life.
      asio::co_spawn(stream.get_executor(),
                     opts_.live->serve(std::move(stream), parser.release(), address, role, std::move(credential)),
                     [](std::exception_ptr e) {
                       if (!e) return;
                       try {
                         std::rethrow_exception(e);
                       } catch (const std::exception& x) {
                         support::log_fault("error", "live connection", x.what());
                       }
                     });
      co_return;
    }
    refusal.route = "/ws";
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(refusal.status), version};
    res.set(bhttp::field::content_type, refusal.content_type);
    for (const auto& [k, v] : refusal.headers) res.insert(k, v);
    add_security_headers(res);
    res.keep_alive(false);
    res.body() = std::move(refusal.body);
    res.prepare_payload();
    stream.expires_after(std::chrono::seconds(5));
    co_await bhttp::async_write(stream, res, tuple_awaitable);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    metrics_.observe(method, refusal.route, refusal.status, seconds);
    if (opts_.log_requests) log(std::to_string(++request_counter_), method, refusal, seconds);
  }

  // The request log goes out in batches, each line whole: at tens of thousands of requests a second a write per line
  // (stdout is line-buffered) made every I/O thread queue on the log's mutex and a system call. Lines wait at most
  // log_flush_interval, or until log_batch_bytes have gathered; a crash may lose that last moment of log, no data.
  static constexpr std::size_t log_batch_bytes = 16 * 1024;
  static constexpr std::chrono::milliseconds log_flush_interval{50};

  void flush_log() {  // under log_mutex_
    if (log_pending_.empty()) return;
    std::fwrite(log_pending_.data(), 1, log_pending_.size(), stdout);
    std::fflush(stdout);
    log_pending_.clear();
  }

  awaitable<void> log_flusher() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    for (;;) {
      timer.expires_after(log_flush_interval);
      auto [ec] = co_await timer.async_wait(tuple_awaitable);
      if (ec) co_return;
      std::lock_guard lock(log_mutex_);
      flush_log();
    }
  }

  void log(const std::string& request_id, const char* method, const api::response& out, double seconds) {
    // The route pattern, never the raw path: paths can hold manage tokens, and logs hold no personal data.
    char line[512];
    const int n = std::snprintf(line, sizeof line,
                                "{\"level\":\"info\",\"request_id\":%s,\"method\":\"%s\",\"route\":\"%.200s\",\"status\":%d,"
                                "\"duration_ms\":%.3f}\n",
                                request_id.c_str(), method, out.route.c_str(), out.status, seconds * 1000.0);
    if (n > 0) {
      std::lock_guard lock(log_mutex_);
      log_pending_.append(line, static_cast<std::size_t>(std::min(n, static_cast<int>(sizeof line - 1))));
      if (log_pending_.size() >= log_batch_bytes) flush_log();
    }
  }

  // Declared before ioc_ so they outlive it: session frames destroyed with the io_context still use them.
  options opts_;
  const api::router& router_;
  api::metrics& metrics_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  std::mutex fiber_mutex_;
  std::deque<std::function<void()>> fiber_queue_;  // requests waiting for a fiber (under fiber_mutex_)
  stack_pool stacks_{opts_.fiber_stack_bytes, static_cast<std::size_t>(opts_.max_fibers)};
  std::atomic<std::uint64_t> request_counter_{0};
  std::mutex log_mutex_;
  std::string log_pending_;  // request log lines not yet written (under log_mutex_)
  std::mutex conns_mutex_;
  std::unordered_map<std::uint64_t, connection_entry> conns_;
  std::unordered_map<std::string, int> per_address_;
  std::uint64_t next_connection_id_ = 0;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
};

}  // namespace

std::unique_ptr<server> make_server(const options& o, const api::router& r, api::metrics& m) {
  return std::make_unique<server_impl>(o, r, m);
}

}  // namespace eventd::http
