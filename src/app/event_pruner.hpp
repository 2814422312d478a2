// Drops events older than the retention period from the replay log, every interval, by queueing a
// prune command with the group committer. Clients resuming from a pruned position are told to
// resync. Thread-safety: owns one thread; stop() (or the destructor) may be called from any thread.
#pragma once

#include <chrono>

#include "app/periodic_thread.hpp"
#include "core/clock.hpp"
#include "store/group_committer.hpp"

namespace carechat::app {

class event_pruner {
 public:
  event_pruner(store::group_committer& writer, const core::clock& clk, std::chrono::hours retention,
               std::chrono::minutes interval);
  void stop() { thread_.stop(); }

 private:
  void prune();

  store::group_committer& writer_;
  const core::clock& clock_;
  std::chrono::hours retention_;
  periodic_thread thread_;  // last: starts after everything it uses exists
};

}  // namespace carechat::app
