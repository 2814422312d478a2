#include "store/group_committer.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

namespace carechat::store {

group_committer::group_committer(domain::store& s, options o)
    : store_(s), opts_(o), max_batch_(o.max_batch == 0 ? 1 : o.max_batch), writer_([this] { run(); }) {}

group_committer::~group_committer() { stop(); }

bool group_committer::submit(domain::write_command cmd, completion done) {
  bool wake;
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= opts_.max_queue) return false;
    const bool awaited = static_cast<bool>(done);
    queue_.push_back(pending{std::move(cmd), std::move(done)});
    if (awaited) ++awaited_;
    // A busy writer looks at the queue again before it sleeps: only an idle one needs the (futex)
    // wake-up, so under load the many small submits (read-audit rows) cost no syscall each. A
    // lingering writer needs one only for what ends its wait.
    wake = writer_idle_ || (lingering_ && (awaited || queue_.size() >= max_batch_));
    writer_idle_ = false;
  }
  if (wake) wake_.notify_one();
  return true;
}

std::size_t group_committer::queue_depth() {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

void group_committer::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_one();
  if (std::this_thread::get_id() == writer_.get_id()) return;
  // call_once: a second concurrent stop() waits for the first join instead of joining twice.
  std::call_once(joined_, [this] {
    if (writer_.joinable()) writer_.join();
  });
}

void group_committer::run() {
  // Reused across rounds so a steady load allocates nothing per batch.
  std::vector<pending> batch;
  std::vector<domain::write_command> cmds;
  for (;;) {
    {
      std::unique_lock lock(mutex_);
      while (!stopping_ && queue_.empty()) {
        writer_idle_ = true;
        wake_.wait(lock);
      }
      writer_idle_ = false;
      if (queue_.empty()) return;  // stopping, and everything queued is done
      if (opts_.background_delay.count() > 0 && awaited_ == 0 && queue_.size() < max_batch_) {
        lingering_ = true;
        wake_.wait_for(lock, opts_.background_delay,
                       [&] { return stopping_ || awaited_ > 0 || queue_.size() >= max_batch_; });
        lingering_ = false;
      }
      // No waiting for a batch to fill: whatever arrived during the previous commit is the batch.
      while (!queue_.empty() && batch.size() < max_batch_) {
        if (queue_.front().done) --awaited_;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    commit(batch, cmds);
    batch.clear();
    cmds.clear();
  }
}

void group_committer::commit(std::vector<pending>& batch, std::vector<domain::write_command>& cmds) {
  for (auto& p : batch) cmds.push_back(std::move(p.cmd));
  std::vector<domain::write_outcome> outcomes;
  const auto started = std::chrono::steady_clock::now();
  try {
    outcomes = store_.apply(cmds);
  } catch (...) {
    outcomes.clear();  // reported below like a store that broke its contract
  }
  const auto took = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - started);
  commit_durations_us_.observe(static_cast<std::uint64_t>(std::max<std::int64_t>(0, took.count())));
  batch_sizes_.observe(batch.size());
  if (outcomes.size() != batch.size()) {
    // A throwing store, or one that broke its contract: nobody learns whether the batch was
    // written, so every command fails as internal and the thread carries on.
    const auto failed = core::make_error(core::errc::internal, "storage failure while committing a batch");
    outcomes.assign(batch.size(), domain::write_outcome(failed));
  }
  batches_.fetch_add(1, std::memory_order_relaxed);
  commands_.fetch_add(batch.size(), std::memory_order_relaxed);
  publish(outcomes);
  for (std::size_t i = 0; i < batch.size(); ++i) {
    if (!batch[i].done) continue;
    try {
      batch[i].done(std::move(outcomes[i]));
    } catch (...) {
      // A completion must not throw (STYLE habit 3); if one does, the other callers and the
      // writer thread must not pay for it.
    }
  }
}

void group_committer::publish(const std::vector<domain::write_outcome>& outcomes) {
  if (opts_.hub == nullptr) return;
  events_.clear();
  for (const auto& o : outcomes)
    if (o)
      if (const domain::chat_event* e = domain::event_of(*o)) events_.push_back(*e);
  if (events_.empty()) return;
  try {
    opts_.hub->publish(events_);
  } catch (...) {
    // The batch is committed whatever the hub did: its callers still get their answers, and
    // subscribers catch up from the log (events_after) when they resume.
  }
}

}  // namespace carechat::store
