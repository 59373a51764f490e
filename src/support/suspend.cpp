#include "support/suspend.hpp"

#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdint>
#include <chrono>
#include <exception>

namespace eventd::support {

namespace {
thread_local suspender* current = nullptr;
thread_local int no_suspend_depth = 0;
}  // namespace

// Not inlined: each call reads this thread's variable afresh. Inlined, a compiler may keep the variable's address
// from before a fiber switch and use it after the fiber resumed on another thread.
[[gnu::noinline]] suspender* current_suspender() noexcept { return current; }
[[gnu::noinline]] void set_current_suspender(suspender* s) noexcept { current = s; }
[[gnu::noinline]] static int& depth() noexcept { return no_suspend_depth; }

no_suspend::no_suspend() noexcept { ++depth(); }
no_suspend::~no_suspend() { --depth(); }

[[gnu::noinline]] bool can_suspend() noexcept {
  return current_suspender() != nullptr && depth() == 0 && std::uncaught_exceptions() == 0 &&
         !std::current_exception();
}

namespace {

// Runs `wait` on the current fiber's suspender: this thread runs other fibers (or none) until the fiber resumes,
// perhaps on another thread, whose variable then names it again.
template <class Wait>
auto suspended(Wait wait) {
  suspender* s = current_suspender();
  set_current_suspender(nullptr);
  struct restore {
    suspender* s;
    ~restore() { set_current_suspender(s); }
  } back{s};
  return wait(*s);
}

std::atomic<bool> cancelled{false};
// Readable once the waits are cancelled (never read, so it stays so): each poll() below watches it beside its socket.
int cancel_fd() noexcept {
  static const int fd = ::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  return fd;
}
}  // namespace

void cancel_waits() noexcept {
  cancelled = true;
  const std::uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(cancel_fd(), &one, sizeof one);
}

bool waits_cancelled() noexcept { return cancelled; }

bool wait_fd(int fd, bool read, bool write, int timeout_ms) {
  if (can_suspend()) return suspended([&](suspender& s) { return s.wait_fd(fd, read, write, timeout_ms); });
  if (cancelled) return false;
  pollfd p[2] = {{fd, static_cast<short>((read ? POLLIN : 0) | (write ? POLLOUT : 0)), 0}, {cancel_fd(), POLLIN, 0}};
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeout_ms < 0 ? 0 : timeout_ms);
  for (;;) {
    int wait = -1;
    if (timeout_ms >= 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now());
      wait = left.count() > 0 ? static_cast<int>(left.count()) : 0;
    }
    const int n = ::poll(p, 2, wait);
    if (n > 0) return p[0].revents != 0 && !cancelled;
    if (n == 0) return false;
    if (errno != EINTR) return true;  // let the caller's next call report what is wrong with the socket
  }
}

void sleep_ms(int ms) {
  if (can_suspend()) return suspended([&](suspender& s) { s.sleep_ms(ms); });
  if (cancelled) return;
  pollfd p{cancel_fd(), POLLIN, 0};
  const auto until = std::chrono::steady_clock::now() + std::chrono::milliseconds(ms);
  for (auto left = ms; left > 0 && !cancelled;) {
    ::poll(&p, 1, left);
    left = static_cast<int>(
        std::chrono::duration_cast<std::chrono::milliseconds>(until - std::chrono::steady_clock::now()).count());
  }
}

}  // namespace eventd::support
