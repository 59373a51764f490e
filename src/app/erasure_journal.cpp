#include "app/erasure_journal.hpp"

#include "support/log.hpp"

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include <fcntl.h>
#include <unistd.h>

namespace eventd::app {
namespace {

// "e ID EVENT CREATED_AT": three decimal numbers after a version letter, so a later format can be told apart.
std::string line_of(const store::erasure_entry& e) {
  return "e " + std::to_string(e.registration_id) + " " + std::to_string(e.event_id) + " " + std::to_string(e.created_at) + "\n";
}

bool parse_number(std::string_view& rest, std::int64_t& out) {
  while (!rest.empty() && rest.front() == ' ') rest.remove_prefix(1);
  const auto* end = rest.data() + rest.size();
  auto [p, ec] = std::from_chars(rest.data(), end, out);
  if (ec != std::errc() || p == rest.data()) return false;
  rest.remove_prefix(static_cast<std::size_t>(p - rest.data()));
  return true;
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const auto n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

erasure_journal::erasure_journal(std::string path) : path_(std::move(path)) {
  fd_ = ::open(path_.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd_ < 0) throw std::runtime_error("cannot open the erasure journal " + path_ + ": " + std::strerror(errno));
}

erasure_journal::~erasure_journal() {
  if (fd_ >= 0) ::close(fd_);
}

std::vector<store::erasure_entry> erasure_journal::read(const std::string& path, int* skipped) {
  std::vector<store::erasure_entry> out;
  int bad = 0;
  std::ifstream in(path, std::ios::binary);
  std::string line;
  while (std::getline(in, line)) {
    std::string_view rest(line);
    store::erasure_entry e;
    std::int64_t id = 0, event = 0, created = 0;
    if (rest.size() < 2 || rest.substr(0, 2) != "e ") {
      if (!rest.empty()) ++bad;
      continue;
    }
    rest.remove_prefix(2);
    if (!parse_number(rest, id) || !parse_number(rest, event) || !parse_number(rest, created) || !rest.empty() || id <= 0 ||
        event <= 0) {
      ++bad;  // e.g. a line cut short by a crash while it was appended
      continue;
    }
    e.registration_id = id;
    e.event_id = event;
    e.created_at = created;
    out.push_back(e);
  }
  if (skipped) *skipped = bad;
  return out;
}

void erasure_journal::rewrite(const std::string& path, const std::vector<store::erasure_entry>& entries) {
  const std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0) throw std::runtime_error("cannot write " + tmp + ": " + std::strerror(errno));
  std::string text;
  for (const auto& e : entries) text += line_of(e);
  const bool ok = write_all(fd, text) && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok) throw std::runtime_error("cannot write " + tmp);
  std::filesystem::rename(tmp, path);
  auto dir = std::filesystem::path(path).parent_path();
  int d = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

void erasure_journal::note(const std::vector<store::change>& changes) {
  std::string text;
  for (const auto& c : changes)
    if (c.what == store::change::kind::erased && c.erased_created_at > 0)
      text += line_of({c.registration_id, c.event_id, c.erased_created_at});
  if (text.empty()) return;
  std::lock_guard lock(mutex_);
  // The erasure is committed already; a journal that cannot be written leaves it standing, and says so.
  if (!write_all(fd_, text) || ::fdatasync(fd_) != 0)
    support::log_fault("error", "erasure journal: an erasure could not be recorded", std::strerror(errno));
}

}  // namespace eventd::app
