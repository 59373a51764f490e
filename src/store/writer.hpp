// The single writer: one thread owns the write connection and commits whatever is waiting as one transaction.
#pragma once

#include "store/database.hpp"
#include "store/store.hpp"

#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>

namespace eventd::store {

// What a job decided inside its savepoint: whether to keep its changes, and what to tell its caller once the
// batch's fate is known (committed = the transaction reached the disk).
struct job_result {
  bool keep = true;
  std::function<void(bool committed)> finish;
  // Another process's transaction got in the way (store::conflict_error): the job's changes are dropped, what the
  // batch did before it is committed (releasing this transaction's locks) and the job runs again in a new one.
  // `finish` answers the caller if it keeps conflicting.
  bool retry = false;
};
using job = std::function<job_result(connection&)>;
// Tells a job's caller that it was not saved (the queue was full, or the transaction could not commit even after
// retries). Called instead of the job's own finish, never together with it.
using refusal = std::function<void()>;

class writer {
public:
  // max_batch = 1 gives one commit per request (the comparison mode of the benchmark). At most `max_queue` jobs
  // wait; more are refused at once, so a flood turns into 503s instead of memory.
  // `conn`: the write connection, which the writer's thread owns from now on. `reopen` (optional) makes a new one
  // when it is broken (a database server that restarted); a batch that failed is retried on the new one.
  writer(std::unique_ptr<connection> conn, int max_batch, std::size_t max_queue = 20000,
         std::function<std::unique_ptr<connection>()> reopen = nullptr);
  ~writer();
  writer(const writer&) = delete;
  writer& operator=(const writer&) = delete;

  // Queues the job; `refuse` answers its caller when it cannot be saved. Every job gets exactly one answer.
  // `lock_key`: the row the job's decision rests on (an event), for lock_rows below; 0 for none.
  // `hint` (optional): what the job's kind can read for the whole batch at once before its jobs run (see
  // prepare_jobs); a job without one may rely on everything sent before it, see before_plain_job.
  // `uncertain` (optional; else `refuse`): answers its caller when the job went with a COMMIT whose answer was lost
  // and the writer could not ask the database whether it went through: it may have been saved.
  void submit(job, refusal refuse, std::int64_t lock_key = 0, std::string hint = {}, refusal uncertain = nullptr);
  // Called after the transaction's row locks with the (lock key, hint) of the jobs about to run that carry a hint:
  // one read for all of them (PostgreSQL's registrations). Called on the writer thread; set before the first submit.
  void prepare_jobs(std::function<void(connection&, const std::vector<std::pair<std::int64_t, std::string>>&)> f) {
    prepare_jobs_ = std::move(f);
  }
  // Called before each job without a hint: what the hinted jobs before it held back goes to the database first.
  void before_plain_job(std::function<void(connection&)> f) { before_plain_job_ = std::move(f); }
  // Called at the start of each transaction with the lock keys of the jobs it will run, sorted and distinct: with
  // several processes writing one database, a transaction that takes its row locks up front in one order cannot
  // deadlock with another that does the same. Set before the first submit.
  void lock_rows(std::function<void(connection&, const std::vector<std::int64_t>&)> f) { lock_rows_ = std::move(f); }
  // Finishes what is queued, then stops the thread. Jobs submitted afterwards are refused.
  void stop();
  write_stats stats();
  // Called on the writer thread after each durable commit.
  void on_commit(std::function<void()> f) { on_commit_ = std::move(f); }
  // Called on the writer thread after each BEGIN, and inside the transaction just before each COMMIT (a batch
  // commits early when a job conflicts with another process). Set before the first submit.
  // `was_committed` (optional) tells, on a new connection, whether the transaction whose COMMIT failed was committed
  // after all (a database server that went away while committing: the answer was lost, not necessarily the
  // commit). With it, a batch is never run twice; without it, a failed COMMIT counts as rolled back (SQLite's case).
  void around_commit(std::function<void()> began, std::function<void(connection&)> committing,
                     std::function<bool(connection&)> was_committed = nullptr) {
    began_ = std::move(began);
    committing_ = std::move(committing);
    was_committed_ = std::move(was_committed);
  }

  // Called on the writer thread right after a COMMIT went through, before its jobs' callers hear: answers that
  // travelled with the COMMIT (a statement sent ahead whose rows its jobs' answers need) are read here. Must not throw.
  void after_commit(std::function<void(connection&)> f) { after_commit_ = std::move(f); }
  // Called on the writer thread, on the new connection, when `was_committed` found a COMMIT whose answer was lost
  // committed after all: what after_commit would have read from that answer is looked up instead. Must not throw.
  void after_found_committed(std::function<void(connection&)> f) { after_found_committed_ = std::move(f); }

private:
  struct queued {
    job run;
    refusal refuse;
    std::int64_t lock_key = 0;
    std::string hint;
    refusal uncertain;
  };
  void run();
  void run_batch(std::deque<queued>& batch);
  // One attempt at the batch's jobs from `done` on, in one transaction (or more, when a job conflicts: `done` then
  // moves past what was committed); false when the last transaction failed (nothing of it kept).
  bool attempt(std::deque<queued>& batch, std::size_t& done, std::vector<std::function<void(bool)>>& finishers);
  // The body of one attempt: throws when its transaction failed (rolled back by attempt).
  void run_jobs(std::deque<queued>& batch, std::size_t& done, std::vector<std::function<void(bool)>>& finishers);
  void rollback();
  // BEGIN, then the row locks of the batch's jobs from `from` on; jobs queued for those rows meanwhile join the batch.
  void begin(std::deque<queued>& batch, std::size_t from);
  // Commits the jobs of the batch before `upto`.
  void commit(std::size_t upto);

  std::unique_ptr<connection> conn_;
  std::function<std::unique_ptr<connection>()> reopen_;
  int max_batch_;
  std::size_t max_queue_;
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<queued> queue_;
  bool stopping_ = false;
  bool stopped_ = false;
  write_stats stats_;
  std::function<void()> on_commit_;
  std::function<void()> began_;
  std::function<void(connection&)> committing_;
  std::function<bool(connection&)> was_committed_;
  std::function<void(connection&)> after_commit_;
  std::function<void(connection&)> after_found_committed_;
  std::function<void(connection&, const std::vector<std::int64_t>&)> lock_rows_;
  std::function<void(connection&, const std::vector<std::pair<std::int64_t, std::string>>&)> prepare_jobs_;
  std::function<void(connection&)> before_plain_job_;
  std::optional<std::size_t> unknown_upto_;  // a COMMIT failed: the jobs before this index may be committed
  std::thread thread_;
};

}  // namespace eventd::store
