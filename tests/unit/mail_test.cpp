// Mail as a recipient and a mail server see it: body lines that start with a dot, credentials that must not travel
// in the clear, a refusal for good told from a passing one, and a second attempt at the same message leaving one
// file. A tiny SMTP server on a thread records what arrives on the wire.
#include "api/mail.hpp"

#include <gtest/gtest.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <thread>

namespace {

using eventd::api::mail_message;
using eventd::api::mail_transport;

std::filesystem::path fresh_folder(const std::string& name) {
  const auto dir = std::filesystem::path(::testing::TempDir()) / ("eventd_mail_" + std::to_string(::getpid()) + "_" + name);
  std::filesystem::remove_all(dir);
  return dir;
}

std::vector<std::string> kept_messages(const std::filesystem::path& dir) {
  std::vector<std::string> out;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    if (e.path().extension() != ".eml") continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream text;
    text << in.rdbuf();
    out.push_back(text.str());
  }
  return out;
}

// Accepts one connection and answers like a mail server that offers AUTH but no STARTTLS. `wire` gets every line
// the client sent, each ending in CRLF, exactly as it came.
class smtp_sink {
public:
  explicit smtp_sink(bool refuse_recipient = false) : refuse_recipient_(refuse_recipient) {
    listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(listener_, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    ::listen(listener_, 1);
    socklen_t len = sizeof addr;
    ::getsockname(listener_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] { serve(); });
  }
  ~smtp_sink() {
    ::shutdown(listener_, SHUT_RDWR);
    ::close(listener_);
    thread_.join();
  }
  int port() const { return port_; }
  // Only after the client is done (the transport destroyed).
  std::string wire() {
    thread_.join();
    thread_ = std::thread([] {});
    return wire_;
  }

private:
  void serve() {
    const int fd = ::accept(listener_, nullptr, nullptr);
    if (fd < 0) return;
    timeval tv{10, 0};
    ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    auto say = [fd](const std::string& s) { (void)::send(fd, s.data(), s.size(), MSG_NOSIGNAL); };
    say("220 sink ESMTP\r\n");
    std::string buffer;
    bool in_data = false;
    char chunk[4096];
    for (;;) {
      const auto n = ::recv(fd, chunk, sizeof chunk, 0);
      if (n <= 0) break;
      buffer.append(chunk, static_cast<std::size_t>(n));
      std::size_t end;
      while ((end = buffer.find("\r\n")) != std::string::npos) {
        const std::string line = buffer.substr(0, end);
        buffer.erase(0, end + 2);
        wire_ += line + "\r\n";
        if (in_data) {
          if (line == ".") {
            in_data = false;
            say("250 queued\r\n");
          }
          continue;
        }
        const std::string cmd = line.substr(0, 4);
        if (cmd == "EHLO") say("250-sink\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n");
        else if (cmd == "AUTH") say("235 ok\r\n");
        else if (cmd == "DATA") { in_data = true; say("354 go on\r\n"); }
        else if (cmd == "QUIT") { say("221 bye\r\n"); break; }
        else if (cmd == "RCPT" && refuse_recipient_) say("550 no such mailbox\r\n");
        else say("250 ok\r\n");
      }
    }
    ::close(fd);
  }

  bool refuse_recipient_ = false;
  int listener_ = -1;
  int port_ = 0;
  std::string wire_;
  std::thread thread_;
};

mail_message dotted() {
  return {"ada@example.org", "Dots", "first\n.one dot\n..two dots\n.\nlast", 7, "confirmation.7.abc@events.example.org"};
}

TEST(mail_transport, a_kept_message_has_body_lines_starting_with_a_dot_as_written) {
  const auto dir = fresh_folder("kept");
  {
    mail_transport box(dir.string(), "Programme <events@example.org>");
    EXPECT_EQ(box.send(dotted()).what, mail_transport::result::delivered);
  }
  const auto kept = kept_messages(dir);
  ASSERT_EQ(kept.size(), 1u);
  EXPECT_NE(kept[0].find("\r\n\r\nfirst\r\n.one dot\r\n..two dots\r\n.\r\nlast\r\n"), std::string::npos) << kept[0];
  EXPECT_NE(kept[0].find("\r\nMessage-ID: <confirmation.7.abc@events.example.org>\r\n"), std::string::npos) << kept[0];
  std::filesystem::remove_all(dir);
}

