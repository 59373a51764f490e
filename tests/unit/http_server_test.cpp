// The real HTTP server in-process, with handlers that fail: every request still gets an answer.
#include "http/server.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <csignal>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <stdexcept>
#include <string>
#include <thread>

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

}  // namespace
}  // namespace eventd::http
