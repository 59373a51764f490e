// Load process of scripts/bench/fanout (issue 7). Opens N WebSocket clients subscribed to one event's topic, waits
// for every snapshot, then drives K changes at a steady rate and records, for every (client, change) pair, when the
// first message reflecting that change arrived. Two modes with the same client code, so that their ratio measures
// the broadcaster and not this process:
//   server  eventd: creates an event and K registrations over the API, then checks them in one by one
//           (POST /api/v1/events/{id}/checkins); latency = arrival - the moment the check-in's 201 was read.
//   floor   bench/fanout_floor: sends it the payload to write; latency = arrival - the start of its write loop.
// A message reflects check-in j when its data.checked_in >= snapshot's checked_in + j + 1 (updates may be coalesced).
// Both processes read CLOCK_MONOTONIC (steady_clock), which is one clock for the whole machine.
//
// Prints progress on stderr and one line "RESULT key=value ..." on stdout.
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <nlohmann/json.hpp>

#include <netinet/in.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;
using namespace std::chrono_literals;

namespace {

constexpr std::int64_t not_arrived = std::numeric_limits<std::int64_t>::min();

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void log(const std::string& s) { std::cerr << "fanout_load: " << s << std::endl; }

[[noreturn]] void die(const std::string& s) {
  log(s);
  std::exit(1);
}

struct options {
  std::string mode = "server";  // server | floor
  std::string host = "127.0.0.1";
  unsigned short port = 0;
  std::string token;            // server mode: a session token of an organiser or admin
  std::size_t clients = 1000;
  std::size_t changes = 50;     // check-ins (server) or writes (floor)
  double rate = 5.0;            // per second
  unsigned sources = 1;         // source addresses 127.0.0.2 .. 127.0.0.(1+sources); 1 = let the kernel choose
  int server_pid = 0;           // for VmRSS and CPU time
  std::string frame_in;         // floor: the payload of a real update (written by a server run), as the template
  std::string frame_out;        // server: write the first update's payload here
  std::size_t parallel = 256;   // connections in set-up at once
  unsigned threads = 1;         // threads reading the WebSockets
  double settle_seconds = 2.0;  // idle time before the second RSS reading
  double drain_seconds = 10.0;  // how long after the last change to wait for the last updates
};

// --- a few JSON fields, read without a parser: the same cheap code in both modes ---------------------------------

// The raw value after "key": in msg (a string with its quotes, a number), or empty. Keys are matched with their
// quotes, so "checked_in" does not match "checked_in_at".
std::string_view raw_field(std::string_view msg, std::string_view key) {
  std::size_t from = 0;
  for (;;) {
    const auto k = msg.find(key, from);
    if (k == std::string_view::npos) return {};
    from = k + key.size();
    if (k == 0 || msg[k - 1] != '"' || from >= msg.size() || msg[from] != '"') continue;
    std::size_t i = from + 1;
    while (i < msg.size() && (msg[i] == ' ' || msg[i] == '\t' || msg[i] == '\n' || msg[i] == '\r')) ++i;
    if (i >= msg.size() || msg[i] != ':') continue;
    ++i;
    while (i < msg.size() && (msg[i] == ' ' || msg[i] == '\t' || msg[i] == '\n' || msg[i] == '\r')) ++i;
    std::size_t j = i;
    if (j < msg.size() && msg[j] == '"') {
      j = msg.find('"', j + 1);
      return j == std::string_view::npos ? std::string_view{} : msg.substr(i, j + 1 - i);
    }
    while (j < msg.size() && msg[j] != ',' && msg[j] != '}' && msg[j] != ']' && msg[j] != ' ') ++j;
    return msg.substr(i, j - i);
  }
}

std::optional<std::int64_t> int_field(std::string_view msg, std::string_view key) {
  const auto v = raw_field(msg, key);
  std::int64_t out = 0;
  const auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), out);
  if (ec != std::errc{} || p != v.data() + v.size() || v.empty()) return std::nullopt;
  return out;
}

