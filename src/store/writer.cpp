#include "store/writer.hpp"

#include "support/log.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>

namespace eventd::store {

namespace {
// A transaction that fails as a whole (another process holds the write lock, the disk is full, SQLite rolled
// everything back) is tried this many times before its callers are told it was not saved.
constexpr int attempts_per_batch = 3;
constexpr std::chrono::seconds retry_window{5};
constexpr std::chrono::milliseconds retry_pause[] = {std::chrono::milliseconds(100), std::chrono::milliseconds(400)};
// A job that conflicts with another process's transaction (job_result::retry) runs again at most this often.
constexpr int max_reruns_per_job = 5;

void log_error(const char* msg, const char* what) { support::log_fault("error", msg, what); }
}  // namespace

writer::writer(std::unique_ptr<connection> conn, int max_batch, std::size_t max_queue,
               std::function<std::unique_ptr<connection>()> reopen)
    : conn_(std::move(conn)), reopen_(std::move(reopen)), max_batch_(max_batch < 1 ? 1 : max_batch), max_queue_(max_queue < 1 ? 1 : max_queue) {
  stats_.batch_size_buckets.assign(11, 0);
  thread_ = std::thread([this] { run(); });
}

writer::~writer() { stop(); }

void writer::submit(job j, refusal refuse, std::int64_t lock_key, std::string hint, refusal uncertain) {
  {
    std::lock_guard lock(mutex_);
    // Jobs queued while stopping are still run (the thread drains the queue before it exits); after that, or
    // beyond the bound, the caller hears at once that nothing was saved.
    if (!stopped_ && queue_.size() < max_queue_) {
      queue_.push_back({std::move(j), std::move(refuse), lock_key, std::move(hint), std::move(uncertain)});
      ++stats_.queued;
      wake_.notify_one();
      return;
    }
    ++stats_.refused;
  }
  if (refuse) refuse();
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
  auto s = stats_;
  s.waiting = queue_.size();
  return s;
}

void writer::run() {
  std::deque<queued> batch;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      wake_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
      if (queue_.empty() && stopping_) {
        stopped_ = true;
        return;
      }
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

void writer::begin(std::deque<queued>& batch, std::size_t from) {
  conn_->begin_write();
  if (began_) began_();
  if (!lock_rows_) return;
  std::vector<std::int64_t> keys;
  for (std::size_t i = from; i < batch.size(); ++i)
    if (batch[i].lock_key > 0) keys.push_back(batch[i].lock_key);
  if (keys.empty()) return;
  std::sort(keys.begin(), keys.end());
  keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
  lock_rows_(*conn_, keys);  // may wait: another process holds some of these rows
  {
    // What arrived meanwhile for the rows now held joins this transaction: when two nodes take turns on the same
    // rows, each turn then carries what queued while it waited, instead of a commit per turn of a few jobs.
    std::lock_guard lock(mutex_);
    for (auto it = queue_.begin(); it != queue_.end() && static_cast<int>(batch.size()) < max_batch_;) {
      if (it->lock_key > 0 && std::binary_search(keys.begin(), keys.end(), it->lock_key)) {
        batch.push_back(std::move(*it));
        it = queue_.erase(it);
      } else {
        ++it;
      }
    }
  }
  if (!prepare_jobs_) return;
  std::vector<std::pair<std::int64_t, std::string>> hints;
  for (std::size_t i = from; i < batch.size(); ++i)
    if (!batch[i].hint.empty()) hints.emplace_back(batch[i].lock_key, batch[i].hint);
  if (!hints.empty()) prepare_jobs_(*conn_, hints);
}

void writer::commit(std::size_t upto) {
  // Reset first: what `committing_` sends ahead to be read after the COMMIT keeps its place for its answer.
  conn_->reset_all();
  if (committing_) committing_(*conn_);
  try {
    conn_->prepare("COMMIT").exec();
  } catch (const deferred_error&) {
    throw;  // a statement sent ahead failed: COMMIT did not run
  } catch (...) {
    if (was_committed_) unknown_upto_ = upto;
    throw;
  }
  if (after_commit_) after_commit_(*conn_);
}

void writer::rollback() {
  conn_->reset_all();
  // Twice at most: a ROLLBACK that waits for its answer also reads the answers of statements sent ahead, and when
  // one of those failed it did not run itself.
  for (int i = 0; i < 2; ++i) {
    try {
      if (conn_->in_transaction()) conn_->execute("ROLLBACK");
      return;
    } catch (const deferred_error&) {
      continue;
    } catch (...) {
      return;
    }
  }
}

bool writer::attempt(std::deque<queued>& batch, std::size_t& done, std::vector<std::function<void(bool)>>& finishers) {
  // First with writes sent ahead (PostgreSQL's pipeline); when one of those fails, the batch runs again without,
  // so that the failure reaches its own job (a refusal, a conflict) like any other.
  for (int pass = 0; pass < 2; ++pass) {
    conn_->defer_writes(pass == 0);
    try {
      run_jobs(batch, done, finishers);
      conn_->defer_writes(true);
      return true;
    } catch (const deferred_error& e) {
      rollback();
      {
        std::lock_guard lock(mutex_);
        ++stats_.pipeline_reruns;
      }
      if (pass == 1) log_error("transaction failed", e.what());
    } catch (const std::exception& e) {
      log_error("transaction failed", e.what());
      rollback();
      break;
    }
  }
  conn_->defer_writes(true);
  return false;
}

void writer::run_jobs(std::deque<queued>& batch, std::size_t& done, std::vector<std::function<void(bool)>>& finishers) {
  finishers.resize(done);  // the answers of jobs committed by an earlier attempt stay
  begin(batch, done);
  int reruns = 0;
  for (std::size_t i = done; i < batch.size();) {
    // Sent ahead where the connection pipelines: a job's savepoint costs no round trip of its own.
    if (batch[i].hint.empty() && before_plain_job_) before_plain_job_(*conn_);
    conn_->prepare("SAVEPOINT job").defer();
    job_result r;
    try {
      r = batch[i].run(*conn_);
    } catch (const deferred_error&) {
      throw;  // an earlier job's write failed: the batch runs again
    } catch (const std::exception& e) {
      log_error("write job failed", e.what());
      r.keep = false;
    }
    conn_->reset_all();
    if (!r.keep) conn_->prepare("ROLLBACK TO job").defer();
    conn_->prepare("RELEASE job").defer();
    if (r.retry && reruns < max_reruns_per_job) {
      // What came before is committed, so the other transaction gets the locks it waits for; then this job
      // runs again, seeing what that transaction committed.
      ++reruns;
      {
        std::lock_guard lock(mutex_);
        ++stats_.conflicts;
      }
      commit(i);
      done = i;
      finishers.resize(done);
      begin(batch, done);
      continue;
    }
    reruns = 0;
    finishers.push_back(std::move(r.finish));
    ++i;
  }
  commit(batch.size());
}

void writer::run_batch(std::deque<queued>& batch) {
  const auto started = std::chrono::steady_clock::now();
  std::vector<std::function<void(bool)>> finishers;
  finishers.reserve(batch.size());
  bool committed = false;
  std::uint64_t trips = 0;
  std::size_t done = 0;  // jobs committed early (a conflict): kept whatever happens to the rest
  for (int i = 0; i < attempts_per_batch && !committed; ++i) {
    // Tried again only while its callers have not waited long: a batch that already spent seconds (a database that
    // went silent, pg_limits) is answered 503 rather than kept waiting through more attempts.
    if (i > 0 && std::chrono::steady_clock::now() - started > retry_window) break;
    if (i > 0) std::this_thread::sleep_for(retry_pause[i - 1]);
    if (reopen_ && conn_->broken()) {
      try {
        conn_ = reopen_();
      } catch (const std::exception& e) {
        // The database cannot be reached now: another attempt at once would only make the callers wait longer.
        log_error("reconnecting the writer failed", e.what());
        break;
      }
    }
    if (unknown_upto_) {
      // The last COMMIT's answer was lost: ask the database before running anything again.
      try {
        if (was_committed_(*conn_)) {
          done = *unknown_upto_;
          if (after_found_committed_) after_found_committed_(*conn_);
        }
      } catch (const std::exception& e) {
        log_error("could not tell whether a commit went through", e.what());
        continue;
      }
      unknown_upto_.reset();
      if (done == batch.size()) {
        committed = true;
        break;
      }
    }
    const auto trips_before = conn_->round_trips();
    committed = attempt(batch, done, finishers);
    if (!conn_->broken()) trips += conn_->round_trips() - trips_before;
  }
  // Whether this batch's COMMIT went through could not be asked (the database stayed out of reach): the callers of
  // the jobs it carried are told it may have been saved. The question is this batch's: the next one, of other jobs,
  // must not take the answer for its own.
  const std::size_t uncertain_upto = unknown_upto_ ? std::min(*unknown_upto_, batch.size()) : 0;
  if (unknown_upto_) {
    log_error("a lost COMMIT's outcome stays unknown", "its callers are told it may have been saved");
    unknown_upto_.reset();
  }
  const auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started).count();
  {
    std::lock_guard lock(mutex_);
    ++stats_.batches;
    stats_.round_trips += trips;
    stats_.commands += batch.size();
    if (!committed) stats_.failed_batches += 1;
    stats_.commit_micros_total += static_cast<std::uint64_t>(micros);
    std::size_t bucket = 0;
    while (bucket < 10 && (std::size_t{1} << bucket) < batch.size()) ++bucket;
    ++stats_.batch_size_buckets[bucket];
  }
  if (committed) {
    // Each caller hears about its own job; a throwing answer must not keep the others from theirs.
    for (auto& f : finishers) {
      if (!f) continue;
      try {
        f(true);
      } catch (const std::exception& e) {
        log_error("answering a write failed", e.what());
      }
    }
    if (on_commit_) on_commit_();
    return;
  }
  // Nothing of the rest of this batch was kept: every caller is told so (503), none is left waiting. Jobs a
  // conflict made the writer commit early are saved, and hear so.
  for (std::size_t k = 0; k < done && k < finishers.size(); ++k) {
    if (!finishers[k]) continue;
    try {
      finishers[k](true);
    } catch (const std::exception& e) {
      log_error("answering a write failed", e.what());
    }
  }
  if (done > 0 && on_commit_) on_commit_();
  for (std::size_t k = done; k < batch.size(); ++k) {
    auto& j = batch[k];
    auto& answer = k < uncertain_upto && j.uncertain ? j.uncertain : j.refuse;
    if (!answer) continue;
    try {
      answer();
    } catch (const std::exception& e) {
      log_error("answering a write failed", e.what());
    }
  }
}

}  // namespace eventd::store
