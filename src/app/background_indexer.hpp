// Keeps one of the store's after-the-fact indexes up with what the writer committed: every
// interval it asks the store to index what is new, in batches, until caught up.
// - `search`: the full-text index (domain::store::index_search). Sends do not update it in their
//   own transactions, which made FTS5 flush and merge segments for every few messages; searches
//   scan the not-yet-indexed tail meanwhile, so nothing is ever missing from a result.
// - `audit`: the audit log by patient (domain::store::index_audit, SQLite only: migration v17);
//   `carechat audit --patient` scans the rows not covered yet.
// Several nodes sharing a database (PostgreSQL) take turns by a cluster duty: one does the
// index's upkeep at a time. Thread-safety: owns one thread; stop() (or the destructor) from any
// thread.
#pragma once

#include <chrono>

#include "app/periodic_thread.hpp"
#include "domain/store.hpp"

namespace carechat::app {

class background_indexer {
 public:
  enum class index { search, audit };
  background_indexer(index which, domain::store& store, domain::cluster_duty& duty, std::chrono::milliseconds interval);
  void stop() { thread_.stop(); }

 private:
  void catch_up();

  const index which_;
  domain::store& store_;
  domain::cluster_duty& duty_;
  bool niced_ = false;      // the indexer thread only: its priority was lowered
  bool failing_ = false;    // the indexer thread only: logs when indexing starts and stops failing
  periodic_thread thread_;  // last: starts after everything it uses exists
};

}  // namespace carechat::app
