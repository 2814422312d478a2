#include "app/event_pruner.hpp"

namespace carechat::app {

event_pruner::event_pruner(store::group_committer& writer, const core::clock& clk, std::chrono::hours retention,
                           std::chrono::minutes interval)
    : writer_(writer), clock_(clk), retention_(retention), interval_(interval), thread_([this] { run(); }) {}

event_pruner::~event_pruner() { stop(); }

void event_pruner::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable() && thread_.get_id() != std::this_thread::get_id()) thread_.join();
}

void event_pruner::run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    const auto cutoff =
        clock_.now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(retention_).count();
    // Fire and forget: a refused or failed prune is simply retried next round.
    writer_.submit(domain::prune_events_command{cutoff}, {});
    wake_.wait_for(lock, interval_, [this] { return stopping_; });
  }
}

}  // namespace carechat::app
