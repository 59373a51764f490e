// Mail to participants. Without EVENTD_SMTP_URL each message becomes an .eml file in outbox/ beside the database.
#pragma once

#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

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
  ~outbox();
  outbox(const outbox&) = delete;
  outbox& operator=(const outbox&) = delete;
  void send(mail_message);
  const std::string& folder() const { return folder_; }

private:
  void run();
  void write(const mail_message&);
  std::string folder_;
  std::string from_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<mail_message> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

// RFC 2047 encoded-word for a header with non-ASCII text.
std::string encode_header(const std::string&);

}  // namespace eventd::api
