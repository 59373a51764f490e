// The live hub and one client's protocol, without sockets: what a watcher is sent, how bursts fold into one update,
// and how hostile messages are answered. tests/integration/live.test.mjs runs the same through the real server.
#include "live/client.hpp"
#include "live/hub.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <atomic>
#include <condition_variable>
#include <deque>
#include <mutex>

using namespace eventd;
using namespace std::chrono_literals;
using nlohmann::json;

namespace {

// A topic source whose state is a number per topic, moved by the test; counts how often it was asked.
struct counter_source {
  std::mutex mutex;
  std::map<std::string, int> value;
  std::atomic<int> asked{0};

  live::topic_source fn() {
    return [this](const std::string& topic) -> std::optional<std::string> {
      ++asked;
      std::lock_guard lock(mutex);
      auto it = value.find(topic);
      if (it == value.end()) return std::nullopt;
      return std::to_string(it->second);
    };
  }
  void set(const std::string& topic, int v) {
    std::lock_guard lock(mutex);
    value[topic] = v;
  }
};

// A watcher that records what the hub hands it.
struct recording_sink : live::sink {
  std::mutex mutex;
  std::condition_variable cv;
  std::vector<json> got;  // {topic, seq, snapshot, update} parsed
  std::vector<std::string> unknown;
  std::vector<const std::string*> update_bytes;

  void publish(const std::string& topic, std::uint64_t seq, const live::frame& snapshot, const live::frame& update) override {
    std::lock_guard lock(mutex);
    got.push_back({{"topic", topic}, {"seq", seq}, {"snapshot", json::parse(*snapshot)}, {"update", json::parse(*update)}});
    update_bytes.push_back(update.get());
    cv.notify_all();
  }
  void unknown_topic(const std::string& topic) override {
    std::lock_guard lock(mutex);
    unknown.push_back(topic);
    cv.notify_all();
  }
  // Waits until `pred` holds (at most 5 s); returns whether it did.
  template <class P>
  bool wait(P pred) {
    std::unique_lock lock(mutex);
    return cv.wait_for(lock, 5s, [&] { return pred(*this); });
  }
};

}  // namespace

TEST(live_hub, a_watcher_gets_the_state_then_each_new_one_with_a_higher_seq) {
  counter_source src;
  src.set("event:1", 10);
  live::hub h(src.fn(), {.min_interval = 0ms});
  auto w = std::make_shared<recording_sink>();
  h.subscribe(w, "event:1");
  ASSERT_TRUE(w->wait([](auto& s) { return s.got.size() == 1; }));
  EXPECT_EQ(w->got[0]["snapshot"]["type"], "snapshot");
  EXPECT_EQ(w->got[0]["snapshot"]["topic"], "event:1");
  EXPECT_EQ(w->got[0]["snapshot"]["data"], 10);
  EXPECT_EQ(w->got[0]["update"]["type"], "update");

  src.set("event:1", 11);
  h.touch("event:1");
  ASSERT_TRUE(w->wait([](auto& s) { return s.got.size() == 2; }));
  EXPECT_EQ(w->got[1]["update"]["data"], 11);
  EXPECT_GT(w->got[1]["seq"].get<std::uint64_t>(), w->got[0]["seq"].get<std::uint64_t>());
  EXPECT_EQ(w->got[1]["update"]["seq"], w->got[1]["seq"]);
}

TEST(live_hub, an_unchanged_state_is_not_sent_again) {
  counter_source src;
  src.set("events", 1);
  live::hub h(src.fn(), {.min_interval = 0ms});
  auto w = std::make_shared<recording_sink>();
  h.subscribe(w, "events");
  ASSERT_TRUE(w->wait([](auto& s) { return s.got.size() == 1; }));
  const int before = src.asked;
  h.touch("events");
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(src.asked, before + 1) << "the touch had the state computed";
  EXPECT_EQ(w->got.size(), 1u) << "but the same state is not sent again";
  src.set("events", 2);
  h.touch("events");
  ASSERT_TRUE(w->wait([](auto& s) { return s.got.size() == 2; }));
  EXPECT_EQ(w->got.back()["update"]["data"], 2);
}

