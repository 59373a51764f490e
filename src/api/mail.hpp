// Mail to participants. Without EVENTD_SMTP_URL each message becomes an .eml file in outbox/ beside the database.
#pragma once

#include "api/blocking.hpp"

#include <string>

namespace eventd::api {

struct mail_message {
  std::string to;
  std::string subject;
  std::string text;  // plain UTF-8 text
};

// Queues messages and writes them on a thread of its own, so a request never waits for the disk or a mail server.
class outbox {
public:
  outbox(std::string folder, std::string from);
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;
  void send(mail_message);
  const std::string& folder() const { return folder_; }

private:
  void write(const mail_message&);
  std::string folder_;
  std::string from_;
  blocking_pool writer_{10};  // last: its thread drains the queue before the members above go
};

// RFC 2047 encoded-word for a header with non-ASCII text.
std::string encode_header(const std::string&);

}  // namespace eventd::api
