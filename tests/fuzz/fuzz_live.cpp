// One live connection's messages (live::client::on_message, ../shared/API.md Live updates), with the topic names and
// Origin checks they reach: every answer must be one JSON object with a known type, and nothing may crash or leak.
// Input: messages separated by NUL bytes, fed in order to one client (anonymous, or steering when byte 0 is odd).
#include "live/client.hpp"
#include "live/hub.hpp"

#include <nlohmann/json.hpp>

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <set>
#include <string>
#include <vector>

using namespace eventd;

namespace {

struct rig {
  std::mutex mutex;
  std::vector<std::function<void()>> posted;
  live::hub hub{[](const std::string& topic) -> std::optional<std::string> {
    if (topic == "events" || topic == "goals" || topic == "event:1" || topic == "checkins:1") return R"({"n":1})";
    return std::nullopt;
  }};

  void run_posted() {
    std::vector<std::function<void()>> run;
    {
      std::lock_guard lock(mutex);
      run.swap(posted);
    }
    for (auto& f : run) f();
  }
};

rig& state() {
  static rig r;
  return r;
}

[[noreturn]] void fail(const char* why, const std::string& frame) {
  std::fprintf(stderr, "fuzz check failed: %s\n  %.2000s\n", why, frame.c_str());
  std::abort();
}

void check(const std::string& frame) {
  static const std::set<std::string> types{"snapshot", "update", "error", "auth"};
  const auto j = nlohmann::json::parse(frame, nullptr, false);
  if (!j.is_object()) fail("an answer that is not a JSON object", frame);
  if (!j.contains("type") || !j["type"].is_string() || !types.count(j["type"].get<std::string>()))
    fail("an answer without a known type", frame);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size < 1) return 0;
  auto& r = state();
  r.run_posted();  // what the hub handed the previous input's client, now closed
  live::client::hooks hooks;
  hooks.post = [&r](std::function<void()> f) {
    std::lock_guard lock(r.mutex);
    r.posted.push_back(std::move(f));
  };
  hooks.wake = [] {};
  hooks.authenticate = [](const std::string& token) -> std::optional<domain::role> {
    if (token == "organiser") return domain::role::organiser;
    return std::nullopt;
  };
  // A participant's private link (partner search): "link-7" names registration 7, its topic partner:7.
  hooks.registration_of = [](const std::string& token) -> std::optional<domain::id_t> {
    if (token == "link-7") return 7;
    return std::nullopt;
  };
  const std::optional<domain::role> role = data[0] & 1 ? std::optional(domain::role::steering) : std::nullopt;
  auto c = std::make_shared<live::client>(r.hub, std::move(hooks), role);

  const std::string input(reinterpret_cast<const char*>(data + 1), size - 1);
  std::size_t start = 0;
  for (;;) {
    const auto end = input.find('\0', start);
    const auto msg = std::string_view(input).substr(start, end == std::string::npos ? std::string::npos : end - start);
    (void)live::rule_for(msg);
    (void)live::origin_allowed(msg, "host:8080", data[0] & 2, {"https://allowed.example"});
    c->on_message(msg);
    if (end == std::string::npos) break;
    start = end + 1;
  }
  r.run_posted();
  while (auto f = c->next()) check(*f);
  c->closed();
  return 0;
}
