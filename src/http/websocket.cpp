#include "http/websocket.hpp"

#include "live/client.hpp"
#include "support/log.hpp"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/websocket.hpp>

#include <mutex>
#include <unordered_map>

namespace eventd::http {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace websocket = boost::beast::websocket;
constexpr auto tuple_awaitable = asio::as_tuple(asio::use_awaitable);

}  // namespace

// One live connection. Everything in it runs on the connection's strand (the stream's executor): the reader (in
// serve), the writer (pump), the client's hooks, and what close_all posts.
struct live_gateway::connection : std::enable_shared_from_this<live_gateway::connection> {
  websocket::stream<beast::tcp_stream> ws;
  std::shared_ptr<live::client> client;
  bool done = false;
  bool writing = false;  // a write (or the close) is in flight: its completion pumps again
  std::optional<websocket::close_code> closing;

  explicit connection(beast::tcp_stream s) : ws(std::move(s)) {}
};

struct live_gateway::registry {
  mutable std::mutex mutex;
  std::unordered_map<std::string, int> per_address;
  std::size_t total = 0;
  std::uint64_t next_id = 0;
  std::unordered_map<std::uint64_t, std::weak_ptr<connection>> open;
  bool closing_all = false;
  bool recheck_started = false;
};

namespace {

// The connection's only writer, on its strand: when no write is in flight, starts the next one (queued answers
// first, then each topic's newest state) or the close when asked; each completion calls it again. Called straight
// from the client's wake hook, so that an update costs one post (the hub's hand-over) and one write, nothing more.
void pump(const std::shared_ptr<live_gateway::connection>& c);

}  // namespace

live_gateway::live_gateway(live_settings s) : settings_(std::move(s)), registry_(std::make_unique<registry>()) {}

live_gateway::~live_gateway() = default;

bool live_gateway::origin_allowed(std::string_view origin, std::string_view host) const {
  // The server's own origin over either scheme: TLS usually ends at a proxy in front of it.
  return live::origin_allowed(origin, host, false, settings_.allowed_origins) ||
         live::origin_allowed(origin, host, true, settings_.allowed_origins);
}

bool live_gateway::admit(const std::string& address, bool per_address_cap) {
  std::lock_guard lock(registry_->mutex);
  if (registry_->closing_all) return false;
  if (registry_->total >= static_cast<std::size_t>(settings_.max_connections)) return false;
  auto& mine = registry_->per_address[address];
  if (per_address_cap && mine >= settings_.max_connections_per_address) {
    if (mine == 0) registry_->per_address.erase(address);
    return false;
  }
  ++mine;
  ++registry_->total;
  return true;
}

void live_gateway::release(const std::string& address) {
  std::lock_guard lock(registry_->mutex);
  --registry_->total;
  auto it = registry_->per_address.find(address);
  if (it != registry_->per_address.end() && --it->second <= 0) registry_->per_address.erase(it);
}

std::size_t live_gateway::open() const {
  std::lock_guard lock(registry_->mutex);
  return registry_->total;
}

void live_gateway::close_all() {
  std::vector<std::shared_ptr<connection>> all;
  {
    std::lock_guard lock(registry_->mutex);
    registry_->closing_all = true;
    for (auto& [id, weak] : registry_->open)
      if (auto c = weak.lock()) all.push_back(std::move(c));
  }
  for (auto& c : all) {
    asio::post(c->ws.get_executor(), [c] {
      if (c->done) return;
      c->closing = websocket::close_code::going_away;
      pump(c);
    });
  }
}

asio::awaitable<void> live_gateway::recheck_loop() {
  asio::steady_timer timer(co_await asio::this_coro::executor);
  for (;;) {
    timer.expires_after(std::chrono::seconds(settings_.recheck_seconds));
    co_await timer.async_wait(tuple_awaitable);
    std::vector<std::shared_ptr<connection>> all;
    {
      std::lock_guard lock(registry_->mutex);
      if (registry_->closing_all) co_return;
      for (auto& [id, weak] : registry_->open)
        if (auto c = weak.lock()) all.push_back(std::move(c));
    }
    for (auto& c : all) {
      asio::post(c->ws.get_executor(), [c] {
        if (c->done || !c->client->has_credential()) return;
        c->client->recheck();
        pump(c);
      });
    }
  }
}

