// The single writer: one thread owns the write connection and commits whatever is waiting as one transaction.
#pragma once

#include "store/database.hpp"
#include "store/store.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace eventd::store {

// What a job decided inside its savepoint: whether to keep its changes, and what to tell its caller once the
// batch's fate is known (committed = the transaction reached the disk).
struct job_result {
  bool keep = true;
  std::function<void(bool committed)> finish;
};
using job = std::function<job_result(connection&)>;

class writer {
public:
  // max_batch = 1 gives one commit per request (the comparison mode of the benchmark).
  writer(const std::string& path, int max_batch);
  ~writer();
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  void submit(job);
  // Finishes what is queued, then stops the thread.
  void stop();
  write_stats stats();
  // Called on the writer thread after each durable commit.
  void on_commit(std::function<void()> f) { on_commit_ = std::move(f); }

private:
  void run();
  void run_batch(std::deque<job>& batch);

  connection conn_;
  int max_batch_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<job> queue_;
  bool stopping_ = false;
  write_stats stats_;
  std::function<void()> on_commit_;
  std::thread thread_;
};

}  // namespace eventd::store
