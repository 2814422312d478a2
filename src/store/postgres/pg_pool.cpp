#include "store/postgres/pg_pool.hpp"

#include <chrono>

namespace carechat::store::postgres {

pg_pool::lease::~lease() {
  if (pool_ != nullptr) pool_->release(std::move(conn_));
}

pg_pool::pg_pool(pg_options opts) : opts_(std::move(opts)) {}

core::result<pg_pool::lease> pg_pool::acquire() {
  {
    std::unique_lock lock(mutex_);
    const bool available = returned_.wait_for(lock, std::chrono::milliseconds(opts_.pool_wait_ms), [&] {
      return !idle_.empty() || open_ < opts_.pool_size;
    });
    if (!available)
      return core::make_error(core::errc::unavailable, "postgres: all " + std::to_string(opts_.pool_size) +
                                                           " pool connections are busy");
    if (!idle_.empty()) {
      auto c = std::move(idle_.back());
      idle_.pop_back();
      return lease(this, std::move(c));
    }
    ++open_;  // a slot taken for the connection opened below, outside the lock
  }
  auto opened = connection::open(opts_);
  if (!opened) {
    std::lock_guard lock(mutex_);
    --open_;
    returned_.notify_one();
    return std::move(opened).error();
  }
  return lease(this, std::make_unique<connection>(std::move(*opened)));
}

void pg_pool::release(std::unique_ptr<connection> c) noexcept {
  std::lock_guard lock(mutex_);
  // A lost connection, or one left inside a transaction by a failure, is not given to anyone else.
  if (c == nullptr || c->broken() || c->in_transaction())
    --open_;
  else
    idle_.push_back(std::move(c));
  returned_.notify_one();
}

domain::pool_usage pg_pool::usage() const {
  std::lock_guard lock(mutex_);
  const auto open = static_cast<std::size_t>(open_);
  return {open - idle_.size(), open, static_cast<std::size_t>(opts_.pool_size)};
}

}  // namespace carechat::store::postgres