// The template payload with its checked_in (and type) replaced; used for the floor's messages.
std::string with_checked_in(std::string payload, std::int64_t value, std::string_view type) {
  const std::string key = "\"checked_in\":";
  const auto k = payload.find(key);
  if (k == std::string::npos) die("the frame template has no \"checked_in\":");
  auto end = k + key.size();
  while (end < payload.size() && (std::isdigit(static_cast<unsigned char>(payload[end])) || payload[end] == ' ')) ++end;
  payload.replace(k + key.size(), end - (k + key.size()), std::to_string(value));
  for (std::string_view t : {"\"update\"", "\"snapshot\""}) {
    const auto p = payload.find(t);
    if (p != std::string::npos) {
      payload.replace(p, t.size(), "\"" + std::string(type) + "\"");
      break;
    }
  }
  return payload;
}

// --- /proc ---------------------------------------------------------------------------------------------------------

std::int64_t rss_kib(int pid) {
  if (pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(f, line))
    if (line.starts_with("VmRSS:")) return std::stoll(line.substr(6));
  return -1;
}

// utime + stime of a process in milliseconds (fields 14 and 15 of /proc/PID/stat, after the command's parenthesis).
double cpu_ms(int pid) {
  if (pid <= 0) return -1;
  std::ifstream f("/proc/" + std::to_string(pid) + "/stat");
  std::string s((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  const auto close = s.rfind(')');
  if (close == std::string::npos) return -1;
  std::istringstream rest(s.substr(close + 2));
  std::string field;
  long long utime = 0, stime = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i == 14) utime = std::stoll(field);
    if (i == 15) stime = std::stoll(field);
  }
  return 1000.0 * static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

double own_cpu_ms() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  auto ms = [](timeval t) { return t.tv_sec * 1000.0 + t.tv_usec / 1000.0; };
  return ms(u.ru_utime) + ms(u.ru_stime);
}

// --- the WebSocket clients -------------------------------------------------------------------------------------------

struct run_state {
  options opt;
  tcp::endpoint server;
  std::string topic;
  std::vector<std::int64_t> arrivals;  // [client * changes + j]: when client first saw change j
  std::atomic<std::size_t> in_setup{0};
  std::atomic<std::size_t> ready{0};
  std::atomic<std::size_t> failed{0};
  std::atomic<std::size_t> complete{0};   // clients that have seen the last change
  std::atomic<std::size_t> lost{0};       // clients whose connection ended after their snapshot
  std::atomic<std::uint64_t> updates{0};
  std::atomic<std::int64_t> snapshot_checked_in{-1};
  std::atomic<bool> snapshot_mismatch{false};
  std::atomic<bool> stopping{false};
  std::atomic<bool> captured{false};      // first_update is taken
  std::mutex mu;                          // guards the two below
  std::string first_update;
  std::map<std::string, std::size_t> problems;  // distinct ones (at most 20) and how often, for the log
};

void problem(run_state& rs, std::string what) {
  std::lock_guard lock(rs.mu);
  if (rs.problems.size() < 20 || rs.problems.contains(what)) ++rs.problems[std::move(what)];
}

