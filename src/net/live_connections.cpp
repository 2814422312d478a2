#include "net/live_connections.hpp"

namespace carechat::net {

bool live_connections::try_acquire(const std::string& token_id, std::size_t max) {
  std::lock_guard lock(mutex_);
  auto& n = counts_[token_id];
  if (n >= max) return false;
  ++n;
  total_.fetch_add(1, std::memory_order_relaxed);
  return true;
}

void live_connections::release(const std::string& token_id) {
  std::lock_guard lock(mutex_);
  auto it = counts_.find(token_id);
  if (it == counts_.end()) return;
  total_.fetch_sub(1, std::memory_order_relaxed);
  if (--it->second == 0) counts_.erase(it);
}

}  // namespace carechat::net
