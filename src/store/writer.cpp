#include "store/writer.hpp"

#include <chrono>
#include <cstdio>

namespace eventd::store {

writer::writer(const std::string& path, int max_batch) : conn_(path, true), max_batch_(max_batch < 1 ? 1 : max_batch) {
  stats_.batch_size_buckets.assign(11, 0);
  thread_ = std::thread([this] { run(); });
}

writer::~writer() { stop(); }

void writer::submit(job j) {
  {
    // Jobs queued while stopping are still run: the thread drains the queue before it exits.
    std::lock_guard lock(mutex_);
    queue_.push_back(std::move(j));
  }
  wake_.notify_one();
}

void writer::stop() {
  {
    std::lock_guard lock(mutex_);
    if (stopping_) {
      if (thread_.joinable() && std::this_thread::get_id() != thread_.get_id()) thread_.join();
      return;
    }
    stopping_ = true;
  }
  wake_.notify_one();
  if (thread_.joinable()) thread_.join();
}

write_stats writer::stats() {
  std::lock_guard lock(mutex_);
  return stats_;
}

void writer::run() {
  std::deque<job> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) return;
      // Take whatever is waiting (up to max_batch): requests that arrived while the last commit was on disk share the next.
      while (!queue_.empty() && static_cast<int>(batch.size()) < max_batch_) {
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    run_batch(batch);
    batch.clear();
  }
}

void writer::run_batch(std::deque<job>& batch) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::function<void(bool)>> finishers;
  finishers.reserve(batch.size());
  bool committed = false;
  try {
    conn_.prepare("BEGIN IMMEDIATE").exec();
    for (auto& j : batch) {
      conn_.prepare("SAVEPOINT job").exec();
      job_result r;
      try {
        r = j(conn_);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"write job failed\",\"error\":\"%s\"}\n", e.what());
        r.keep = false;
      }
      // Recorded first: whatever happens next, this caller gets an answer.
      if (r.finish) finishers.push_back(std::move(r.finish));
      conn_.reset_all();
      if (!r.keep) conn_.prepare("ROLLBACK TO job").exec();
      conn_.prepare("RELEASE job").exec();
    }
    conn_.reset_all();
    conn_.prepare("COMMIT").exec();
    committed = true;
  } catch (const std::exception& e) {
    std::fprintf(stderr, "{\"level\":\"error\",\"msg\":\"commit failed\",\"error\":\"%s\"}\n", e.what());
    try {
      conn_.db().exec("ROLLBACK");
    } catch (...) {
    }
  }
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  {
    std::lock_guard lock(mutex_);
    ++stats_.batches;
    stats_.commands += batch.size();
    stats_.commit_micros_total += static_cast<std::uint64_t>(micros);
    std::size_t bucket = 0;
    while (bucket < 10 && (std::size_t{1} << bucket) < batch.size()) ++bucket;
    ++stats_.batch_size_buckets[bucket];
  }
  for (auto& f : finishers) f(committed);
  if (committed && on_commit_) on_commit_();
}

}  // namespace eventd::store
