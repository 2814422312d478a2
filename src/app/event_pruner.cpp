#include "app/event_pruner.hpp"

namespace carechat::app {

event_pruner::event_pruner(store::group_committer& writer, domain::cluster_duty& duty, const core::clock& clk,
                           std::chrono::hours retention, std::chrono::minutes interval)
    : writer_(writer), duty_(duty), clock_(clk), retention_(retention), thread_(interval, [this] { prune(); }) {}

void event_pruner::prune() {
  if (!duty_.held()) return;  // another node does it
  const auto now = clock_.now_ms();
  const auto cutoff = now - std::chrono::duration_cast<std::chrono::milliseconds>(retention_).count();
  const auto keys = now - std::chrono::duration_cast<std::chrono::milliseconds>(key_retention).count();
  // Fire and forget: a refused or failed prune is simply retried next round.
  writer_.submit(domain::prune_events_command{cutoff, keys}, {});
}

}  // namespace carechat::app
