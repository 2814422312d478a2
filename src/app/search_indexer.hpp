// Keeps the store's full-text search index up with the messages: every interval it asks the store
// to index what is new (domain::store::index_search, in batches, until caught up). Sends no longer
// update the index in their own transactions, which made FTS5 flush and merge segments for every
// few messages; searches scan the not-yet-indexed tail meanwhile, so nothing is ever missing from
// a result. Several nodes sharing a database (PostgreSQL) take turns by a cluster duty: one does
// the index's upkeep at a time. Thread-safety: owns one thread; stop() (or the destructor) from any
// thread.
#pragma once

#include <chrono>

#include "app/periodic_thread.hpp"
#include "domain/store.hpp"

namespace carechat::app {

class search_indexer {
 public:
  search_indexer(domain::store& store, domain::cluster_duty& duty, std::chrono::milliseconds interval);
  void stop() { thread_.stop(); }

 private:
  void catch_up();

  domain::store& store_;
  domain::cluster_duty& duty_;
  bool niced_ = false;      // the indexer thread only: its priority was lowered
  bool failing_ = false;    // the indexer thread only: logs when indexing starts and stops failing
  periodic_thread thread_;  // last: starts after everything it uses exists
};

}  // namespace carechat::app
