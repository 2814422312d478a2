#include "net/connection_registry.hpp"

#include <vector>

namespace carechat::net {

std::uint64_t connection_registry::add(std::function<void()> close_if_idle) {
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  closers_.emplace(id, std::move(close_if_idle));
  return id;
}

void connection_registry::remove(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  closers_.erase(id);
}

std::size_t connection_registry::size() const {
  std::lock_guard lock(mutex_);
  return closers_.size();
}

void connection_registry::stop_all() {
  stopping_.store(true, std::memory_order_release);
  std::vector<std::function<void()>> closers;
  {
    std::lock_guard lock(mutex_);
    for (auto& [id, f] : closers_) closers.push_back(f);
  }
  for (auto& f : closers) f();
}

}  // namespace carechat::net