TEST(live_hub, a_burst_of_changes_folds_into_few_updates_with_the_latest_state_shared_by_every_watcher) {
  counter_source src;
  src.set("checkins:7", 0);
  live::hub h(src.fn(), {.min_interval = 200ms});
  std::vector<std::shared_ptr<recording_sink>> ws;
  for (int i = 0; i < 50; ++i) {
    ws.push_back(std::make_shared<recording_sink>());
    h.subscribe(ws.back(), "checkins:7");
  }
  for (auto& w : ws) ASSERT_TRUE(w->wait([](auto& s) { return s.got.size() == 1; }));
  const int asked_before = src.asked;
  // 20 check-ins 10 ms apart: the hub wakes for each, but sends at most one update per 200 ms.
  for (int i = 1; i <= 20; ++i) {
    src.set("checkins:7", i);
    h.touch("checkins:7");
    std::this_thread::sleep_for(10ms);
  }
  for (auto& w : ws)
    ASSERT_TRUE(w->wait([](auto& s) { return !s.got.empty() && s.got.back()["update"]["data"] == 20; }));
  std::this_thread::sleep_for(300ms);
  // One computation per burst for all 50 watchers, not one per watcher or per change.
  EXPECT_LE(src.asked - asked_before, 4);
  EXPECT_LE(ws[0]->got.size(), 5u);
  // The same bytes for every watcher of one state.
  for (auto& w : ws) EXPECT_EQ(w->update_bytes.back(), ws[0]->update_bytes.back());
  EXPECT_EQ(h.stats().subscriptions, 50u);
}

TEST(live_hub, an_unknown_topic_is_reported_and_an_unwatched_topic_is_not_computed) {
  counter_source src;
  src.set("event:1", 1);
  live::hub h(src.fn(), {.min_interval = 0ms});
  auto w = std::make_shared<recording_sink>();
  h.subscribe(w, "event:404");
  ASSERT_TRUE(w->wait([](auto& s) { return s.unknown.size() == 1; }));
  EXPECT_EQ(w->unknown[0], "event:404");
  EXPECT_TRUE(w->got.empty());
  const int asked = src.asked;
  for (int i = 0; i < 10; ++i) h.touch("event:1");
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(src.asked, asked) << "nobody watches event:1";
}

TEST(live_hub, unsubscribed_and_dropped_watchers_get_nothing_more) {
  counter_source src;
  src.set("events", 1);
  src.set("goals", 1);
  live::hub h(src.fn(), {.min_interval = 0ms});
  auto a = std::make_shared<recording_sink>();
  auto b = std::make_shared<recording_sink>();
  auto c = std::make_shared<recording_sink>();
  h.subscribe(a, "events");
  h.subscribe(b, "events");
  h.subscribe(b, "goals");
  h.subscribe(c, "events");
  for (auto* w : {a.get(), c.get()}) ASSERT_TRUE(w->wait([](auto& s) { return s.got.size() == 1; }));
  ASSERT_TRUE(b->wait([](auto& s) { return s.got.size() == 2; }));
  h.unsubscribe(a.get(), "events");
  h.drop(b.get());
  src.set("events", 2);
  src.set("goals", 2);
  h.touch("events");
  h.touch("goals");
  ASSERT_TRUE(c->wait([](auto& s) { return s.got.size() == 2; }));
  std::this_thread::sleep_for(50ms);
  EXPECT_EQ(a->got.size(), 1u);
  EXPECT_EQ(b->got.size(), 2u);
  EXPECT_EQ(h.stats().subscriptions, 1u);
}

TEST(live_hub, changes_touch_their_event_the_list_the_door_feed_and_the_goals_where_attendance_moves) {
  store::change reg{};
  reg.what = store::change::kind::registered;
  reg.event_id = 5;
  EXPECT_EQ(live::topics_touched(reg), (std::vector<std::string>{"event:5", "events", "checkins:5"}));
  store::change in{};
  in.what = store::change::kind::checked_in;
  in.event_id = 5;
  EXPECT_EQ(live::topics_touched(in), (std::vector<std::string>{"event:5", "events", "checkins:5", "goals"}));
  store::change none{};
  none.what = store::change::kind::cancelled;
  EXPECT_TRUE(live::topics_touched(none).empty());
}

