// Threads with a bounded queue, for work that must not stall the connections' threads: argon2id hashing, mail,
// heavy reads (CSV exports, full lists, goal figures).
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace eventd::api {

class blocking_pool {
public:
  // `niceness` > 0 lowers the threads' priority (for work that can wait, like writing mail). At most `max_queue`
  // tasks wait; more are refused, so a flood of slow work becomes 503s instead of memory.
  explicit blocking_pool(int niceness = 0, std::size_t max_queue = 4096, int threads = 1)
      : niceness_(niceness), max_queue_(max_queue) {
    for (int i = 0; i < (threads < 1 ? 1 : threads); ++i) threads_.emplace_back([this] { run(); });
  }
  ~blocking_pool() { stop(); }
  blocking_pool(const blocking_pool&) = delete;
  blocking_pool& operator=(const blocking_pool&) = delete;

  // Queues the task; false (the task is dropped, unrun) when the queue is full or the pool has stopped.
  bool post(std::function<void()> task) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_ || queue_.size() >= max_queue_) return false;
      queue_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
  }

  // Runs what is queued, then ends the threads; later posts are refused. Idempotent (part of the stop order).
  void stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    for (auto& t : threads_)
      if (t.joinable()) t.join();
  }

private:
  void run() {
    if (niceness_ > 0) setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), niceness_);
    std::unique_lock lock(mutex_);
    for (;;) {
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      auto task = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      try {
        task();
      } catch (...) {
        // A task answers its own caller; one that throws must not take the thread (and every later task) down.
      }
      lock.lock();
    }
  }

  int niceness_;
  std::size_t max_queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;  // last: they start after the members they use exist
};

// Heavy reads: a few threads at normal priority and a short queue; when it is full, try_post refuses and the
// caller answers 503 with Retry-After.
class read_pool : public blocking_pool {
public:
  read_pool(int threads, std::size_t max_queued) : blocking_pool(0, max_queued, threads) {}
  bool try_post(std::function<void()> task) { return post(std::move(task)); }
};

}  // namespace eventd::api
