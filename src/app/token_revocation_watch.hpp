// Keeps the server's token cache honest: polls the store's revocation counter every interval and
// clears the cache when it moved, so a token revoked anywhere (`carechat token revoke` in another
// process, another node) stops working here within one interval. A failed read clears the cache
// too (safe side). Thread-safety: owns one thread; stop() (or the destructor) from any thread.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <optional>
#include <thread>

#include "domain/token_cache.hpp"
#include "store/reader_pool.hpp"

namespace carechat::app {

class token_revocation_watch {
 public:
  token_revocation_watch(store::reader_pool& readers, domain::token_cache& cache, std::chrono::milliseconds interval);
  ~token_revocation_watch();
  void stop();

 private:
  void run();
  std::optional<std::int64_t> read_count();

  store::reader_pool& readers_;
  domain::token_cache& cache_;
  std::chrono::milliseconds interval_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::optional<std::int64_t> seen_;
  std::thread thread_;  // started by the constructor after the first count
};

}  // namespace carechat::app
