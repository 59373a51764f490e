// Mail to participants. Without EVENTD_SMTP_URL each message becomes an .eml file in outbox/ beside the database.
#pragma once

#include "api/blocking.hpp"

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace eventd::api {

struct mail_message {
  std::string to;
  std::string subject;
  std::string text;  // plain UTF-8 text
  std::int64_t registration_id = 0;  // whose mail it is (0: nobody's); its file in outbox/ is named by it
};

// Queues messages and delivers them on a thread of its own, so a request never waits for the disk or a mail
// server. With an SMTP URL (smtp://host:port, smtps://user:pass@host) messages go there; without one, or when the
// server refuses a message, it is written as an .eml file into `folder` so nothing is lost.
class outbox {
public:
  outbox(std::string folder, std::string from, std::string smtp_url = "");
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;
  void send(mail_message);
  // Runs `make` on the mail thread and sends what it gives, if anything: composing (reading the event, the
  // per-recipient limit) stays off the threads that answer requests and off the writer.
  void compose(std::function<std::optional<mail_message>()> make);
  // Writes or sends what is queued, then ends the thread; later messages are dropped.
  void stop() { writer_.stop(); }
  // Removes the kept messages of these registrations (their personal data was erased), after every message
  // queued before this call has been written.
  void forget(std::vector<std::int64_t> registration_ids);
  const std::string& folder() const { return folder_; }

private:
  // On the mail thread: renders, then delivers by SMTP or writes the .eml file.
  void dispatch(const mail_message&);
  bool queue(std::function<void()> task);
  std::string render(const mail_message&, const std::string& id) const;
  void write(const std::string& text, const std::string& id);
  // True when the SMTP server accepted the message.
  bool deliver(const mail_message&, const std::string& text);
  std::string folder_;
  std::string from_;
  std::string smtp_url_;
  blocking_pool writer_{10};  // last: its thread drains the queue before the members above go
};

// True when an SMTP URL carries a user or password (smtp://user:pass@host); unparsable URLs count as true.
bool url_has_credentials(const std::string& url);

// The address inside "Name <address>", or the whole text.
std::string mailbox_address(const std::string&);

// RFC 2047 encoded-word for a header with non-ASCII text.
std::string encode_header(const std::string&);

}  // namespace eventd::api