asio::awaitable<void> live_gateway::serve(beast::tcp_stream stream, beast::http::request<beast::http::string_body> req,
                                          std::string address, std::optional<domain::role> role,
                                          std::string credential) {
  struct place {
    live_gateway* self;
    std::string address;
    ~place() { self->release(address); }
  } held{this, address};

  auto c = std::make_shared<connection>(std::move(stream));
  // The websocket stream keeps its own time from here: a handshake limit, and an idle limit with pings halfway.
  beast::get_lowest_layer(c->ws).expires_never();
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(10);
  t.idle_timeout = std::chrono::seconds(settings_.idle_timeout_seconds);
  t.keep_alive_pings = true;
  c->ws.set_option(t);
  c->ws.read_message_max(live::client::max_message);
  c->ws.auto_fragment(false);
  c->ws.set_option(websocket::stream_base::decorator(
      [](websocket::response_type& res) { res.set(beast::http::field::server, "eventd"); }));
  auto [aec] = co_await c->ws.async_accept(req, tuple_awaitable);
  if (aec) co_return;
  req = {};  // this frame lives as long as the connection: keep no headers in it

  const auto ex = c->ws.get_executor();
  std::weak_ptr<connection> weak = c;
  live::client::hooks hooks;
  hooks.post = [ex](std::function<void()> f) { asio::post(ex, std::move(f)); };
  hooks.wake = [weak] {
    if (auto p = weak.lock()) pump(p);
  };
  hooks.authenticate = settings_.role_of_token;
  hooks.registration_of = settings_.registration_of;
  c->client = std::make_shared<live::client>(*settings_.hub, std::move(hooks), role, std::move(credential));

  std::uint64_t id = 0;
  bool start_recheck = false;
  {
    std::lock_guard lock(registry_->mutex);
    start_recheck = !registry_->recheck_started;
    registry_->recheck_started = true;
    id = ++registry_->next_id;
    registry_->open.emplace(id, c);
    // A shutdown that began while this one was being accepted: it closes at once.
    if (registry_->closing_all) c->closing = websocket::close_code::going_away;
  }
  pump(c);  // a close asked for while accepting
  if (start_recheck) {
    auto& ioc = static_cast<asio::io_context&>(asio::query(ex, asio::execution::context));
    asio::co_spawn(ioc, recheck_loop(), asio::detached);
  }

  beast::flat_buffer buffer;
  for (;;) {
    // An over-long message fails here (message_too_big) after Beast has sent close 1009; an idle peer times out.
    auto [rec, n] = co_await c->ws.async_read(buffer, tuple_awaitable);
    if (rec) break;
    if (c->ws.got_text()) {
      const auto data = buffer.cdata();
      c->client->on_message(std::string_view(static_cast<const char*>(data.data()), data.size()));
    } else {
      c->client->on_message("");  // binary: not a message of this protocol (answers bad_message)
    }
    buffer.consume(buffer.size());
    if (c->client->overflowed() && !c->closing) {
      c->closing = websocket::close_code::policy_error;
      pump(c);
    }
  }
  c->done = true;
  c->client->closed();
  boost::system::error_code ignored;
  beast::get_lowest_layer(c->ws).socket().close(ignored);
  std::lock_guard lock(registry_->mutex);
  registry_->open.erase(id);
}

namespace {

void pump(const std::shared_ptr<live_gateway::connection>& c) {
  if (c->done || c->writing) return;
  if (c->closing) {
    c->writing = true;  // for good: nothing is written after the close
    c->ws.async_close(*c->closing, [c](boost::system::error_code) {});
    return;
  }
  auto f = c->client->next();
  if (!f) {
    if (!c->client->overflowed()) return;
    c->closing = websocket::close_code::policy_error;
    return pump(c);
  }
  c->writing = true;
  c->ws.text(true);
  // The frame's bytes are shared with every other watcher; the handler keeps them alive until the write is done.
  c->ws.async_write(asio::buffer(*f), [c, f](boost::system::error_code ec, std::size_t) {
    c->writing = false;
    if (ec) return;
    pump(c);
  });
}

}  // namespace

}  // namespace eventd::http
