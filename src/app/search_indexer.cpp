#include "app/search_indexer.hpp"

#include "core/log.hpp"

namespace carechat::app {
namespace {

// Messages per transaction of the search database: bounds one batch's time (and the scan's tail).
constexpr int batch_size = 2'000;
// Batches per round at most, so a large backlog (a search database rebuilt from scratch) is
// worked off steadily without starving the rest of the machine in one go.
constexpr int batches_per_round = 50;

}  // namespace

search_indexer::search_indexer(domain::store& store, std::chrono::milliseconds interval)
    : store_(store), thread_(interval, [this] { catch_up(); }) {}

void search_indexer::catch_up() {
  for (int i = 0; i < batches_per_round; ++i) {
    auto added = store_.index_search(batch_size);
    if (!added) {
      // Searches stay complete (they scan the unindexed tail); retried next round.
      if (!failing_) core::log_warn("search", "indexing failed: " + added.error().message);
      failing_ = true;
      return;
    }
    if (failing_) core::log_info("search", "indexing works again");
    failing_ = false;
    if (*added < batch_size) return;  // caught up
  }
}

}  // namespace carechat::app
