#include "live/hub.hpp"

#include "support/log.hpp"

namespace eventd::live {

std::vector<std::string> topics_touched(const store::change& c) {
  using kind = store::change::kind;
  std::vector<std::string> out;
  if (c.what == kind::resync) return {std::string(every_topic)};
  // The counselling log feeds only the goals' support figures.
  if (c.what == kind::support_saved) return {"goals"};
  if (c.what == kind::mail_queued || c.what == kind::profile_saved) return out;  // nothing anyone watches changed
  // A meeting request moves only the participant's own partner-search topic.
  if (c.what == kind::meeting_changed) return {"partner:" + std::to_string(c.registration_id)};
  if (c.event_id <= 0) return out;
  // An evaluation answer moves the goal figures only; the event's counts and door feed stay as they were.
  if (c.what == kind::evaluated) return {"goals"};
  const std::string id = std::to_string(c.event_id);
  out.push_back("event:" + id);
  out.push_back("events");
  out.push_back("checkins:" + id);
  // The goals count attendances (check-ins, with the person's facts) and events; a registration or a promotion
  // changes neither, unless it is a walk-in registered with its check-in.
  const bool walk_in = c.what == kind::registered && c.created && c.created->registration.walk_in;
  if (walk_in || (c.what != kind::registered && c.what != kind::promoted)) out.push_back("goals");
  return out;
}

hub::hub(topic_source source, hub_options opts) : source_(std::move(source)), opts_(opts), thread_([this] { run(); }) {}

hub::~hub() { stop(); }

void hub::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void hub::subscribe(std::shared_ptr<sink> who, std::string topic) {
  const sink* key = who.get();
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    requests_.push_back(request{request::op::subscribe, std::move(who), key, std::move(topic)});
  }
  wake_.notify_one();
}

void hub::unsubscribe(const sink* who, std::string topic) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    requests_.push_back(request{request::op::unsubscribe, nullptr, who, std::move(topic)});
  }
  wake_.notify_one();
}

void hub::drop(const sink* who) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    requests_.push_back(request{request::op::drop, nullptr, who, {}});
  }
  wake_.notify_one();
}

void hub::changed(const std::vector<store::change>& changes) {
  bool any = false;
  {
    std::lock_guard lock(mutex_);
    for (const auto& c : changes)
      for (auto& t : topics_touched(c)) any |= touched_.insert(std::move(t)).second;
  }
  if (any) wake_.notify_one();
}

void hub::touch(const std::string& topic) {
  {
    std::lock_guard lock(mutex_);
    touched_.insert(topic);
  }
  wake_.notify_one();
}

hub_stats hub::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void hub::run() {
  auto next_clock_refresh = clock::now() + opts_.clock_refresh;
  for (;;) {
    std::vector<request> requests;
    std::set<std::string> touched;
    {
      std::unique_lock lock(mutex_);
      auto deadline = next_clock_refresh;
      if (!due_.empty()) {
        for (const auto& [t, at] : due_) deadline = std::min(deadline, at);
      }
      wake_.wait_until(lock, deadline, [&] { return stopping_ || !requests_.empty() || !touched_.empty(); });
      if (stopping_) return;
      requests.swap(requests_);
      touched.swap(touched_);
    }
    try {
      for (auto& r : requests) handle(r);
      const auto now = clock::now();
      // Only watched topics have a state to keep current; the next update of each waits out min_interval.
      if (touched.count(std::string(every_topic))) {
        touched.clear();
        for (const auto& [name, state] : topics_) touched.insert(name);
      }
      for (const auto& t : touched) {
        auto it = topics_.find(t);
        if (it == topics_.end()) continue;
        due_.try_emplace(t, std::max(now, it->second.published_at + opts_.min_interval));
      }
      if (now >= next_clock_refresh) {
        next_clock_refresh = now + opts_.clock_refresh;
        if (topics_.count("goals")) due_.try_emplace("goals", now);
      }
      for (auto it = due_.begin(); it != due_.end();) {
        if (it->second > now) {
          ++it;
          continue;
        }
        auto t = topics_.find(it->first);
        if (t != topics_.end()) refresh(t->first, t->second);
        it = due_.erase(it);
      }
      std::lock_guard lock(mutex_);
      stats_.topics = topics_.size();
      std::uint64_t n = 0;
      for (const auto& [name, state] : topics_) n += state.watchers.size();
      stats_.subscriptions = n;
    } catch (const std::exception& e) {
      // A source that failed (the database busy, say) leaves the last state standing; the next change retries.
      support::log_fault("error", "live hub", e.what());
    }
  }
}

void hub::handle(request& r) {
  switch (r.what) {
    case request::op::subscribe: {
      auto it = topics_.find(r.topic);
      if (it == topics_.end()) {
        auto data = source_(r.topic);
        {
          std::lock_guard lock(mutex_);
          ++stats_.computed;
        }
        if (!data) {
          r.who->unknown_topic(r.topic);
          return;
        }
        it = topics_.emplace(r.topic, topic_state{}).first;
        it->second.data = std::move(*data);
        it->second.seq = ++seq_;
        frames(it->first, it->second);
      }
      auto& state = it->second;
      state.watchers[r.key] = r.who;
      by_sink_[r.key].insert(r.topic);
      r.who->publish(it->first, state.seq, state.snapshot, state.update);
      return;
    }
    case request::op::unsubscribe: {
      auto it = topics_.find(r.topic);
      if (it != topics_.end()) {
        it->second.watchers.erase(r.key);
        if (it->second.watchers.empty()) {
          due_.erase(it->first);
          topics_.erase(it);
        }
      }
      auto s = by_sink_.find(r.key);
      if (s != by_sink_.end()) {
        s->second.erase(r.topic);
        if (s->second.empty()) by_sink_.erase(s);
      }
      return;
    }
    case request::op::drop: {
      auto s = by_sink_.find(r.key);
      if (s == by_sink_.end()) return;
      for (const auto& topic : s->second) {
        auto it = topics_.find(topic);
        if (it == topics_.end()) continue;
        it->second.watchers.erase(r.key);
        if (it->second.watchers.empty()) {
          due_.erase(it->first);
          topics_.erase(it);
        }
      }
      by_sink_.erase(s);
      return;
    }
  }
}

void hub::refresh(const std::string& topic, topic_state& state) {
  auto data = source_(topic);
  {
    std::lock_guard lock(mutex_);
    ++stats_.computed;
  }
  // Gone (an event deleted) or unchanged: nothing to tell.
  if (!data || *data == state.data) return;
  state.data = std::move(*data);
  state.seq = ++seq_;
  state.published_at = clock::now();
  frames(topic, state);
  for (const auto& [key, who] : state.watchers) who->publish(topic, state.seq, state.snapshot, state.update);
  std::lock_guard lock(mutex_);
  ++stats_.published;
}

void hub::frames(const std::string& topic, topic_state& state) {
  const std::string tail = "\",\"seq\":" + std::to_string(state.seq) + ",\"data\":" + state.data + "}";
  const std::string name = support::json_escape(topic);
  state.snapshot = std::make_shared<const std::string>("{\"type\":\"snapshot\",\"topic\":\"" + name + tail);
  state.update = std::make_shared<const std::string>("{\"type\":\"update\",\"topic\":\"" + name + tail);
}

}  // namespace eventd::live
