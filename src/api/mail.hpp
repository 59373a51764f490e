// Mail to participants through the transactional outbox (issue 9): the writes that cause a message add it to the
// store's outbox in their own transaction; a sender thread composes and delivers what is due, records each attempt,
// and retries with backoff while the mail server is away. Without EVENTD_SMTP_URL each message becomes an .eml file
// in outbox/ beside the database.
#pragma once

#include "store/store.hpp"

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

namespace eventd::api {

// A picture the HTML version shows in its text (the ticket's QR code), carried inside the message: nothing is loaded
// from elsewhere, and no mail reader shows an SVG.
struct inline_image {
  std::string png;
  std::string alt;       // the text alternative, in the message's language
  std::string after;     // shown below the paragraph holding this text; at the end when none does
  std::string filename;  // the name it is saved under
};

struct mail_message {
  std::string to;
  std::string subject;
  std::string text;  // plain UTF-8 text
  std::int64_t registration_id = 0;  // whose mail it is (0: nobody's); its file in outbox/ is named by it
  std::string message_id;            // without angle brackets; the same on every attempt
  std::string language = "en";       // the participant's ("sv" or "en"): the message's Content-Language
  std::string calendar;              // an RFC 5545 calendar to carry as a text/calendar part; empty: none
  std::optional<inline_image> image;
};

// Renders a message and hands it to the mail server, or writes it as an .eml file. Used by one thread at a time.
class mail_transport {
public:
  // What one delivery came to: delivered (or written), worth another try later, or refused for good.
  enum class result { delivered, transient, permanent };
  struct outcome {
    result what = result::delivered;
    std::string error;  // why, without address or content
  };

  mail_transport(std::string folder, std::string from, std::string smtp_url = "");
  ~mail_transport();
  mail_transport(const mail_transport&) = delete;
  mail_transport& operator=(const mail_transport&) = delete;

  outcome send(const mail_message&);
  // Ends the connection kept to the mail server between messages (it is opened again when needed).
  void hang_up();
  // Removes the .eml files of these registrations (their personal data was erased).
  void forget(const std::vector<std::int64_t>& registration_ids);
  const std::string& folder() const { return folder_; }
  // The message as it goes out: MIME (render_mime in mime.hpp), from this transport's sender, dated now.
  std::string render(const mail_message&) const;

private:
  outcome deliver(const mail_message&, const std::string& text);
  void write(const mail_message&, const std::string& text);
  std::string folder_;
  std::string from_;
  std::string smtp_url_;
  void* curl_ = nullptr;  // CURL*, kept so consecutive messages share one connection
};

struct mail_settings {
  std::string folder;
  std::string from;
  std::string smtp_url;
  int retry_seconds = 30;        // the first retry's delay; doubled after each failure
  int retry_max_seconds = 3600;  // the longest delay between attempts
  int give_up_hours = 72;        // a message still undelivered this long after it was queued is marked failed
  int batch = 200;               // messages taken per round
  std::int64_t reminder_seconds = 86400;  // reminders are queued this long before an event starts; 0: none
  int schedule_every_seconds = 60;        // how often reminders and evaluation invitations are looked for
  int pause_when_busy_ms = 500;           // between rounds while the writer is busy; 0: never pause
  int niceness = 19;                      // the sender thread's: below the threads that answer requests
};

// What a queued message becomes: the message, or why there is none (dropped: nobody to write to any more).
struct composed {
  std::optional<mail_message> message;
  std::string why_not;
};
// The events read during one round of the sender, so a round of messages about one event reads it once; a new
// round starts empty (an event changed since is read afresh).
using round_events = std::map<domain::id_t, std::optional<domain::event>>;
using mail_composer = std::function<composed(const store::mail_item&, round_events&)>;

// The sender: one thread that takes what is due from the outbox, composes it, delivers it and records the attempts
// in one write per round. Woken by the commits that queue mail, and by the clock for retries.
class mail_sender {
public:
  mail_sender(store::store&, mail_settings, mail_composer);
  ~mail_sender();
  mail_sender(const mail_sender&) = delete;
  mail_sender& operator=(const mail_sender&) = delete;

  // Something was queued: look now. Safe after stop (does nothing).
  void wake();
  // Removes the .eml files of these registrations, after the round in progress (whose messages may have been
  // composed before the erasure).
  void forget(std::vector<std::int64_t> registration_ids);
  // A last round for what is due (bounded in time), then the thread ends. Part of the stop order: before the
  // store stops taking writes, which the record of the attempts needs. What is left stays queued for the next start.
  void stop();
  const std::string& folder() const { return transport_.folder(); }

private:
  void run();
  // One round: true when it found something due.
  bool round(std::chrono::steady_clock::time_point deadline);
  // Whether writes are queued behind the store's writer just now (a burst of registrations).
  bool writer_busy();
  store::mail_attempt attempt(const store::mail_item&, round_events&);
  // Queues the reminders and evaluation invitations that have fallen due (a write, waited for).
  void queue_scheduled();
  void forget_pending();

  store::store& db_;
  mail_settings settings_;
  mail_composer compose_;
  mail_transport transport_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool woken_ = true;  // the first round looks at once: messages left by an earlier run
  bool stopping_ = false;
  std::vector<std::int64_t> forget_;
  std::thread thread_;  // last: started once the members above exist
};

// True when an SMTP URL carries a user or password (smtp://user:pass@host); unparsable URLs count as true.
bool url_has_credentials(const std::string& url);

// The address inside "Name <address>", or the whole text.
std::string mailbox_address(const std::string&);

}  // namespace eventd::api
