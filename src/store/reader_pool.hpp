// A pool of store_readers, so request handlers borrow a reader (and its prepared statements)
// instead of opening a connection per request. Thread-safety: acquire() and lease release may be
// called from any thread; a leased reader is used by its holder alone.
#pragma once

#include <atomic>
#include <cstddef>
#include <memory>
#include <mutex>
#include <vector>

#include "domain/store.hpp"

namespace carechat::store {

class reader_pool {
 public:
  struct options {
    // Idle readers kept for reuse; a reader returned to a full pool is closed. Peak concurrency
    // decides how many exist at once, this only how many survive a lull.
    std::size_t max_idle = 16;
  };

  // Returns its reader to the pool when destroyed. Must not outlive the pool.
  class lease {
   public:
    lease(lease&& other) noexcept = default;
    lease& operator=(lease&& other) noexcept;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease();

    domain::store_reader& operator*() const noexcept { return *reader_; }
    domain::store_reader* operator->() const noexcept { return reader_.get(); }

   private:
    friend class reader_pool;
    lease(reader_pool* pool, std::unique_ptr<domain::store_reader> reader) noexcept
        : pool_(pool), reader_(std::move(reader)) {}
    void give_back() noexcept;

    reader_pool* pool_;
    std::unique_ptr<domain::store_reader> reader_;
  };

  // `s` must outlive the pool.
  reader_pool(domain::store& s, options o);
  reader_pool(const reader_pool&) = delete;
  reader_pool& operator=(const reader_pool&) = delete;

  // An idle reader if there is one, else a newly opened one.
  lease acquire();

  std::size_t idle() const;
  // Readers lent out right now (for /metrics).
  std::size_t in_use() const noexcept { return in_use_.load(std::memory_order_relaxed); }

 private:
  void release(std::unique_ptr<domain::store_reader> reader) noexcept;

  domain::store& store_;
  const options opts_;
  mutable std::mutex mutex_;
  std::vector<std::unique_ptr<domain::store_reader>> idle_;  // guarded by mutex_
  std::atomic<std::size_t> in_use_{0};
};

}  // namespace carechat::store
