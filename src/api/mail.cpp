#include "api/mail.hpp"

#include "api/mime.hpp"
#include "domain/time.hpp"
#include "support/log.hpp"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <future>
#include <cstring>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

namespace eventd::api {

mail_transport::mail_transport(std::string folder, std::string from, std::string smtp_url)
    : folder_(std::move(folder)), from_(std::move(from)), smtp_url_(std::move(smtp_url)) {
  std::filesystem::create_directories(folder_);
}

mail_transport::~mail_transport() { hang_up(); }

void mail_transport::hang_up() {
  if (curl_) curl_easy_cleanup(static_cast<CURL*>(curl_));
  curl_ = nullptr;
}

mail_transport::outcome mail_transport::send(const mail_message& m) {
  try {
    const auto text = render(m);
    if (!smtp_url_.empty()) return deliver(m, text);
    write(m, text);
    return {};
  } catch (const std::exception& e) {
    return {result::transient, e.what()};
  }
}

namespace {
// The .eml file of a message: named by its registration (so an erasure finds it) and its Message-ID (so a second
// attempt after a crash finds the first one's file instead of writing another).
std::string file_stem(const mail_message& m) {
  std::string id;
  for (char ch : m.message_id.substr(0, m.message_id.find('@')))
    id += (std::isalnum(static_cast<unsigned char>(ch)) || ch == '.' || ch == '_' || ch == '-') ? ch : '_';
  return (m.registration_id > 0 ? "r" + std::to_string(m.registration_id) + "-" : std::string("r0-")) + id;
}
}  // namespace

void mail_transport::forget(const std::vector<std::int64_t>& registration_ids) {
  std::set<std::string> prefixes;
  for (const auto id : registration_ids) prefixes.insert("r" + std::to_string(id) + "-");
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(folder_, ec)) {
    auto name = entry.path().filename().string();
    if (!name.empty() && name.front() == '.') name.erase(0, 1);  // a temporary file being written
    const auto dash = name.find('-');
    if (dash == std::string::npos || !prefixes.contains(name.substr(0, dash + 1))) continue;
    std::error_code gone;
    std::filesystem::remove(entry.path(), gone);
    if (gone) support::log_fault("error", "erased registration's mail not removed", gone.message());
  }
}

mail_sender::mail_sender(store::store& db, mail_settings settings, mail_composer compose)
    : db_(db),
      settings_(std::move(settings)),
      compose_(std::move(compose)),
      transport_(settings_.folder, settings_.from, settings_.smtp_url),
      thread_([this] { run(); }) {}

mail_sender::~mail_sender() { stop(); }

void mail_sender::wake() {
  {
    std::lock_guard lock(mutex_);
    woken_ = true;
  }
  wake_.notify_one();
}

void mail_sender::forget(std::vector<std::int64_t> registration_ids) {
  {
    std::lock_guard lock(mutex_);
    forget_.insert(forget_.end(), registration_ids.begin(), registration_ids.end());
  }
  wake_.notify_one();
}

void mail_sender::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ && !thread_.joinable()) return;
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void mail_sender::forget_pending() {
  std::vector<std::int64_t> ids;
  {
    std::lock_guard lock(mutex_);
    ids.swap(forget_);
  }
  if (!ids.empty()) transport_.forget(ids);
}

store::mail_attempt mail_sender::attempt(const store::mail_item& item, round_events& events) {
  using o = store::mail_attempt::outcome;
  store::mail_attempt a;
  a.id = item.id;
  composed c;
  try {
    c = compose_(item, events);
  } catch (const std::exception& e) {
    c.why_not = std::string("not composed: ") + e.what();
  }
  const auto now = domain::now();
  if (!c.message) {
    a.what = o::dropped;
    a.error = c.why_not;
    return a;
  }
  c.message->message_id = item.message_id;
  const auto sent = transport_.send(*c.message);
  if (sent.what == mail_transport::result::delivered) return a;
  a.error = sent.error;
  if (sent.what == mail_transport::result::permanent || now - item.created_at >= settings_.give_up_hours * 3600LL) {
    a.what = o::failed;
    support::log_fault("error", "mail failed for good", sent.error);
    return a;
  }
  a.what = o::retry;
  std::int64_t delay = std::max(1, settings_.retry_seconds);
  for (int i = 0; i < item.attempts && delay < settings_.retry_max_seconds; ++i) delay *= 2;
  a.next_attempt_at = now + std::min<std::int64_t>(delay, std::max(1, settings_.retry_max_seconds));
  support::log_fault("warn", "smtp delivery failed; kept in the outbox for another try", sent.error);
  return a;
}