awaitable<void> client(run_state& rs, std::size_t index) {
  websocket::stream<tcp::socket> ws(co_await asio::this_coro::executor);
  bool subscribed = false;
  auto setup_failed = [&](const std::string& what) {
    problem(rs, what);
    rs.failed.fetch_add(1);
    rs.in_setup.fetch_sub(1);
  };
  try {
    auto& sock = ws.next_layer();
    sock.open(tcp::v4());
    if (rs.opt.sources > 1) {
      // Several source addresses multiply the ephemeral ports; the port is picked at connect, per 4-tuple.
      const int one = 1;
      ::setsockopt(sock.native_handle(), IPPROTO_IP, IP_BIND_ADDRESS_NO_PORT, &one, sizeof one);
      sock.bind(tcp::endpoint(asio::ip::address_v4(0x7f000002u + static_cast<std::uint32_t>(index % rs.opt.sources)), 0));
    }
    co_await sock.async_connect(rs.server, use_awaitable);
    sock.set_option(tcp::no_delay(true));
    co_await ws.async_handshake(rs.opt.host + ":" + std::to_string(rs.opt.port), "/ws", use_awaitable);
    ws.text(true);
    const std::string subscribe = R"({"type":"subscribe","topics":[")" + rs.topic + R"("]})";
    co_await ws.async_write(asio::buffer(subscribe), use_awaitable);
  } catch (const boost::system::system_error& e) {
    setup_failed("set-up: " + e.code().message());
    co_return;
  }

  const std::size_t changes = rs.opt.changes;
  std::int64_t* const mine = rs.arrivals.data() + index * changes;
  std::int64_t base = 0;   // checked_in of this client's snapshot
  std::size_t next = 0;    // the first change this client has not seen yet
  beast::flat_buffer buf;
  for (;;) {
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable));
    const std::int64_t t = now_ns();
    if (ec) {
      if (!subscribed) {
        setup_failed("read before snapshot: " + ec.message());
      } else if (!rs.stopping.load()) {
        rs.lost.fetch_add(1);
        problem(rs, "connection ended: " + ec.message());
      }
      co_return;
    }
    const std::string_view msg(static_cast<const char*>(buf.data().data()), buf.size());
    const auto type = raw_field(msg, "type");
    const auto checked_in = int_field(msg, "checked_in");
    if (type == "\"update\"" && subscribed && checked_in) {
      rs.updates.fetch_add(1, std::memory_order_relaxed);
      if (!rs.captured.load(std::memory_order_relaxed) && !rs.captured.exchange(true)) {
        std::lock_guard lock(rs.mu);
        rs.first_update = msg;
      }
      const bool was_behind = next < changes;
      while (next < changes && base + static_cast<std::int64_t>(next) + 1 <= *checked_in) mine[next++] = t;
      if (was_behind && next == changes) rs.complete.fetch_add(1);
    } else if (type == "\"snapshot\"" && !subscribed && checked_in) {
      subscribed = true;
      base = *checked_in;
      std::int64_t expected = -1;
      if (!rs.snapshot_checked_in.compare_exchange_strong(expected, base) && expected != base)
        rs.snapshot_mismatch.store(true);
      rs.in_setup.fetch_sub(1);
      rs.ready.fetch_add(1);
    } else if (type == "\"error\"") {
      problem(rs, "server said: " + std::string(msg));
      if (!subscribed) {
        setup_failed("refused");
        co_return;
      }
    }
    buf.consume(buf.size());
  }
}

// Starts the clients, at most opt.parallel in set-up at once, so the listen backlog never overflows.
awaitable<void> launch(run_state& rs) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer wait(ex);
  for (std::size_t i = 0; i < rs.opt.clients; ++i) {
    while (rs.in_setup.load() >= rs.opt.parallel) {
      wait.expires_after(1ms);
      co_await wait.async_wait(use_awaitable);
    }
    rs.in_setup.fetch_add(1);
    asio::co_spawn(ex, client(rs, i), asio::detached);
  }
}

// --- blocking HTTP for set-up and the check-ins (on the main thread, which otherwise sleeps) -----------------------

class http_client {
 public:
  http_client(std::string host, unsigned short port, std::string token)
      : host_(std::move(host)), port_(port), token_(std::move(token)), sock_(io_) {}

  http::response<http::string_body> request(http::verb verb, const std::string& target, const std::string& body,
                                            bool auth) {
    for (int attempt = 0;; ++attempt) {
      try {
        if (!sock_.is_open()) {
          sock_.connect(tcp::endpoint(asio::ip::make_address(host_), port_));
          sock_.set_option(tcp::no_delay(true));
        }
        http::request<http::string_body> req{verb, target, 11};
        req.set(http::field::host, host_ + ":" + std::to_string(port_));
        req.set(http::field::content_type, "application/json");
        if (auth) req.set(http::field::authorization, "Bearer " + token_);
        req.keep_alive(true);
        req.body() = body;
        req.prepare_payload();
        http::write(sock_, req);
        http::response<http::string_body> res;
        http::read(sock_, buf_, res);
        if (!res.keep_alive()) sock_.close();
        return res;
      } catch (const std::exception& e) {
        // The server may close an idle keep-alive connection between two calls: one fresh attempt.
        beast::error_code ignored;
        sock_.close(ignored);
        buf_.clear();
        if (attempt > 0) die(std::string("HTTP ") + target + ": " + e.what());
      }
    }
  }

 private:
  std::string host_;
  unsigned short port_;
  std::string token_;
  asio::io_context io_;
  tcp::socket sock_;
  beast::flat_buffer buf_;
};

std::int64_t create_event(http_client& api) {
  const auto res = api.request(http::verb::post, "/api/v1/events",
                               R"({"kind":"seminar","title":"Fan-out bench","starts_at":"2030-01-01T09:00:00+01:00",)"
                               R"("ends_at":"2030-01-01T12:00:00+01:00","status":"published"})",
                               true);
  if (res.result_int() != 201) die("create event: " + std::to_string(res.result_int()) + " " + res.body());
  return nlohmann::json::parse(res.body()).at("id").get<std::int64_t>();
}

