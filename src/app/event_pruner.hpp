// Housekeeping, every interval, by queueing a prune command with the group committer: drops
// events older than the retention period from the replay log (clients resuming from a pruned
// position are told to resync) and Idempotency-Keys older than 24 h. Once per cluster: only the
// process that holds the "housekeeping" duty (domain::cluster_duty: an advisory lock on
// PostgreSQL; always this process on SQLite) prunes; another takes over when it dies.
// Thread-safety: owns one thread; stop() (or the destructor) may be called from any thread.
#pragma once

#include <chrono>

#include "app/periodic_thread.hpp"
#include "core/clock.hpp"
#include "store/group_committer.hpp"

namespace carechat::app {

class event_pruner {
 public:
  // How long an Idempotency-Key replays its first answer.
  static constexpr std::chrono::hours key_retention{24};

  event_pruner(store::group_committer& writer, domain::cluster_duty& duty, const core::clock& clk,
               std::chrono::hours retention, std::chrono::minutes interval);
  void stop() { thread_.stop(); }

 private:
  void prune();

  store::group_committer& writer_;
  domain::cluster_duty& duty_;
  const core::clock& clock_;
  std::chrono::hours retention_;
  periodic_thread thread_;  // last: starts after everything it uses exists
};

}  // namespace carechat::app