bool mail_sender::writer_busy() {
  try {
    return db_.stats().waiting > 1;
  } catch (const std::exception&) {
    return false;
  }
}

bool mail_sender::round(std::chrono::steady_clock::time_point deadline) {
  std::vector<store::mail_item> due;
  try {
    due = db_.due_mail(domain::now(), settings_.batch);
  } catch (const std::exception& e) {
    support::log_fault("error", "outbox not read", e.what());
    return false;
  }
  if (due.empty()) return false;
  std::vector<store::mail_attempt> attempts;
  attempts.reserve(due.size());
  round_events events;
  for (const auto& item : due) {
    if (std::chrono::steady_clock::now() > deadline) break;  // stopping: the rest waits for the next start
    attempts.push_back(attempt(item, events));
  }
  if (attempts.empty()) return false;
  // One write for the round, waited for: the next round must not take these messages again.
  auto recorded = std::make_shared<std::promise<bool>>();
  auto done = recorded->get_future();
  db_.record_mail_attempts(std::move(attempts), [recorded](store::outcome<bool> r) {
    if (!r.ok()) support::log_fault("error", "mail attempts not recorded", r.error().detail);
    recorded->set_value(r.ok());
  });
  if (done.get()) return true;
  // The store takes no writes just now: wait a moment rather than take the same messages again at once.
  std::unique_lock lock(mutex_);
  wake_.wait_for(lock, std::chrono::seconds(1), [this] { return stopping_; });
  return false;
}

void mail_sender::queue_scheduled() {
  auto queued = std::make_shared<std::promise<void>>();
  auto done = queued->get_future();
  db_.queue_scheduled_mail(settings_.reminder_seconds, [queued](store::outcome<std::int64_t> r) {
    if (!r.ok()) support::log_fault("error", "reminders and invitations not queued", r.error().detail);
    queued->set_value();
  });
  done.wait();
}

void mail_sender::run() {
  using clock = std::chrono::steady_clock;
  // Mail can wait a moment; answers to requests cannot: under load the sender yields the processor to them and
  // catches up afterwards (the messages are safe in the outbox meanwhile).
  if (settings_.niceness > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), settings_.niceness);
  auto next_schedule = clock::now();
  while (true) {
    forget_pending();
    if (!db_.background_turn()) {
      // Another node delivers and schedules (several nodes on one database): look again in a few seconds, in
      // case that node has gone.
      std::unique_lock lock(mutex_);
      wake_.wait_for(lock, std::chrono::seconds(3), [this] { return stopping_; });
      if (stopping_) break;
      woken_ = true;  // the first round after taking over looks at once
      continue;
    }
    if (clock::now() >= next_schedule) {
      queue_scheduled();
      next_schedule = clock::now() + std::chrono::seconds(std::max(1, settings_.schedule_every_seconds));
      std::lock_guard lock(mutex_);
      woken_ = true;  // what it queued is due now
    }
    {
      std::unique_lock lock(mutex_);
      if (stopping_) break;
      if (!woken_) {
        // Until something is queued, or the earliest retry falls due (looked up again at least once a minute).
        std::optional<domain::time_point> next;
        lock.unlock();
        try {
          next = db_.next_mail_due();
        } catch (const std::exception& e) {
          support::log_fault("error", "outbox not read", e.what());
        }
        lock.lock();
        const auto until_schedule = std::max<std::int64_t>(
            1, std::chrono::duration_cast<std::chrono::seconds>(next_schedule - clock::now()).count() + 1);
        const auto seconds = next ? std::clamp<std::int64_t>(*next - domain::now(), 0, until_schedule) : until_schedule;
        if (seconds > 0)
          wake_.wait_for(lock, std::chrono::seconds(seconds), [this] { return woken_ || stopping_ || !forget_.empty(); });
        if (stopping_) break;
        if (!forget_.empty() && !woken_ && (!next || *next > domain::now())) continue;
      }
      woken_ = false;
    }
    bool found = round(clock::time_point::max());
    if (found) {
      std::unique_lock lock(mutex_);
      woken_ = true;  // there may be more than a round's worth
      // A burst of writes is on (registrations wait for the writer): composing and delivering would take the
      // processor from them even at the lowest priority, so the sender slows to a round per pause until it ends.
      if (settings_.pause_when_busy_ms > 0 && writer_busy())
        wake_.wait_for(lock, std::chrono::milliseconds(settings_.pause_when_busy_ms), [this] { return stopping_; });
    } else {
      transport_.hang_up();
    }
  }
  // Stopping: what the last commits queued goes out now, within a few seconds; the rest at the next start.
  const auto deadline = clock::now() + std::chrono::seconds(5);
  while (db_.background_turn() && clock::now() < deadline && round(deadline)) {
  }
  transport_.hang_up();
  forget_pending();
}