std::vector<std::int64_t> register_people(http_client& api, std::int64_t event, std::size_t n) {
  std::vector<std::int64_t> ids;
  const auto tag = std::to_string(now_ns());
  for (std::size_t i = 0; i < n; ++i) {
    const std::string body = R"({"name":"Fanout Person )" + std::to_string(i) + R"(","email":"fanout-)" + tag + "-" +
                             std::to_string(i) +
                             R"(@example.org","organisation":"Bench AB","organisation_type":"private",)"
                             R"("municipality":"Solna","consent":true})";
    const auto res =
        api.request(http::verb::post, "/api/v1/events/" + std::to_string(event) + "/registrations", body, false);
    if (res.result_int() != 201) die("register: " + std::to_string(res.result_int()) + " " + res.body());
    ids.push_back(nlohmann::json::parse(res.body()).at("id").get<std::int64_t>());
  }
  return ids;
}

// The floor's control connection.
class floor_control {
 public:
  floor_control(const std::string& host, unsigned short port) : ws_(io_) {
    ws_.next_layer().connect(tcp::endpoint(asio::ip::make_address(host), port));
    ws_.next_layer().set_option(tcp::no_delay(true));
    ws_.handshake(host + ":" + std::to_string(port), "/control");
    ws_.text(true);
  }
  std::string call(const std::string& msg) {
    ws_.write(asio::buffer(msg));
    beast::flat_buffer buf;
    ws_.read(buf);
    return beast::buffers_to_string(buf.data());
  }

 private:
  asio::io_context io_;
  websocket::stream<tcp::socket> ws_;
};

// --- statistics ----------------------------------------------------------------------------------------------------

double percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return std::nan("");
  const auto rank = static_cast<std::size_t>(std::ceil(p * static_cast<double>(sorted.size())));
  return sorted[std::min(sorted.size() - 1, rank == 0 ? 0 : rank - 1)];
}

std::string fixed(double v, int digits = 2) {
  char b[64];
  std::snprintf(b, sizeof b, "%.*f", digits, v);
  return b;
}

options parse(int argc, char** argv) {
  options o;
  auto need = [&](int& i) -> std::string {
    if (i + 1 >= argc) die(std::string("missing value for ") + argv[i]);
    return argv[++i];
  };
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--mode") o.mode = need(i);
    else if (a == "--host") o.host = need(i);
    else if (a == "--port") o.port = static_cast<unsigned short>(std::stoi(need(i)));
    else if (a == "--token") o.token = need(i);
    else if (a == "--clients") o.clients = std::stoul(need(i));
    else if (a == "--changes") o.changes = std::stoul(need(i));
    else if (a == "--rate") o.rate = std::stod(need(i));
    else if (a == "--sources") o.sources = static_cast<unsigned>(std::stoul(need(i)));
    else if (a == "--server-pid") o.server_pid = std::stoi(need(i));
    else if (a == "--frame-in") o.frame_in = need(i);
    else if (a == "--frame-out") o.frame_out = need(i);
    else if (a == "--parallel") o.parallel = std::stoul(need(i));
    else if (a == "--threads") o.threads = static_cast<unsigned>(std::stoul(need(i)));
    else if (a == "--settle") o.settle_seconds = std::stod(need(i));
    else if (a == "--drain") o.drain_seconds = std::stod(need(i));
    else die("unknown option " + a + " (see the top of bench/fanout_load.cpp)");
  }
  if (o.mode != "server" && o.mode != "floor") die("--mode server|floor");
  if (o.port == 0) die("--port is required");
  if (o.mode == "server" && o.token.empty()) die("--token is required in server mode");
  if (o.clients == 0 || o.changes == 0 || o.rate <= 0 || o.threads == 0 || o.sources == 0) die("bad counts");
  return o;
}

}  // namespace

