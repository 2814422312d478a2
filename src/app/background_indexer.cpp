#include "app/background_indexer.hpp"

#include "core/log.hpp"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

namespace carechat::app {
namespace {

// Messages (or audit rows) per transaction of the search database: bounds one batch's time (and
// the scan's tail). Audit rows are cheaper to index (a key of two columns, no FTS5): more per batch.
constexpr int search_batch = 2'000;
constexpr int audit_batch = 10'000;
// Batches per round at most, so a large backlog (a search database rebuilt from scratch) is
// worked off steadily without starving the rest of the machine in one go.
constexpr int batches_per_round = 50;

}  // namespace

background_indexer::background_indexer(index which, domain::store& store, domain::cluster_duty& duty,
                                       std::chrono::milliseconds interval)
    : which_(which), store_(store), duty_(duty), thread_(interval, [this] { catch_up(); }) {}

void background_indexer::catch_up() {
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
  const bool search = which_ == index::search;
  const char* topic = search ? "search" : "audit";
  const int batch = search ? search_batch : audit_batch;
  for (int i = 0; i < batches_per_round; ++i) {
    auto added = search ? store_.index_search(batch) : store_.index_audit(batch);
    if (!added) {
      // Answers stay complete (they scan the unindexed tail); retried next round.
      if (!failing_) core::log_warn(topic, "indexing failed: " + added.error().message);
      failing_ = true;
      return;
    }
    if (failing_) core::log_info(topic, "indexing works again");
    failing_ = false;
    if (*added < batch) return;  // caught up
  }
}

}  // namespace carechat::app
