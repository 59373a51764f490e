// One WebSocket client's side of the live protocol (../shared/API.md, Live updates): its messages, its role, its
// subscriptions, and what waits to be written to it. Free of sockets: the transport (http/websocket.cpp) feeds it
// messages and writes what `next()` hands out.
#pragma once

#include "domain/types.hpp"
#include "live/hub.hpp"

#include <chrono>
#include <cstdint>
#include <vector>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace eventd::live {

// Who may watch a topic; nullopt when there is no such topic name.
struct topic_rule {
  std::optional<domain::role> minimum;  // nullopt: public
  // partner:{registration_id}: only a connection that showed that registration's private link (auth manage_token).
  std::optional<domain::id_t> registration;
};
std::optional<topic_rule> rule_for(std::string_view topic);

// Whether a browser page from `origin` may open the socket: its own origin (the Host it connected to, over the
// scheme it used) or one of `allowed`. A request without Origin comes from no browser page and may.
bool origin_allowed(std::string_view origin, std::string_view host, bool secure, const std::vector<std::string>& allowed);

class client final : public sink, public std::enable_shared_from_this<client> {
public:
  struct hooks {
    // Runs `f` on the connection's own thread, in order (its strand).
    std::function<void(std::function<void()> f)> post;
    // Called on the connection's thread when something waits to be written.
    std::function<void()> wake;
    // A session token's role, or nullopt when the token names no live session.
    std::function<std::optional<domain::role>(const std::string& token)> authenticate;
    // The registration a participant's private link names, or nullopt.
    std::function<std::optional<domain::id_t>(const std::string& manage_token)> registration_of;
  };
  // Private links one connection may show (a participant of a few forums); more answer error too_many_topics.
  static constexpr std::size_t max_registrations = 8;
  static constexpr std::size_t max_topics = 64;
  static constexpr std::size_t max_queued_messages = 64;
  // The largest message a client may send; a larger one closes the connection (1009).
  static constexpr std::size_t max_message = 4096;
  // Messages from the client: a burst of this many, then `refill_per_second` (beyond: error rate_limited).
  static constexpr double burst = 30, refill_per_second = 10;

  // `credential`: the session token `role` came from (the upgrade's cookie or bearer), checked again by recheck().
  client(hub&, hooks, std::optional<domain::role> role, std::string credential = {});

  // The connection's thread only, from here on.
  void on_message(std::string_view text);
  // The next message to write, or nothing. Snapshots and updates wait one per topic (the newest), answers in order.
  frame next();
  // More answers queued than max_queued_messages: the client sends faster than it reads; close it (1008).
  bool overflowed() const { return overflowed_; }
  // The connection has ended: its subscriptions end, nothing more is queued.
  void closed();
  std::optional<domain::role> role() const { return role_; }
  // Asks again what the credential (the upgrade's session, or the last accepted auth token) allows: a session signed
  // out, expired or given a lower role loses the private topics it no longer reaches (error forbidden for each).
  void recheck();
  bool has_credential() const { return !credential_.empty(); }

  // sink: the hub's thread; handed over to the connection's thread.
  void publish(const std::string& topic, std::uint64_t seq, const frame& snapshot, const frame& update) override;
  void unknown_topic(const std::string& topic) override;

private:
  struct subscription {
    bool snapshot_sent = false;
    std::uint64_t sent_seq = 0;
    // What waits to be written: the newest state not yet sent.
    std::uint64_t seq = 0;
    frame snapshot, update;
  };
  void answer(std::string text);
  void error(std::string_view code, std::optional<std::string_view> topic = std::nullopt);
  void subscribe(const std::string& topic);
  // The role from now on; subscriptions it does not reach end with error forbidden.
  void set_role(std::optional<domain::role> role);
  void unsubscribe(const std::string& topic);
  void take(const std::string& topic, std::uint64_t seq, const frame& snapshot, const frame& update);
  void enqueue(frame message);
  bool allow_message();

  hub& hub_;
  hooks hooks_;
  std::optional<domain::role> role_;
  std::string credential_;
  std::vector<domain::id_t> registrations_;  // shown by their private links
  std::map<std::string, subscription> subs_;
  std::vector<frame> answers_;  // usually empty: a vector holds no memory then (a deque would hold ~600 bytes)
  bool overflowed_ = false;
  bool closed_ = false;
  double tokens_ = burst;
  std::chrono::steady_clock::time_point refilled_ = std::chrono::steady_clock::now();
};

}  // namespace eventd::live
