#include "live/client.hpp"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <charconv>

namespace eventd::live {
namespace {

// A positive id of at most 15 digits, without sign, spaces or leading zeros.
bool is_id(std::string_view s) {
  if (s.empty() || s.size() > 15 || s.front() == '0') return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string lower(std::string_view s) {
  std::string out(s);
  for (auto& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

std::optional<topic_rule> rule_for(std::string_view topic) {
  if (topic == "events") return topic_rule{};
  if (topic == "goals") return topic_rule{domain::role::steering};
  if (topic.starts_with("event:") && is_id(topic.substr(6))) return topic_rule{};
  if (topic.starts_with("checkins:") && is_id(topic.substr(9))) return topic_rule{domain::role::organiser};
  if (topic.starts_with("partner:") && is_id(topic.substr(8))) {
    domain::id_t id = 0;
    std::from_chars(topic.data() + 8, topic.data() + topic.size(), id);
    return topic_rule{std::nullopt, id};
  }
  return std::nullopt;
}

bool origin_allowed(std::string_view origin, std::string_view host, bool secure, const std::vector<std::string>& allowed) {
  if (origin.empty()) return true;
  const std::string o = lower(origin);
  if (!host.empty() && o == lower(std::string(secure ? "https://" : "http://") + std::string(host))) return true;
  return std::any_of(allowed.begin(), allowed.end(), [&](const std::string& a) { return lower(a) == o; });
}

client::client(hub& h, hooks k, std::optional<domain::role> role, std::string credential)
    : hub_(h), hooks_(std::move(k)), role_(role), credential_(role ? std::move(credential) : std::string{}) {}

void client::set_role(std::optional<domain::role> role) {
  role_ = role;
  for (auto it = subs_.begin(); it != subs_.end();) {
    const auto rule = rule_for(it->first);
    if (rule && rule->minimum && !(role_ && *role_ >= *rule->minimum)) {
      const std::string topic = it->first;
      it = subs_.erase(it);
      hub_.unsubscribe(this, topic);
      error("forbidden", topic);
    } else {
      ++it;
    }
  }
}

void client::recheck() {
  if (closed_ || credential_.empty()) return;
  auto role = hooks_.authenticate ? hooks_.authenticate(credential_) : std::nullopt;
  if (role == role_) return;
  if (!role) credential_.clear();  // gone for good: a session does not come back
  set_role(role);
}

bool client::allow_message() {
  const auto now = std::chrono::steady_clock::now();
  tokens_ = std::min(burst, tokens_ + std::chrono::duration<double>(now - refilled_).count() * refill_per_second);
  refilled_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

void client::on_message(std::string_view text) {
  if (closed_) return;
  if (!allow_message()) return error("rate_limited");
  const auto msg = nlohmann::json::parse(text.begin(), text.end(), nullptr, false);
  if (!msg.is_object() || !msg.contains("type") || !msg["type"].is_string()) return error("bad_message");
  const auto& type = msg["type"].get_ref<const std::string&>();
  if (type == "subscribe" || type == "unsubscribe") {
    const auto topics = msg.find("topics");
    if (topics == msg.end() || !topics->is_array() || topics->size() > max_topics) return error("bad_message");
    for (const auto& t : *topics)
      if (!t.is_string()) return error("bad_message");
    for (const auto& t : *topics) {
      const auto& name = t.get_ref<const std::string&>();
      if (type == "subscribe")
        subscribe(name);
      else
        unsubscribe(name);
    }
    return;
  }
  if (type == "auth" && msg.contains("manage_token")) {
    // A participant's private link: their own partner-search topic (partner:{registration_id}) from now on.
    const auto token = msg.find("manage_token");
    if (!token->is_string() || token->get_ref<const std::string&>().size() > 512) return error("bad_message");
    auto id = hooks_.registration_of ? hooks_.registration_of(token->get<std::string>()) : std::nullopt;
    if (!id) return error("unauthorized");
    if (std::find(registrations_.begin(), registrations_.end(), *id) == registrations_.end()) {
      if (registrations_.size() >= max_registrations) return error("too_many_topics");
      registrations_.push_back(*id);
    }
    return answer("{\"type\":\"auth\",\"registration_id\":" + std::to_string(*id) + "}");
  }
  if (type == "auth") {
    const auto token = msg.find("token");
    if (token == msg.end() || !token->is_string() || token->get_ref<const std::string&>().size() > 512)
      return error("bad_message");
    auto role = hooks_.authenticate ? hooks_.authenticate(token->get<std::string>()) : std::nullopt;
    if (!role) return error("unauthorized");
    // This token is the connection's credential from now on; a lower role than before ends what it no longer reaches.
    credential_ = token->get<std::string>();
    set_role(role);
    return answer(std::string("{\"type\":\"auth\",\"role\":\"") + std::string(domain::to_string(*role)) + "\"}");
  }
  error("bad_message");
}

void client::subscribe(const std::string& topic) {
  const auto rule = rule_for(topic);
  if (!rule) return error("unknown_topic", topic);
  if (rule->minimum && !(role_ && *role_ >= *rule->minimum)) return error("forbidden", topic);
  if (rule->registration &&
      std::find(registrations_.begin(), registrations_.end(), *rule->registration) == registrations_.end())
    return error("forbidden", topic);
  auto it = subs_.find(topic);
  if (it == subs_.end()) {
    if (subs_.size() >= max_topics) return error("too_many_topics", topic);
    it = subs_.emplace(topic, subscription{}).first;
  }
  // Subscribing again asks for a fresh snapshot.
  it->second = subscription{};
  hub_.subscribe(shared_from_this(), topic);
}

void client::unsubscribe(const std::string& topic) {
  if (subs_.erase(topic) == 0) return;
  hub_.unsubscribe(this, topic);
}

void client::closed() {
  if (closed_) return;
  closed_ = true;
  subs_.clear();
  answers_.clear();
  hooks_.wake = nullptr;
  hub_.drop(this);
}

frame client::next() {
  if (!answers_.empty()) {
    auto f = std::move(answers_.front());
    answers_.erase(answers_.begin());
    if (answers_.empty()) answers_.shrink_to_fit();
    return f;
  }
  for (auto& [topic, s] : subs_) {
    if (s.seq == 0 || s.seq == s.sent_seq) continue;
    s.sent_seq = s.seq;
    frame f = s.snapshot_sent ? std::move(s.update) : std::move(s.snapshot);
    s.snapshot_sent = true;
    s.snapshot.reset();
    s.update.reset();
    return f;
  }
  return nullptr;
}

void client::publish(const std::string& topic, std::uint64_t seq, const frame& snapshot, const frame& update) {
  hooks_.post([self = shared_from_this(), topic, seq, snapshot, update] { self->take(topic, seq, snapshot, update); });
}

void client::unknown_topic(const std::string& topic) {
  hooks_.post([self = shared_from_this(), topic] {
    if (self->closed_) return;
    // Not if the client subscribed again meanwhile and that got a state (an event made in between).
    auto it = self->subs_.find(topic);
    if (it != self->subs_.end() && it->second.seq == 0) self->subs_.erase(it);
    self->error("unknown_topic", topic);
  });
}

void client::take(const std::string& topic, std::uint64_t seq, const frame& snapshot, const frame& update) {
  if (closed_) return;
  auto it = subs_.find(topic);
  // Unsubscribed meanwhile, or an older state than one already here: nothing to send.
  if (it == subs_.end() || seq <= it->second.seq) return;
  auto& s = it->second;
  s.seq = seq;
  s.snapshot = snapshot;
  s.update = update;
  if (hooks_.wake) hooks_.wake();
}

void client::answer(std::string text) { enqueue(std::make_shared<const std::string>(std::move(text))); }

void client::error(std::string_view code, std::optional<std::string_view> topic) {
  nlohmann::json j = {{"type", "error"}};
  // Echoed so the client knows which one; a long name cut short may split a character: replaced, never invalid.
  if (topic) j["topic"] = std::string(topic->substr(0, 200));
  j["code"] = code;
  answer(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
}

void client::enqueue(frame message) {
  if (closed_) return;
  if (answers_.size() >= max_queued_messages) {
    overflowed_ = true;
  } else {
    answers_.push_back(std::move(message));
  }
  if (hooks_.wake) hooks_.wake();
}

}  // namespace eventd::live