namespace {

// A client wired to a hub with hooks that queue work for the test's thread, as a strand would.
struct client_rig {
  counter_source src;
  live::hub h;
  std::mutex mutex;
  std::deque<std::function<void()>> posted;
  std::map<std::string, domain::role> sessions{{"steering-token", domain::role::steering},
                                               {"organiser-token", domain::role::organiser}};
  std::shared_ptr<live::client> c;

  explicit client_rig(std::optional<domain::role> role = std::nullopt) : h(src.fn(), {.min_interval = 0ms}) {
    src.set("events", 1);
    src.set("goals", 1);
    src.set("event:3", 1);
    src.set("checkins:3", 1);
    live::client::hooks k;
    k.post = [this](std::function<void()> f) {
      std::lock_guard lock(mutex);
      posted.push_back(std::move(f));
    };
    k.wake = [] {};
    k.authenticate = [this](const std::string& t) -> std::optional<domain::role> {
      auto it = sessions.find(t);
      if (it == sessions.end()) return std::nullopt;
      return it->second;
    };
    c = std::make_shared<live::client>(h, std::move(k), role);
  }
  ~client_rig() { c->closed(); }

  // Runs what the hub posted, then takes every queued message, parsed.
  std::vector<json> drain(std::size_t at_least = 0) {
    std::vector<json> out;
    const auto until = std::chrono::steady_clock::now() + 5s;
    do {
      std::deque<std::function<void()>> run;
      {
        std::lock_guard lock(mutex);
        run.swap(posted);
      }
      for (auto& f : run) f();
      while (auto f = c->next()) out.push_back(json::parse(*f));
      if (out.size() < at_least) std::this_thread::sleep_for(2ms);
    } while (out.size() < at_least && std::chrono::steady_clock::now() < until);
    return out;
  }
};

}  // namespace

TEST(live_client, topic_names_and_who_may_watch_them) {
  EXPECT_FALSE(live::rule_for("events")->minimum);
  EXPECT_FALSE(live::rule_for("event:42")->minimum);
  EXPECT_EQ(live::rule_for("goals")->minimum, domain::role::steering);
  EXPECT_EQ(live::rule_for("checkins:42")->minimum, domain::role::organiser);
  for (const char* bad : {"", "event", "event:", "event:0", "event:042", "event:-1", "event:1x", "event: 1",
                          "checkins:", "Events", "goals ", "event:1234567890123456"})
    EXPECT_FALSE(live::rule_for(bad)) << bad;
}

TEST(live_client, origins_own_or_configured_and_none_for_non_browsers) {
  const std::vector<std::string> allowed{"https://dashboard.example.org"};
  EXPECT_TRUE(live::origin_allowed("", "host:8080", false, allowed));
  EXPECT_TRUE(live::origin_allowed("http://host:8080", "host:8080", false, allowed));
  EXPECT_TRUE(live::origin_allowed("HTTP://HOST:8080", "host:8080", false, allowed));
  EXPECT_TRUE(live::origin_allowed("https://host", "host", true, allowed));
  EXPECT_TRUE(live::origin_allowed("https://dashboard.example.org", "host:8080", false, allowed));
  EXPECT_FALSE(live::origin_allowed("http://host:8081", "host:8080", false, allowed));
  EXPECT_FALSE(live::origin_allowed("http://host:8080.evil.example", "host:8080", false, allowed));
  EXPECT_FALSE(live::origin_allowed("null", "host:8080", false, allowed));
  EXPECT_FALSE(live::origin_allowed("https://host", "host", false, {}));
  EXPECT_FALSE(live::origin_allowed("http://x", "", false, {}));
}

