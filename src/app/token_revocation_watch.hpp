// Keeps the server's token cache honest: polls the store's revocation counter every interval and
// clears the cache when it moved, so a token revoked anywhere (`carechat token revoke` in another
// process, another node) stops working here within one interval. A failed read clears the cache
// too (safe side). Thread-safety: owns one thread; stop() (or the destructor) from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>

#include "app/periodic_thread.hpp"
#include "domain/token_cache.hpp"
#include "store/reader_pool.hpp"

namespace carechat::app {

class token_revocation_watch {
 public:
  // Reads the first count before returning (so before any request can fill the cache): every
  // later revocation then moves it.
  token_revocation_watch(store::reader_pool& readers, domain::token_cache& cache, std::chrono::milliseconds interval);
  void stop() { thread_.stop(); }

 private:
  void check();
  std::optional<std::int64_t> read_count();

  store::reader_pool& readers_;
  domain::token_cache& cache_;
  bool failing_ = false;              // the last read failed (before seen_: its first read sets it)
  std::optional<std::int64_t> seen_;  // the polling thread's, after the constructor
  periodic_thread thread_;            // last: starts after the first count (seen_) is read
};

}  // namespace carechat::app
