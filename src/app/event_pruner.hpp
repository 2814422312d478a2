// Drops events older than the retention period from the replay log, every interval, by queueing a
// prune command with the group committer. Clients resuming from a pruned position are told to
// resync. Thread-safety: owns one thread; stop() (or the destructor) may be called from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "core/clock.hpp"
#include "store/group_committer.hpp"

namespace carechat::app {

class event_pruner {
 public:
  event_pruner(store::group_committer& writer, const core::clock& clk, std::chrono::hours retention,
               std::chrono::minutes interval);
  ~event_pruner();
  void stop();

 private:
  void run();

  store::group_committer& writer_;
  const core::clock& clock_;
  std::chrono::hours retention_;
  std::chrono::minutes interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace carechat::app
