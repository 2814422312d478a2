#include "store/reader_pool.hpp"

#include <utility>

namespace carechat::store {

reader_pool::lease& reader_pool::lease::operator=(lease&& other) noexcept {
  if (this != &other) {
    give_back();
    pool_ = other.pool_;
    reader_ = std::move(other.reader_);
  }
  return *this;
}

reader_pool::lease::~lease() { give_back(); }

void reader_pool::lease::give_back() noexcept {
  if (reader_) pool_->release(std::move(reader_));
}

reader_pool::reader_pool(domain::store& s, options o) : store_(s), opts_(o) {
  idle_.reserve(opts_.max_idle);  // so release() never allocates, and so never throws
}

reader_pool::lease reader_pool::acquire() {
  in_use_.fetch_add(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    if (!idle_.empty()) {
      auto r = std::move(idle_.back());
      idle_.pop_back();
      return lease(this, std::move(r));
    }
  }
  // Opened outside the lock: opening may touch the disk, and other threads may be returning readers.
  return lease(this, store_.open_reader());
}

std::size_t reader_pool::idle() const {
  std::lock_guard lock(mutex_);
  return idle_.size();
}

void reader_pool::release(std::unique_ptr<domain::store_reader> reader) noexcept {
  in_use_.fetch_sub(1, std::memory_order_relaxed);
  {
    std::lock_guard lock(mutex_);
    if (idle_.size() < opts_.max_idle) {
      idle_.push_back(std::move(reader));  // within the reserved capacity
      return;
    }
  }
  // Pool full: `reader` closes here, outside the lock.
}

}  // namespace carechat::store
