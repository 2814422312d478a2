#include "app/event_pruner.hpp"

namespace carechat::app {

event_pruner::event_pruner(store::group_committer& writer, const core::clock& clk, std::chrono::hours retention,
                           std::chrono::minutes interval)
    : writer_(writer), clock_(clk), retention_(retention), thread_(interval, [this] { prune(); }) {}

void event_pruner::prune() {
  const auto cutoff = clock_.now_ms() - std::chrono::duration_cast<std::chrono::milliseconds>(retention_).count();
  // Fire and forget: a refused or failed prune is simply retried next round.
  writer_.submit(domain::prune_events_command{cutoff}, {});
}

}  // namespace carechat::app
