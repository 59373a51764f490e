// The floor of scripts/bench/fanout (issue 7): the least a broadcaster can do on this machine. It takes N WebSocket
// connections (the handshake and the one subscribe message are set-up, not measured), then keeps only their file
// descriptors; on each "fire" from the load process it writes one ready-made frame, the same bytes as eventd's update,
// to every descriptor in one loop of send(2) calls, and answers with the loop's start and end on CLOCK_MONOTONIC.
//
// usage: fanout_floor [--listen 127.0.0.1:0]     prints "listening on HOST:PORT"
// control (a WebSocket to /control, text messages):
//   "snapshot <payload>" -> "ok"                   the payload each new subscriber gets as its snapshot
//   "fire <payload>"     -> "fired T0 T1 SENT FAILED"   T0/T1 in ns of steady_clock (CLOCK_MONOTONIC)
//   "count"              -> "count N"              subscribers taken so far
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tcp = asio::ip::tcp;
using asio::awaitable;
using asio::use_awaitable;

namespace {

std::int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

struct floor_state {
  std::vector<int> fds;       // subscribers after their snapshot; owned here, closed at exit
  std::string snapshot{R"({"type":"snapshot","topic":"event:1","seq":1,"data":{"checked_in":0}})"};
};

// One unmasked text frame as a server sends it (RFC 6455 5.2): FIN + text opcode, then the length.
std::string server_frame(std::string_view payload) {
  std::string f;
  f.push_back(static_cast<char>(0x81));
  if (payload.size() < 126) {
    f.push_back(static_cast<char>(payload.size()));
  } else if (payload.size() <= 0xffff) {
    f.push_back(static_cast<char>(126));
    f.push_back(static_cast<char>(payload.size() >> 8));
    f.push_back(static_cast<char>(payload.size() & 0xff));
  } else {
    f.push_back(static_cast<char>(127));
    for (int shift = 56; shift >= 0; shift -= 8) f.push_back(static_cast<char>((payload.size() >> shift) & 0xff));
  }
  f.append(payload);
  return f;
}

std::string fire(floor_state& st, std::string_view payload) {
  const std::string frame = server_frame(payload);
  std::size_t sent = 0, failed = 0;
  const std::int64_t t0 = now_ns();
  for (int fd : st.fds) {
    // A frame of a few hundred bytes always fits an idle socket's buffer; a short write would break the framing,
    // so it counts as a failure rather than being retried.
    const ssize_t n = ::send(fd, frame.data(), frame.size(), MSG_DONTWAIT | MSG_NOSIGNAL);
    if (n == static_cast<ssize_t>(frame.size())) ++sent; else ++failed;
  }
  const std::int64_t t1 = now_ns();
  return "fired " + std::to_string(t0) + " " + std::to_string(t1) + " " + std::to_string(sent) + " " +
         std::to_string(failed);
}

awaitable<void> control(websocket::stream<tcp::socket> ws, floor_state& st) {
  beast::flat_buffer buf;
  for (;;) {
    buf.clear();
    auto [ec, n] = co_await ws.async_read(buf, asio::as_tuple(use_awaitable));
    if (ec) co_return;
    const std::string msg = beast::buffers_to_string(buf.data());
    std::string reply;
    if (msg.starts_with("snapshot ")) {
      st.snapshot = msg.substr(9);
      reply = "ok";
    } else if (msg.starts_with("fire ")) {
      reply = fire(st, std::string_view(msg).substr(5));
    } else if (msg == "count") {
      reply = "count " + std::to_string(st.fds.size());
    } else {
      reply = "error unknown command";
    }
    ws.text(true);
    co_await ws.async_write(asio::buffer(reply), use_awaitable);
  }
}

awaitable<void> session(tcp::socket sock, floor_state& st) {
  try {
    beast::flat_buffer buf;
    http::request<http::string_body> req;
    co_await http::async_read(sock, buf, req, use_awaitable);
    websocket::stream<tcp::socket> ws(std::move(sock));
    co_await ws.async_accept(req, use_awaitable);
    if (req.target() == "/control") {
      co_await control(std::move(ws), st);
      co_return;
    }
    buf.clear();
    co_await ws.async_read(buf, use_awaitable);  // the subscribe message; its content does not matter here
    ws.text(true);
    co_await ws.async_write(asio::buffer(st.snapshot), use_awaitable);
    // From here on only the descriptor: no reads, no per-connection objects, as bare as a broadcaster can be.
    st.fds.push_back(ws.next_layer().release());
  } catch (const std::exception&) {
    // A subscriber that went away during set-up; the load process counts what it did not get.
  }
}

awaitable<void> listen(tcp::acceptor& acceptor, floor_state& st) {
  for (;;) {
    auto [ec, sock] = co_await acceptor.async_accept(asio::as_tuple(use_awaitable));
    if (ec) {
      if (ec == asio::error::operation_aborted) co_return;
      std::fprintf(stderr, "fanout_floor: accept: %s\n", ec.message().c_str());
      continue;  // e.g. EMFILE: the load process sees the connection fail
    }
    sock.set_option(tcp::no_delay(true));
    asio::co_spawn(acceptor.get_executor(), session(std::move(sock), st), asio::detached);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string listen_at = "127.0.0.1:0";
  for (int i = 1; i < argc; ++i) {
    const std::string_view a = argv[i];
    if (a == "--listen" && i + 1 < argc) {
      listen_at = argv[++i];
    } else {
      std::fprintf(stderr, "usage: fanout_floor [--listen HOST:PORT]\n");
      return 2;
    }
  }
  const auto colon = listen_at.rfind(':');
  if (colon == std::string::npos) {
    std::fprintf(stderr, "fanout_floor: --listen wants HOST:PORT\n");
    return 2;
  }
  asio::io_context io(1);
  tcp::endpoint ep(asio::ip::make_address(listen_at.substr(0, colon)),
                   static_cast<unsigned short>(std::stoi(listen_at.substr(colon + 1))));
  tcp::acceptor acceptor(io);
  acceptor.open(ep.protocol());
  acceptor.set_option(asio::socket_base::reuse_address(true));
  acceptor.bind(ep);
  acceptor.listen(asio::socket_base::max_listen_connections);
  floor_state st;
  std::cout << "listening on " << acceptor.local_endpoint().address().to_string() << ":"
            << acceptor.local_endpoint().port() << std::endl;
  asio::signal_set signals(io, SIGTERM, SIGINT);
  signals.async_wait([&](auto, int) { io.stop(); });
  asio::co_spawn(io, listen(acceptor, st), asio::detached);
  io.run();
  for (int fd : st.fds) ::close(fd);
  return 0;
}