TEST(mail_transport, a_second_attempt_at_the_same_message_leaves_one_file) {
  const auto dir = fresh_folder("again");
  mail_transport box(dir.string(), "Programme <events@example.org>");
  EXPECT_EQ(box.send(dotted()).what, mail_transport::result::delivered);
  EXPECT_EQ(box.send(dotted()).what, mail_transport::result::delivered) << "written by the first attempt";
  EXPECT_EQ(kept_messages(dir).size(), 1u);
  auto other = dotted();
  other.message_id = "confirmation.7.xyz@events.example.org";
  EXPECT_EQ(box.send(other).what, mail_transport::result::delivered);
  EXPECT_EQ(kept_messages(dir).size(), 2u) << "another message is another file";
  box.forget({7});
  EXPECT_EQ(kept_messages(dir).size(), 0u) << "an erased registration's files go";
  std::filesystem::remove_all(dir);
}

TEST(mail_transport, smtp_stuffs_each_line_starting_with_a_dot_once) {
  const auto dir = fresh_folder("smtp");
  smtp_sink sink;
  {
    mail_transport box(dir.string(), "Programme <events@example.org>", "smtp://127.0.0.1:" + std::to_string(sink.port()));
    EXPECT_EQ(box.send(dotted()).what, mail_transport::result::delivered);
  }
  const auto wire = sink.wire();
  // RFC 5321 4.5.2: one extra dot on the wire, which the receiving server takes away again. (The text is the first
  // MIME part; the HTML alternative and the closing boundary follow it before the final dot.)
  EXPECT_NE(wire.find("\r\n\r\nfirst\r\n..one dot\r\n...two dots\r\n..\r\nlast\r\n"), std::string::npos) << wire;
  EXPECT_NE(wire.find("--\r\n.\r\nQUIT\r\n"), std::string::npos) << "the data ends after the last boundary: " << wire;
  EXPECT_EQ(kept_messages(dir).size(), 0u) << "delivered, so nothing kept";
  std::filesystem::remove_all(dir);
}

TEST(mail_transport, credentials_never_go_over_smtp_without_tls) {
  const auto dir = fresh_folder("auth");
  smtp_sink sink;  // offers AUTH, not STARTTLS
  {
    mail_transport box(dir.string(), "Programme <events@example.org>",
                       "smtp://mailer:s3cret@127.0.0.1:" + std::to_string(sink.port()));
    const auto out = box.send(dotted());
    EXPECT_EQ(out.what, mail_transport::result::transient) << "tried again later, perhaps with TLS configured";
  }
  const auto wire = sink.wire();
  EXPECT_EQ(wire.find("AUTH"), std::string::npos) << wire;
  EXPECT_EQ(wire.find("DATA"), std::string::npos) << wire;
  EXPECT_EQ(kept_messages(dir).size(), 0u) << "it stays in the outbox table, not written as a file";
  std::filesystem::remove_all(dir);
}

TEST(mail_transport, a_refused_recipient_is_a_failure_for_good_and_a_closed_port_a_passing_one) {
  const auto dir = fresh_folder("refused");
  smtp_sink sink(true);
  {
    mail_transport box(dir.string(), "Programme <events@example.org>", "smtp://127.0.0.1:" + std::to_string(sink.port()));
    const auto out = box.send(dotted());
    EXPECT_EQ(out.what, mail_transport::result::permanent) << out.error;
    EXPECT_NE(out.error.find("550"), std::string::npos) << out.error;
    EXPECT_EQ(out.error.find("ada@"), std::string::npos) << "no address in what organisers and logs see";
  }
  (void)sink.wire();
  mail_transport down(dir.string(), "Programme <events@example.org>", "smtp://127.0.0.1:1");
  EXPECT_EQ(down.send(dotted()).what, mail_transport::result::transient);
  std::filesystem::remove_all(dir);
}

TEST(mail_transport, tells_urls_with_credentials) {
  using eventd::api::url_has_credentials;
  EXPECT_TRUE(url_has_credentials("smtp://user:pass@mail.example.org:587"));
  EXPECT_TRUE(url_has_credentials("smtp://user@mail.example.org"));
  EXPECT_FALSE(url_has_credentials("smtp://mail.example.org:25"));
  EXPECT_FALSE(url_has_credentials("smtps://mail.example.org"));
}

}  // namespace
