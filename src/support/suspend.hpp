// How code waits for a socket (PostgreSQL's connections, issue 11). Run inside one of the HTTP server's fibers (its
// handlers on PostgreSQL), a wait suspends the fiber and the I/O thread serves other requests meanwhile; anywhere
// else (the writer's thread, background jobs) the calling thread waits in poll(), as a blocking call would.
// No Boost here: the fibers live in http/, which installs a suspender for each fiber it runs.
#pragma once

namespace eventd::support {

class suspender {
public:
  virtual ~suspender() = default;
  // Returns when `fd` is readable (or writable, with `write`; with both, either), or after `timeout_ms` (< 0: no
  // limit). False on timeout.
  virtual bool wait_fd(int fd, bool read, bool write, int timeout_ms) = 0;
  virtual void sleep_ms(int ms) = 0;
};

// The running fiber's suspender, or nullptr on a plain thread. Set by the fiber when it starts and each time it
// resumes: a fiber may resume on another thread than the one it left.
suspender* current_suspender() noexcept;
void set_current_suspender(suspender*) noexcept;

// Makes `s` the calling thread's suspender for the scope's life (a fiber while it runs, a thread with waits of its
// own), and none after.
class suspender_scope {
public:
  explicit suspender_scope(suspender& s) noexcept { set_current_suspender(&s); }
  ~suspender_scope() { set_current_suspender(nullptr); }
  suspender_scope(const suspender_scope&) = delete;
  suspender_scope& operator=(const suspender_scope&) = delete;
};

// Whether a wait here may suspend: inside a fiber, outside any no_suspend scope, and neither inside a catch block
// nor while an exception unwinds the stack (the C++ runtime keeps the exceptions being handled per thread; a fiber
// switched away from inside a handler would corrupt them for the next fiber on that thread).
bool can_suspend() noexcept;

// A scope whose waits block their thread instead of suspending: code that holds a lock across a store call
// (another fiber on the same thread asking for that lock would wait on a thread that cannot run the holder).
class no_suspend {
public:
  no_suspend() noexcept;
  ~no_suspend();
  no_suspend(const no_suspend&) = delete;
  no_suspend& operator=(const no_suspend&) = delete;
};

// The waits themselves: suspending when can_suspend(), otherwise poll() on the calling thread.
bool wait_fd(int fd, bool read, bool write, int timeout_ms = -1);
void sleep_ms(int ms);

// The process is stopping and may not wait any longer (app: the stop's deadline passed, e.g. with the database
// silent): every wait on a plain thread, now and from now on, ends at once as if it had timed out; sleeps end too.
// Fibers' waits are the HTTP server's, which has stopped by then. There is no way back.
void cancel_waits() noexcept;
bool waits_cancelled() noexcept;

}  // namespace eventd::support
