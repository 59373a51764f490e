#include "api/mail.hpp"

#include "auth/crypto.hpp"
#include "domain/time.hpp"
#include "support/log.hpp"

#include <curl/curl.h>
#include <sodium.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <unistd.h>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <set>

namespace eventd::api {

std::string encode_header(const std::string& s) {
  bool ascii = true;
  for (unsigned char c : s)
    if (c >= 0x80 || c < 0x20) ascii = false;
  if (ascii) return s;
  // RFC 2047: encoded words of at most 75 characters, each holding whole UTF-8 characters, folded onto new lines.
  std::string out;
  std::size_t pos = 0;
  while (pos < s.size()) {
    std::size_t end = std::min(s.size(), pos + 45);
    while (end < s.size() && (static_cast<unsigned char>(s[end]) & 0xC0) == 0x80) --end;
    const auto piece = s.substr(pos, end - pos);
    std::string b64(sodium_base64_ENCODED_LEN(piece.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
    sodium_bin2base64(b64.data(), b64.size(), reinterpret_cast<const unsigned char*>(piece.data()), piece.size(),
                      sodium_base64_VARIANT_ORIGINAL);
    b64.resize(std::char_traits<char>::length(b64.c_str()));
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + b64 + "?=";
    pos = end;
  }
  return out;
}

namespace {
std::string rfc5322_date(std::int64_t t) {
  static const char* days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon],
                tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}
}  // namespace

outbox::outbox(std::string folder, std::string from, std::string smtp_url)
    : folder_(std::move(folder)), from_(std::move(from)), smtp_url_(std::move(smtp_url)) {
  std::filesystem::create_directories(folder_);
}

void outbox::dispatch(const mail_message& m) {
  try {
    // Named by the registration, so its erasure finds the files (see forget).
    const auto id = (m.registration_id > 0 ? "r" + std::to_string(m.registration_id) + "-" : std::string()) +
                    std::to_string(domain::now()) + "-" + auth::random_token(9);
    const auto text = render(m, id);
    if (!smtp_url_.empty() && deliver(m, text)) return;
    write(text, id);
  } catch (const std::exception& e) {
    support::log_fault("error", "mail not written", e.what());
  }
}

bool outbox::queue(std::function<void()> task) {
  const bool queued = writer_.post(std::move(task));
  if (!queued) std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"mail dropped: the mail queue is full or stopped\"}\n");
  return queued;
}

void outbox::send(mail_message m) {
  queue([this, m = std::move(m)] { dispatch(m); });
}

void outbox::compose(std::function<std::optional<mail_message>()> make) {
  queue([this, make = std::move(make)] {
    std::optional<mail_message> m;
    try {
      m = make();
    } catch (const std::exception& e) {
      support::log_fault("error", "mail not composed", e.what());
    }
    if (m) dispatch(*m);
  });
}

void outbox::forget(std::vector<std::int64_t> registration_ids) {
  // On the mail thread: a message queued before the erasure is written first, then removed here.
  writer_.post([this, ids = std::move(registration_ids)] {
    std::set<std::string> prefixes;
    for (const auto id : ids) prefixes.insert("r" + std::to_string(id) + "-");
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(folder_, ec)) {
      auto name = entry.path().filename().string();
      if (!name.empty() && name.front() == '.') name.erase(0, 1);  // a temporary file being written
      const auto dash = name.find('-');
      if (dash == std::string::npos || !prefixes.contains(name.substr(0, dash + 1))) continue;
      std::error_code gone;
      std::filesystem::remove(entry.path(), gone);
      if (gone)
        support::log_fault("error", "erased registration's mail not removed", gone.message());
    }
  });
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

std::string outbox::render(const mail_message& m, const std::string& id) const {
  std::string text;
  text.reserve(m.text.size() + 512);
  text += "From: " + from_ + "\r\nTo: " + m.to + "\r\nSubject: " + encode_header(m.subject) + "\r\nDate: " +
          rfc5322_date(domain::now()) + "\r\nMessage-ID: <" + id +
          "@eventd>\r\nMIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"
          "Content-Transfer-Encoding: 8bit\r\n\r\n";
  // No dot-stuffing here: the .eml file is the message itself, and libcurl stuffs the SMTP transfer on its own
  // (RFC 5321 4.5.2); doing it here too doubled the dots a reader saw.
  for (char c : m.text) {
    if (c == '\n') text += '\r';
    text += c;
  }
  text += "\r\n";
  return text;
}

bool outbox::deliver(const mail_message& m, const std::string& text) {
  CURL* curl = curl_easy_init();
  if (!curl) return false;
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
  curl_slist_free_all(recipients);
  curl_easy_cleanup(curl);
  if (rc != CURLE_OK) {
    // Only why it failed, no address or content: the message itself is kept in the outbox folder.
    support::log_fault("warn", "smtp delivery failed; kept in outbox", curl_easy_strerror(rc));
    return false;
  }
  return true;
}

void outbox::write(const std::string& text, const std::string& id) {
  const auto final_path = std::filesystem::path(folder_) / (id + ".eml");
  // An unnamed file given its name only when complete: a reader of outbox/ never sees half a message, and the
  // folder is touched once per message. Where O_TMPFILE is missing, a temporary name and a rename do the same.
  int fd = ::open(folder_.c_str(), O_TMPFILE | O_WRONLY | O_CLOEXEC, 0640);
  if (fd >= 0) {
    const bool written = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    const std::string proc = "/proc/self/fd/" + std::to_string(fd);
    const bool linked = written && ::linkat(AT_FDCWD, proc.c_str(), AT_FDCWD, final_path.c_str(), AT_SYMLINK_FOLLOW) == 0;
    ::close(fd);
    if (linked) return;
    if (!written) throw std::runtime_error("cannot write " + final_path.string());
  }
  const auto tmp_path = std::filesystem::path(folder_) / ("." + id + ".tmp");
  {
    std::ofstream out(tmp_path, std::ios::binary);
    out.write(text.data(), static_cast<std::streamsize>(text.size()));
    if (!out) throw std::runtime_error("cannot write " + tmp_path.string());
  }
  std::filesystem::rename(tmp_path, final_path);
}

}  // namespace eventd::api
