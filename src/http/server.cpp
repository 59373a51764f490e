#include "http/server.hpp"

#include <boost/asio.hpp>
#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <mutex>
#include <thread>

namespace eventd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

// Percent-decodes a path or query part; false on a broken escape.
bool percent_decode(std::string_view in, std::string& out, bool plus_is_space) {
  out.clear();
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      auto hex = [](char h) -> int {
        if (h >= '0' && h <= '9') return h - '0';
        if (h >= 'a' && h <= 'f') return h - 'a' + 10;
        if (h >= 'A' && h <= 'F') return h - 'A' + 10;
        return -1;
      };
      const int hi = hex(in[i + 1]), lo = hex(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out.push_back(static_cast<char>(hi * 16 + lo));
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out.push_back(' ');
    } else {
      out.push_back(c);
    }
  }
  return true;
}

std::string problem_body(int status, const char* title, const char* detail) {
  return std::string("{\"type\":\"about:blank\",\"title\":\"") + title + "\",\"status\":" + std::to_string(status) +
         ",\"detail\":\"" + detail + "\"}";
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

class server_impl final : public server {
public:
  server_impl(const options& o, const api::router& r, api::metrics& m)
      : opts_(o), router_(r), metrics_(m), ioc_(o.threads), acceptor_(ioc_), signals_(ioc_, SIGINT, SIGTERM) {}

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
    asio::co_spawn(ioc_, accept_loop(), asio::detached);
    signals_.async_wait([this](const boost::system::error_code& ec, int) {
      if (!ec) begin_shutdown();
    });
    std::vector<std::thread> pool;
    for (int i = 1; i < opts_.threads; ++i) pool.emplace_back([this] { ioc_.run(); });
    ioc_.run();
    for (auto& t : pool) t.join();
  }

private:
  void begin_shutdown() {
    stopping_ = true;
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    // Let in-flight requests finish, then stop; idle keep-alive connections are simply closed.
    asio::co_spawn(ioc_, drain(), asio::detached);
  }

  awaitable<void> drain() {
    asio::steady_timer timer(co_await asio::this_coro::executor);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (in_flight_.load() > 0 && std::chrono::steady_clock::now() < deadline) {
      timer.expires_after(std::chrono::milliseconds(20));
      co_await timer.async_wait(tuple_awaitable);
    }
    ioc_.stop();
  }

  awaitable<void> accept_loop() {
    for (;;) {
      auto [ec, socket] = co_await acceptor_.async_accept(asio::make_strand(ioc_), tuple_awaitable);
      if (ec) {
        if (stopping_ || ec == asio::error::operation_aborted) co_return;
        // Out of descriptors and the like: pause briefly instead of spinning.
        asio::steady_timer t(ioc_, std::chrono::milliseconds(50));
        co_await t.async_wait(tuple_awaitable);
        continue;
      }
      boost::system::error_code ignored;
      socket.set_option(tcp::no_delay(true), ignored);
      auto ex = socket.get_executor();
      asio::co_spawn(ex, session(std::move(socket)), asio::detached);
    }
  }

  // Hands the request to the router and resumes on this connection's strand when the answer is ready.
  template <class Token>
  auto async_dispatch(api::request& req, Token&& token) {
    return asio::async_initiate<Token, void(api::response)>(
        [this, &req](auto handler) {
          auto h = std::make_shared<decltype(handler)>(std::move(handler));
          auto work = asio::make_work_guard(asio::get_associated_executor(*h));
          router_.dispatch(req, [h, work](api::response res) mutable {
            auto ex = work.get_executor();
            asio::post(ex, [h, res = std::move(res)]() mutable { (*h)(std::move(res)); });
            work.reset();
          });
        },
        token);
  }

  awaitable<void> write_plain(beast::tcp_stream& stream, int status, const char* title, const char* detail, unsigned version) {
    bhttp::response<bhttp::string_body> res{static_cast<bhttp::status>(status), version};
    res.set(bhttp::field::content_type, "application/problem+json");
    add_security_headers(res);
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

  awaitable<void> session(tcp::socket socket) {
    struct connection_count {
      api::metrics& m;
      explicit connection_count(api::metrics& mm) : m(mm) { ++m.open_connections; }
      ~connection_count() { --m.open_connections; }
    } counted(metrics_);
    beast::tcp_stream stream(std::move(socket));
    if (metrics_.open_connections.load() > opts_.max_connections) {
      co_await write_plain(stream, 503, "Too many connections", "the server is at its connection limit; retry shortly", 11);
      co_return;
    }
    boost::system::error_code peer_ec;
    const auto peer = stream.socket().remote_endpoint(peer_ec);
    const std::string remote_address = peer_ec ? std::string() : peer.address().to_string();
    beast::flat_buffer buffer;
    bool first = true;
    while (!stopping_) {
      bhttp::request_parser<bhttp::string_body> parser;
      parser.body_limit(opts_.body_limit);
      parser.header_limit(opts_.header_limit);
      stream.expires_after(std::chrono::seconds(first ? opts_.header_timeout_seconds : opts_.idle_timeout_seconds));
      auto [ec, n] = co_await bhttp::async_read_header(stream, buffer, parser, tuple_awaitable);
      if (ec == bhttp::error::end_of_stream || ec == beast::error::timeout || ec == asio::error::connection_reset) break;
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
      api::request req;
      req.method = std::string(in.method_string());
      req.target = std::string(in.target());
      const auto q = req.target.find('?');
      bool ok = percent_decode(std::string_view(req.target).substr(0, q), req.path, false);
      if (ok && q != std::string::npos) {
        std::string_view rest = std::string_view(req.target).substr(q + 1);
        while (!rest.empty() && ok) {
          const auto amp = rest.find('&');
          auto part = rest.substr(0, amp);
          rest = amp == std::string_view::npos ? std::string_view{} : rest.substr(amp + 1);
          if (part.empty()) continue;
          const auto eq = part.find('=');
          std::string key, value;
          ok = percent_decode(part.substr(0, eq), key, true) &&
               percent_decode(eq == std::string_view::npos ? std::string_view{} : part.substr(eq + 1), value, true);
          if (ok) req.query[key] = value;
        }
      }
      for (const auto& f : in) {
        std::string name(f.name_string());
        for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        req.headers[name] = std::string(f.value());
      }
      req.body = std::move(in.body());
      req.request_id = std::to_string(++request_counter_);
      req.remote_address = remote_address;
      const bool head = in.method() == bhttp::verb::head;
      const unsigned version = in.version();
      const bool keep_alive = in.keep_alive();

      api::response out;
      if (!ok || req.target.empty() || req.target.front() != '/') {
        out.status = 400;
        out.content_type = "application/problem+json";
        out.body = problem_body(400, "Bad request", "the address is not valid (broken percent-encoding)");
        out.route = "(bad target)";
      } else {
        out = co_await async_dispatch(req, use_awaitable);
        out.complete();
      }

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
      metrics_.observe(req.method, out.route, out.status, seconds);
      if (opts_.log_requests) log(req, out, seconds);
      if (wec || !res.keep_alive()) break;
    }
    boost::system::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  void log(const api::request& req, const api::response& out, double seconds) {
    // The route pattern, never the raw path: paths can hold manage tokens, and logs hold no personal data.
    char line[512];
    const int n = std::snprintf(line, sizeof line,
                                "{\"level\":\"info\",\"request_id\":%s,\"method\":\"%.10s\",\"route\":\"%.200s\",\"status\":%d,"
                                "\"duration_ms\":%.3f}\n",
                                req.request_id.c_str(), req.method.c_str(), out.route.c_str(), out.status, seconds * 1000.0);
    if (n > 0) {
      std::lock_guard lock(log_mutex_);
      std::fwrite(line, 1, static_cast<std::size_t>(std::min(n, static_cast<int>(sizeof line - 1))), stdout);
    }
  }

  options opts_;
  const api::router& router_;
  api::metrics& metrics_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  asio::signal_set signals_;
  std::atomic<bool> stopping_{false};
  std::atomic<int> in_flight_{0};
  std::atomic<std::uint64_t> request_counter_{0};
  std::mutex log_mutex_;
};

}  // namespace

std::unique_ptr<server> make_server(const options& o, const api::router& r, api::metrics& m) {
  return std::make_unique<server_impl>(o, r, m);
}

}  // namespace eventd::http
