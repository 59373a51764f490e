// The live hub: topics, their current state, and who watches them (docs/ARCHITECTURE.md, Live updates).
// Free of Boost and of sockets: a connection is a `sink`, a topic's state comes from a `topic_source`.
#pragma once

#include "store/store.hpp"

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>
#include <vector>

namespace eventd::live {

// One serialized message, shared by every connection that sends it.
using frame = std::shared_ptr<const std::string>;

// A connection as the hub sees it. Called on the hub's thread: hand the frame over to the connection's own thread
// and return at once.
class sink {
public:
  virtual ~sink() = default;
  // The topic's newest state, framed once as a snapshot and once as an update (the same bytes for every watcher).
  // The sink sends the snapshot when this subscription has not had one yet, otherwise the update; a state it has
  // not sent yet may be replaced by a newer one (latest wins).
  virtual void publish(const std::string& topic, std::uint64_t seq, const frame& snapshot, const frame& update) = 0;
  // The source has no such topic (an unknown event): the subscription ends with error unknown_topic.
  virtual void unknown_topic(const std::string& topic) = 0;
};

// Where a topic's state comes from: its data as JSON text, or nothing when there is no such topic (an unknown
// event). Called on the hub's thread only, once per change burst, never per watcher.
using topic_source = std::function<std::optional<std::string>(const std::string& topic)>;

struct hub_options {
  // Successive updates of one topic are at least this far apart; changes in between are folded into the next one
  // (latest state wins). Keeps a storm of check-ins to a few messages per second per topic, each within ~100 ms.
  std::chrono::milliseconds min_interval{75};
  // Topics that depend on the clock as well as on the data (`goals`: an event counts as held once it started) are
  // recomputed this often while watched.
  std::chrono::milliseconds clock_refresh{std::chrono::seconds(60)};
};

struct hub_stats {
  std::uint64_t topics = 0;         // topics with at least one watcher
  std::uint64_t subscriptions = 0;  // (connection, topic) pairs
  std::uint64_t published = 0;      // states published (each to all watchers of its topic)
  std::uint64_t computed = 0;       // times a topic's state was computed
};

// The topics a committed change touches (event:{id}, events, goals, checkins:{id}); `every_topic` for a resync.
inline constexpr std::string_view every_topic = "*";
std::vector<std::string> topics_touched(const store::change&);

class hub {
public:
  explicit hub(topic_source, hub_options = {});
  ~hub();
  hub(const hub&) = delete;
  hub& operator=(const hub&) = delete;

  // Adds a watcher: it gets the topic's current state as a snapshot, then every newer state. An unknown topic
  // (the source has no state for it) is told so through sink::unknown_topic instead.
  // Asynchronous and in order with the calls below: they queue for the hub's thread.
  void subscribe(std::shared_ptr<sink>, std::string topic);
  void unsubscribe(const sink*, std::string topic);
  // The connection has gone: every subscription it held ends.
  void drop(const sink*);
  // From the writer's commit hook (any thread): marks what the changes touch. Cheap; the work happens on the hub's
  // thread.
  void changed(const std::vector<store::change>&);
  // Marks a topic as changed (for tests and for changes that do not come from a commit).
  void touch(const std::string& topic);
  hub_stats stats();
  // Ends the hub's thread; later calls do nothing. Watchers keep what they were sent.
  void stop();

private:
  using clock = std::chrono::steady_clock;
  struct request {
    enum class op { subscribe, unsubscribe, drop } what;
    std::shared_ptr<sink> who;
    const sink* key = nullptr;
    std::string topic;
  };
  struct topic_state {
    std::string data;
    std::uint64_t seq = 0;
    frame snapshot, update;
    clock::time_point published_at{};
    std::unordered_map<const sink*, std::shared_ptr<sink>> watchers;
  };

  void run();
  void handle(request&);
  // Computes the topic's state; publishes it to every watcher when it differs from the last one.
  void refresh(const std::string& topic, topic_state&);
  void frames(const std::string& topic, topic_state&);

  topic_source source_;
  hub_options opts_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::vector<request> requests_;
  std::set<std::string> touched_;
  bool stopping_ = false;
  hub_stats stats_;

  // The hub's thread only.
  std::map<std::string, topic_state> topics_;
  std::map<std::string, clock::time_point> due_;  // topics changed and when their next update may go
  std::unordered_map<const sink*, std::set<std::string>> by_sink_;
  std::uint64_t seq_ = 0;  // one counter for all topics: a topic's seq never goes back, even if it is dropped and made again
  std::thread thread_;
};

}  // namespace eventd::live