int main(int argc, char** argv) {
  run_state rs;
  rs.opt = parse(argc, argv);
  const options& opt = rs.opt;
  rs.server = tcp::endpoint(asio::ip::make_address(opt.host), opt.port);
  rs.arrivals.assign(opt.clients * opt.changes, not_arrived);

  // Set-up that is not measured.
  std::optional<http_client> api;
  std::optional<floor_control> floor;
  std::vector<std::int64_t> registrations;
  std::int64_t event = 1;
  std::string frame_template =
      R"({"type":"update","topic":"event:1","seq":2,"data":{"available":null,"capacity":null,"checked_in":0,)"
      R"("confirmed":50,"waitlisted":0,"walk_ins":0}})";
  if (opt.mode == "server") {
    api.emplace(opt.host, opt.port, opt.token);
    event = create_event(*api);
    registrations = register_people(*api, event, opt.changes);
    log("event " + std::to_string(event) + " with " + std::to_string(registrations.size()) + " registrations");
  } else {
    if (!opt.frame_in.empty()) {
      std::ifstream f(opt.frame_in);
      std::getline(f, frame_template);
      if (frame_template.empty()) die("empty frame template " + opt.frame_in);
    }
    floor.emplace(opt.host, opt.port);
    if (floor->call("snapshot " + with_checked_in(frame_template, 0, "snapshot")) != "ok") die("floor: snapshot refused");
  }
  rs.topic = "event:" + std::to_string(event);

  const std::int64_t rss_before = rss_kib(opt.server_pid);
  const auto open_start = std::chrono::steady_clock::now();
  asio::io_context io(static_cast<int>(opt.threads));
  auto work = asio::make_work_guard(io);
  asio::co_spawn(io, launch(rs), asio::detached);
  std::vector<std::thread> threads;
  for (unsigned i = 0; i < opt.threads; ++i) threads.emplace_back([&io] { io.run(); });

  while (rs.ready.load() + rs.failed.load() < opt.clients) {
    std::this_thread::sleep_for(50ms);
    if (std::chrono::steady_clock::now() - open_start > 300s) die("clients still not subscribed after 300 s");
  }
  const double open_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - open_start).count();
  log(std::to_string(rs.ready.load()) + " subscribed, " + std::to_string(rs.failed.load()) + " failed, in " +
      fixed(open_seconds, 1) + " s");
  if (rs.ready.load() == 0) {
    for (const auto& [p, n] : rs.problems) log("problem (" + std::to_string(n) + "x): " + p);
    die("no client subscribed");
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(opt.settle_seconds));
  const std::int64_t rss_idle = rss_kib(opt.server_pid);

  // The measured phase: one change every 1/rate seconds, from this (otherwise sleeping) thread.
  std::vector<std::int64_t> start(opt.changes, not_arrived);  // 201 read (server) or write loop start (floor)
  std::vector<double> http_ms, loop_ms;
  std::size_t late = 0, refused = 0, floor_failed = 0;
  const double server_cpu0 = cpu_ms(opt.server_pid), own_cpu0 = own_cpu_ms();
  const auto period = std::chrono::duration_cast<std::chrono::steady_clock::duration>(
      std::chrono::duration<double>(1.0 / opt.rate));
  const auto first = std::chrono::steady_clock::now() + 100ms;
  const std::int64_t base = std::max<std::int64_t>(0, rs.snapshot_checked_in.load());
  for (std::size_t j = 0; j < opt.changes; ++j) {
    const auto due = first + j * period;
    if (std::chrono::steady_clock::now() > due + period / 2) ++late;
    std::this_thread::sleep_until(due);
    if (opt.mode == "server") {
      const std::int64_t sent = now_ns();
      const auto res = api->request(http::verb::post, "/api/v1/events/" + std::to_string(event) + "/checkins",
                                    R"({"registration_id":)" + std::to_string(registrations[j]) +
                                        R"(,"scan_id":"fanout-)" + std::to_string(sent) + R"("})",
                                    true);
      const std::int64_t got = now_ns();
      if (res.result_int() != 201) {
        ++refused;
        problem(rs, "check-in answered " + std::to_string(res.result_int()) + " " + res.body());
        continue;
      }
      start[j] = got;
      http_ms.push_back(static_cast<double>(got - sent) / 1e6);
    } else {
      const auto reply = floor->call("fire " + with_checked_in(frame_template, base + static_cast<std::int64_t>(j) + 1,
                                                               "update"));
      std::istringstream in(reply);
      std::string word;
      long long t0 = 0, t1 = 0, sent = 0, failed = 0;
      in >> word >> t0 >> t1 >> sent >> failed;
      if (word != "fired") die("floor: " + reply);
      start[j] = t0;
      loop_ms.push_back(static_cast<double>(t1 - t0) / 1e6);
      floor_failed += static_cast<std::size_t>(failed);
    }
  }
  const auto drain_until = std::chrono::steady_clock::now() + std::chrono::duration<double>(opt.drain_seconds);
  while (rs.complete.load() + rs.lost.load() < rs.ready.load() && std::chrono::steady_clock::now() < drain_until)
    std::this_thread::sleep_for(10ms);
  const double server_cpu = cpu_ms(opt.server_pid) - server_cpu0, own_cpu = own_cpu_ms() - own_cpu0;
  const std::int64_t rss_after = rss_kib(opt.server_pid);

  rs.stopping.store(true);
  work.reset();
  io.stop();
  for (auto& t : threads) t.join();

  // Every (client, change) pair of the clients that subscribed; a pair never reached counts as missing.
  std::vector<double> lat;
  lat.reserve(rs.arrivals.size());
  std::size_t missing = 0, early = 0, subscribed_clients = 0;
  subscribed_clients = rs.ready.load();
  for (std::size_t c = 0; c < opt.clients; ++c) {
    const std::int64_t* a = rs.arrivals.data() + c * opt.changes;
    for (std::size_t j = 0; j < opt.changes; ++j) {
      if (start[j] == not_arrived) continue;  // a refused check-in: nothing to wait for
      if (a[j] == not_arrived) continue;
      const double ms = static_cast<double>(a[j] - start[j]) / 1e6;
      if (ms < 0) ++early;
      lat.push_back(ms);
    }
  }
  std::size_t measured_changes = 0;
  for (auto s : start) measured_changes += s != not_arrived;
  const std::size_t expected_pairs = subscribed_clients * measured_changes;
  missing = expected_pairs - lat.size();
  std::sort(lat.begin(), lat.end());
  std::sort(http_ms.begin(), http_ms.end());
  std::sort(loop_ms.begin(), loop_ms.end());

  if (!opt.frame_out.empty()) {
    std::lock_guard lock(rs.mu);
    std::ofstream(opt.frame_out) << rs.first_update << "\n";
  }
  for (const auto& [p, n] : rs.problems) log("problem (" + std::to_string(n) + "x): " + p);
  if (rs.snapshot_mismatch.load()) log("problem: the snapshots did not all carry the same checked_in");

  std::ostringstream out;
  out << "RESULT mode=" << opt.mode << " clients=" << opt.clients << " subscribed=" << subscribed_clients
      << " failed=" << rs.failed.load() << " lost=" << rs.lost.load() << " changes=" << measured_changes
      << " refused=" << refused << " pairs=" << lat.size() << " missing=" << missing << " early=" << early
      << " p50_ms=" << fixed(percentile(lat, 0.50), 3) << " p99_ms=" << fixed(percentile(lat, 0.99), 3)
      << " max_ms=" << fixed(lat.empty() ? std::nan("") : lat.back(), 3)
      << " min_ms=" << fixed(lat.empty() ? std::nan("") : lat.front(), 3)
      << " messages_per_pair=" << fixed(expected_pairs ? static_cast<double>(rs.updates.load()) / expected_pairs : 0, 3)
      << " late_ticks=" << late << " open_s=" << fixed(open_seconds, 1)
      << " http_p50_ms=" << fixed(percentile(http_ms, 0.5), 3)
      << " http_max_ms=" << fixed(http_ms.empty() ? std::nan("") : http_ms.back(), 3)
      << " write_loop_p50_ms=" << fixed(percentile(loop_ms, 0.5), 3) << " floor_failed=" << floor_failed
      << " rss_before_kib=" << rss_before << " rss_idle_kib=" << rss_idle << " rss_after_kib=" << rss_after
      << " rss_per_conn_kib="
      << fixed(rss_before > 0 && subscribed_clients
                   ? static_cast<double>(rss_idle - rss_before) / static_cast<double>(subscribed_clients)
                   : std::nan(""))
      << " server_cpu_ms_per_change=" << fixed(server_cpu >= 0 ? server_cpu / measured_changes : std::nan(""))
      << " load_cpu_ms_per_change=" << fixed(own_cpu / static_cast<double>(opt.changes));
  std::cout << out.str() << std::endl;
  return (rs.failed.load() == 0 && missing == 0 && refused == 0) ? 0 : 3;
}