bool url_has_credentials(const std::string& url) {
  CURLU* u = curl_url();
  if (!u) return true;  // cannot tell: the safe answer
  bool has = true;
  if (curl_url_set(u, CURLUPART_URL, url.c_str(), 0) == CURLUE_OK) {
    char* user = nullptr;
    char* password = nullptr;
    const bool with_user = curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK && user && *user;
    const bool with_password = curl_url_get(u, CURLUPART_PASSWORD, &password, 0) == CURLUE_OK && password && *password;
    has = with_user || with_password;
    curl_free(user);
    curl_free(password);
  }
  curl_url_cleanup(u);
  return has;
}

std::string mailbox_address(const std::string& s) {
  const auto lt = s.find('<');
  if (lt == std::string::npos) return s;
  const auto gt = s.find('>', lt);
  if (gt == std::string::npos) return s;
  return s.substr(lt + 1, gt - lt - 1);
}

std::string mail_transport::render(const mail_message& m) const { return render_mime(m, from_, domain::now()); }

mail_transport::outcome mail_transport::deliver(const mail_message& m, const std::string& text) {
  if (!curl_) curl_ = curl_easy_init();
  CURL* curl = static_cast<CURL*>(curl_);
  if (!curl) return {result::transient, "libcurl could not start"};
  curl_easy_reset(curl);  // keeps the connection open to the same server
  struct reader_state {
    const std::string* text;
    std::size_t pos = 0;
  } state{&text};
  auto read = +[](char* buffer, std::size_t size, std::size_t count, void* user) -> std::size_t {
    auto* st = static_cast<reader_state*>(user);
    const std::size_t n = std::min(size * count, st->text->size() - st->pos);
    std::memcpy(buffer, st->text->data() + st->pos, n);
    st->pos += n;
    return n;
  };
  const std::string from = "<" + mailbox_address(from_) + ">";
  const std::string to = "<" + m.to + ">";
  curl_slist* recipients = curl_slist_append(nullptr, to.c_str());
  curl_easy_setopt(curl, CURLOPT_URL, smtp_url_.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
  curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, recipients);
  curl_easy_setopt(curl, CURLOPT_READFUNCTION, read);
  curl_easy_setopt(curl, CURLOPT_READDATA, &state);
  curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
  // smtp:// upgrades with STARTTLS when the server offers it; smtps:// is TLS from the start. With a user and
  // password in the URL, TLS is required: no fallback that would send them in the clear.
  curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(url_has_credentials(smtp_url_) ? CURLUSESSL_ALL : CURLUSESSL_TRY));
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT, 10L);
  curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  const CURLcode rc = curl_easy_perform(curl);
  long code = 0;
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
  curl_slist_free_all(recipients);
  if (rc == CURLE_OK) return {};
  hang_up();  // a broken or refused conversation: the next message starts afresh
  // Only why it failed, no address or content. A 5xx reply refuses this message for good (RFC 5321 4.2.1), except
  // a refused sign-in, which is the server's configuration, not the message's fault.
  std::string why = curl_easy_strerror(rc);
  if (code > 0) why += " (reply " + std::to_string(code) + ")";
  const bool permanent = code >= 500 && code < 600 && rc != CURLE_LOGIN_DENIED;
  return {permanent ? result::permanent : result::transient, why};
}

void mail_transport::write(const mail_message& m, const std::string& text) {
  const auto stem = file_stem(m);
  const auto final_path = std::filesystem::path(folder_) / (stem + ".eml");
  // An unnamed file given its name only when complete: a reader of outbox/ never sees half a message, and the
  // folder is touched once per message. Where O_TMPFILE is missing, a temporary name and a rename do the same.
  int fd = ::open(folder_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
  if (fd >= 0) {
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    const bool linked = written && ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, final_path.c_str(), AT_SYMLINK_FOLLOW) == 0;
    const int link_error = errno;
    ::close(fd);
    if (linked) return;
    // Written whole by an attempt whose record a crash lost: the same message, not a second one.
    if (written && link_error == EEXIST) return;
    if (!written) throw std::runtime_error("cannot write " + final_path.string());
  }
  const auto tmp_path = std::filesystem::path(folder_) / ("." + stem + ".tmp");
  {
    std::ofstream out(tmp_path, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw std::runtime_error("cannot write " + tmp_path.string());
  }
  std::filesystem::rename(tmp_path, final_path);
}

}  // namespace eventd::api
