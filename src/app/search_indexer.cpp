#include "app/search_indexer.hpp"

#include "core/log.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace carechat::app {
namespace {

// Messages per transaction of the search database: bounds one batch's time (and the scan's tail).
constexpr int batch_size = 2'000;
// Batches per round at most, so a large backlog (a search database rebuilt from scratch) is
// worked off steadily without starving the rest of the machine in one go.
constexpr int batches_per_round = 50;

}  // namespace

search_indexer::search_indexer(domain::store& store, domain::cluster_duty& duty, std::chrono::milliseconds interval)
    : store_(store), duty_(duty), thread_(interval, [this] { catch_up(); }) {}

void search_indexer::catch_up() {
  if (!duty_.held()) return;  // another node does it
  if (!niced_) {
    // The index can wait a little; a send cannot. Lowest CPU priority for this thread only (on
    // Linux a thread has its own nice value): with the writer, the I/O threads and clients sharing
    // few cores, the indexer's bursts (~60 us of FTS5 work per message) otherwise stretch the
    // sends' tail latency. It still keeps up at the full send rate (measured: within one round).
    // Raising one's own nice value cannot fail for lack of privileges; nothing to check.
    niced_ = true;
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 19);
  }
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
