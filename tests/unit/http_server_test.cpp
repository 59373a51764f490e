// The real HTTP server in-process, with handlers that fail: every request still gets an answer.
#include "http/server.hpp"
#include "support/suspend.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace eventd::http {
namespace {

// One request on a fresh connection; the whole answer (the server closes after Connection: close).
std::string ask(int port, const std::string& text) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<std::uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  timeval tv{5, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return {};
  }
  (void)::send(fd, text.data(), text.size(), MSG_NOSIGNAL);
  std::string out;
  char buf[4096];
  for (;;) {
    const auto n = ::recv(fd, buf, sizeof buf, 0);
    if (n <= 0) break;
    out.append(buf, static_cast<std::size_t>(n));
  }
  ::close(fd);
  return out;
}

TEST(HttpServer, AHandlerThatThrowsOrNeverAnswersGetsA500AndTheServerGoesOn) {
  api::router router;
  router.add("GET", "/throw", [](const api::request&, const api::route_match&, api::responder) {
    throw std::runtime_error("boom \"quoted\"");
  });
  router.add("GET", "/drop", [](const api::request&, const api::route_match&, api::responder done) {
    auto dropped = std::move(done);  // goes out of scope unanswered
  });
  router.add("GET", "/late-throw", [](const api::request&, const api::route_match&, api::responder done) {
    api::response r;
    r.finish = [](api::response&) { throw std::runtime_error("failed while building the answer"); };
    done(std::move(r));
  });
  router.add("GET", "/ok", [](const api::request&, const api::route_match&, api::responder done) {
    api::response r;
    r.body = "{\"ok\":true}";
    done(std::move(r));
  });
  api::metrics stats;
  options o;
  o.port = 0;
  o.threads = 2;
  o.log_requests = false;
  auto server = make_server(o, router, stats);
  const auto url = server->listen();
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  std::thread serving([&] { server->run(); });

  for (const char* path : {"/throw", "/drop", "/late-throw"}) {
    const auto answer = ask(port, std::string("GET ") + path + " HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    EXPECT_EQ(answer.rfind("HTTP/1.1 500", 0), 0u) << path << ": " << answer;
    EXPECT_NE(answer.find("application/problem+json"), std::string::npos) << path;
    EXPECT_EQ(answer.find("boom"), std::string::npos) << "internal details stay in the log";
  }
  EXPECT_EQ(stats.handler_failures.load(), 3u);
  const auto ok = ask(port, "GET /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200", 0), 0u) << ok;
  const auto m = stats.render({});
  EXPECT_NE(m.find("eventd_handler_failures_total 3"), std::string::npos);

  std::raise(SIGTERM);  // the server's signal_set takes it: the normal stop
  serving.join();
  server.reset();
}

// options::fibers (PostgreSQL's handlers): with one I/O thread, handlers waiting on a socket are suspended fibers, and
// that thread goes on answering other requests; when the socket is ready, each waiting handler resumes and answers.
// Inside a catch block a fiber never suspends (support::can_suspend), outside one it does.
TEST(HttpServer, FiberHandlersSuspendWhileTheyWaitAndTheirThreadServesOthersMeanwhile) {
  int pipe_fds[2];
  ASSERT_EQ(::pipe(pipe_fds), 0);
  std::atomic<int> suspendable{0}, suspendable_in_catch{0};
  api::router router;
  router.add("GET", "/wait", [&](const api::request&, const api::route_match&, api::responder done) {
    if (support::can_suspend()) ++suspendable;
    try {
      throw std::runtime_error("handled here");
    } catch (const std::exception&) {
      if (support::can_suspend()) ++suspendable_in_catch;
    }
    const bool ready = support::wait_fd(pipe_fds[0], true, false, 4000);
    support::sleep_ms(5);
    api::response r;
    r.body = ready ? "ready" : "timed out";
    done(std::move(r));
  });
  router.add("GET", "/inline", [](const api::request&, const api::route_match&, api::responder done) {
    api::response r;
    r.body = "inline";
    done(std::move(r));
  }, false);
  api::metrics stats;
  options o;
  o.port = 0;
  o.threads = 1;
  o.log_requests = false;
  o.fibers = true;
  auto server = make_server(o, router, stats);
  const auto url = server->listen();
  const int port = std::stoi(url.substr(url.rfind(':') + 1));
  std::thread serving([&] { server->run(); });

  std::vector<std::string> answers(5);
  std::vector<std::thread> clients;
  for (auto& a : answers)
    clients.emplace_back([&a, port] { a = ask(port, "GET /wait HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"); });
  for (int i = 0; i < 200 && stats.fiber_suspensions.load() < 5; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  EXPECT_EQ(stats.handler_fibers.load(), 5) << "five handlers wait as fibers";
  EXPECT_EQ(suspendable.load(), 5);
  EXPECT_EQ(suspendable_in_catch.load(), 0) << "a fiber inside a catch block must not suspend";

  const auto started = std::chrono::steady_clock::now();
  const auto other = ask(port, "GET /inline HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_NE(other.find("inline"), std::string::npos) << other;
  EXPECT_LT(took, std::chrono::milliseconds(3000)) << "the one I/O thread answered while five handlers waited";
  for (const auto& a : answers) EXPECT_TRUE(a.empty()) << "nobody answered yet: " << a;

  ASSERT_EQ(::write(pipe_fds[1], "x", 1), 1);
  for (auto& c : clients) c.join();
  for (const auto& a : answers) {
    EXPECT_EQ(a.rfind("HTTP/1.1 200", 0), 0u) << a;
    EXPECT_NE(a.find("ready"), std::string::npos) << a;
  }
  EXPECT_EQ(stats.handler_fibers.load(), 0);

  std::raise(SIGTERM);
  serving.join();
  server.reset();
  ::close(pipe_fds[0]);
  ::close(pipe_fds[1]);
}

}  // namespace
}  // namespace eventd::http
