// Group commit: one writer thread turns concurrent write commands into few store::apply() calls,
// so many requests share one transaction and one fsync. Backend-agnostic (any domain::store).
// Thread-safety: submit(), stop() and the counters may be called from any thread. Completions and
// the event hub's publish() run on the writer thread, in submission order within a batch; they must
// not block for long.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "core/metrics.hpp"
#include "domain/event_hub.hpp"
#include "domain/store.hpp"

namespace carechat::store {

class group_committer {
 public:
  using completion = std::function<void(domain::write_outcome)>;

  struct options {
    // Most commands in one apply() call. Bounds one transaction's size and the wait of the first
    // command in a batch behind the others.
    std::size_t max_batch = 512;
    // Most commands waiting for the writer (not counting the batch being applied). Beyond it
    // submit() refuses, so an overloaded disk turns into 503s instead of unbounded memory.
    std::size_t max_queue = 65536;
    // Where committed events go live (net's hub), or none. After each apply() the events of the
    // successful outcomes are published once, in batch (= position) order, BEFORE any completion
    // runs: a client that got its answer and then subscribes can never miss its own event. Must
    // outlive the committer.
    domain::event_hub* hub = nullptr;
    // How long a batch of fire-and-forget commands only (read audit rows: nobody waits for them)
    // may wait for company before it is committed. A read-heavy load then commits and fsyncs a
    // few hundred times a second instead of after every handful of reads, which is most of the
    // writer's CPU. A command with a completion, a full batch or stop() ends the wait at once, so
    // sends never wait for it. Zero: commit whatever is queued at once.
    std::chrono::microseconds background_delay{0};
  };

  // Starts the writer thread. `s` must outlive the committer.
  group_committer(domain::store& s, options o);
  ~group_committer();  // stop()
  group_committer(const group_committer&) = delete;
  group_committer& operator=(const group_committer&) = delete;

  // Queues a command. `done` (may be empty: fire-and-forget, e.g. read audit rows) runs on the writer
  // thread after its batch commits or fails. Returns false, without calling done, when the queue is
  // full or the committer is stopping (the caller answers 503).
  bool submit(domain::write_command cmd, completion done);

  // Refuses new work, finishes everything already queued, then joins the writer. Idempotent and
  // safe from several threads. Called from a completion (the writer thread itself) it only stops
  // intake: a thread cannot join itself; the destructor joins later.
  void stop();

  // Counters, for tests and benchmarks: apply() calls made, and commands they carried.
  std::uint64_t batches() const noexcept { return batches_.load(std::memory_order_relaxed); }
  std::uint64_t commands() const noexcept { return commands_.load(std::memory_order_relaxed); }

  // For /metrics: commands per apply() call, and each apply()'s duration in microseconds (the
  // batch's whole transaction, its COMMIT and fsync included: SQLite and PostgreSQL alike).
  const core::metrics::histogram& batch_sizes() const noexcept { return batch_sizes_; }
  const core::metrics::histogram& commit_durations_us() const noexcept { return commit_durations_us_; }
  // Commands waiting for the writer (not the batch being applied); takes the queue's lock.
  std::size_t queue_depth();
  std::size_t queue_limit() const noexcept { return opts_.max_queue; }
 private:
  struct pending {
    domain::write_command cmd;
    completion done;
  };

  void run();
  void commit(std::vector<pending>& batch, std::vector<domain::write_command>& cmds);
  void publish(const std::vector<domain::write_outcome>& outcomes);

  domain::store& store_;
  const options opts_;
  const std::size_t max_batch_;  // opts_.max_batch, at least 1
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<pending> queue_;  // guarded by mutex_
  std::size_t awaited_ = 0;    // guarded by mutex_: queued commands that have a completion
  bool lingering_ = false;     // guarded by mutex_: the writer waits out background_delay
  bool stopping_ = false;      // guarded by mutex_
  bool writer_idle_ = false;   // guarded by mutex_: the writer sleeps on wake_ and needs a notify
  std::once_flag joined_;
  std::atomic<std::uint64_t> batches_{0};
  std::atomic<std::uint64_t> commands_{0};
  core::metrics::histogram batch_sizes_{{1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024}};
  // From 0.1 ms: an fsync on a fast disk.
  core::metrics::histogram commit_durations_us_{
      {100, 250, 500, 1'000, 2'500, 5'000, 10'000, 25'000, 50'000, 100'000, 250'000, 1'000'000, 5'000'000}};
  std::vector<domain::chat_event> events_;  // writer thread only; reused per batch
  std::thread writer_;                      // last: starts after everything it uses exists
};

}  // namespace carechat::store