TEST(live_client, subscribes_and_refuses_with_the_protocols_errors) {
  client_rig r;
  r.c->on_message(R"({"type":"subscribe","topics":["events","goals","nope","event:3"]})");
  auto got = r.drain(4);
  ASSERT_EQ(got.size(), 4u);
  std::map<std::string, std::string> by_topic;
  for (auto& m : got) by_topic[m["topic"]] = m["type"] == "error" ? m["code"].get<std::string>() : m["type"].get<std::string>();
  EXPECT_EQ(by_topic["goals"], "forbidden");
  EXPECT_EQ(by_topic["nope"], "unknown_topic");
  EXPECT_EQ(by_topic["events"], "snapshot");
  EXPECT_EQ(by_topic["event:3"], "snapshot");

  for (const char* bad : {"", "null", "[]", "{}", R"({"type":1})", R"({"type":"subscribe"})",
                          R"({"type":"subscribe","topics":[null]})", R"({"type":"auth","token":5})", "{\"type\":\"su"})
    r.c->on_message(bad);
  got = r.drain(9);
  ASSERT_EQ(got.size(), 9u);
  for (auto& m : got) EXPECT_EQ(m["code"], "bad_message") << m.dump();
}

TEST(live_client, auth_opens_private_topics_and_a_wrong_token_does_not) {
  client_rig r;
  r.c->on_message(R"({"type":"auth","token":"guess"})");
  auto got = r.drain(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["code"], "unauthorized");
  r.c->on_message(R"({"type":"auth","token":"steering-token"})");
  r.c->on_message(R"({"type":"subscribe","topics":["goals","checkins:3"]})");
  got = r.drain(3);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0], (json{{"type", "auth"}, {"role", "steering"}}));
  EXPECT_EQ(got[1]["code"], "forbidden");  // the door feed is for organisers
  EXPECT_EQ(got[2]["type"], "snapshot");
  EXPECT_EQ(got[2]["topic"], "goals");
}

TEST(live_client, a_lower_role_or_an_ended_session_ends_the_private_topics_it_no_longer_reaches) {
  client_rig r;
  r.c->on_message(R"({"type":"auth","token":"organiser-token"})");
  r.c->on_message(R"({"type":"subscribe","topics":["events","goals","checkins:3"]})");
  auto got = r.drain(4);
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0]["role"], "organiser");

  // Unchanged: a recheck says nothing.
  r.c->recheck();
  EXPECT_TRUE(r.drain().empty());

  // Another token with a lower role: the door feed ends, the goals stay.
  r.c->on_message(R"({"type":"auth","token":"steering-token"})");
  got = r.drain(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0], (json{{"type", "error"}, {"code", "forbidden"}, {"topic", "checkins:3"}}));
  EXPECT_EQ(got[1], (json{{"type", "auth"}, {"role", "steering"}}));

  // That session signed out: at the next recheck the goals end too; the public list goes on.
  r.sessions.erase("steering-token");
  r.c->recheck();
  got = r.drain(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0], (json{{"type", "error"}, {"code", "forbidden"}, {"topic", "goals"}}));
  EXPECT_FALSE(r.c->has_credential());
  r.src.set("goals", 2);
  r.src.set("events", 2);
  r.h.touch("goals");
  r.h.touch("events");
  got = r.drain(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["topic"], "events");
  EXPECT_EQ(got[0]["type"], "update");
  r.c->on_message(R"({"type":"subscribe","topics":["goals"]})");
  got = r.drain(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["code"], "forbidden");
}

TEST(live_client, too_many_topics_too_many_messages_and_an_unread_queue_are_bounded) {
  client_rig r;
  json many = json::array();
  for (std::size_t i = 1; i <= live::client::max_topics; ++i) many.push_back("event:" + std::to_string(i + 100));
  r.c->on_message(json{{"type", "subscribe"}, {"topics", many}}.dump());
  r.c->on_message(R"({"type":"subscribe","topics":["events"]})");
  // The 65th is refused at once (the 64 unknown events are still subscribed until the hub says so).
  auto first = r.c->next();
  ASSERT_TRUE(first);
  EXPECT_EQ(json::parse(*first)["code"], "too_many_topics");

  client_rig fast;
  int limited = 0;
  for (int i = 0; i < 200; ++i) fast.c->on_message(R"({"type":"unsubscribe","topics":[]})");
  // Never read: the queue of answers stops at its bound and the client is marked for closing.
  EXPECT_TRUE(fast.c->overflowed());
  while (auto f = fast.c->next()) limited += json::parse(*f)["code"] == "rate_limited";
  EXPECT_GT(limited, 0);
  EXPECT_LE(limited, static_cast<int>(live::client::max_queued_messages));
}
