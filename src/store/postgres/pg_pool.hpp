// A bounded pool of PostgreSQL connections for reads and administration: at most
// pg_options::pool_size exist at once; a caller takes one for one call and gives it back. A
// connection found lost is dropped and the next caller opens a fresh one, so the pool heals
// after a restart or failover of the database without anyone restarting carechat.
// Thread-safety: acquire() and the lease's release may be called from any thread; a leased
// connection is used by its holder alone.
#pragma once

#include <condition_variable>
#include <memory>
#include <mutex>
#include <vector>

#include "core/result.hpp"
#include "domain/store.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_options.hpp"

namespace carechat::store::postgres {

class pg_pool {
 public:
  class lease {
   public:
    lease(lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) { other.pool_ = nullptr; }
    lease& operator=(lease&&) = delete;
    lease(const lease&) = delete;
    lease& operator=(const lease&) = delete;
    ~lease();
    connection& operator*() const noexcept { return *conn_; }
    connection* operator->() const noexcept { return conn_.get(); }

   private:
    friend class pg_pool;
    lease(pg_pool* pool, std::unique_ptr<connection> c) noexcept : pool_(pool), conn_(std::move(c)) {}
    pg_pool* pool_;
    std::unique_ptr<connection> conn_;
  };

  explicit pg_pool(pg_options opts);
  pg_pool(const pg_pool&) = delete;
  pg_pool& operator=(const pg_pool&) = delete;

  // An idle connection, or a new one while fewer than pool_size exist, else waits up to
  // pool_wait_ms for one to come back (then errc::unavailable). Connection failures are
  // errc::unavailable too.
  core::result<lease> acquire();

  // For /metrics: connections lent out, open (idle + lent), and the most there may be.
  domain::pool_usage usage() const;

 private:
  void release(std::unique_ptr<connection> c) noexcept;

  const pg_options opts_;
  mutable std::mutex mutex_;
  std::condition_variable returned_;
  std::vector<std::unique_ptr<connection>> idle_;  // guarded by mutex_
  int open_ = 0;                                   // guarded by mutex_: idle + leased (+ being opened)
};

}  // namespace carechat::store::postgres
