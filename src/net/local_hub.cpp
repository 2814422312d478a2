#include "net/local_hub.hpp"

#include <memory>

#include "net/index_keys.hpp"

namespace carechat::net {

std::uint64_t local_hub::subscribe(const domain::event_scope& scope, live_subscriber& s) {
  std::string key = scope.patient ? chat_index_key(scope.tenant, scope.instance, *scope.patient)
                                  : instance_index_key(scope.tenant, scope.instance);
  std::lock_guard lock(mutex_);
  const auto id = next_id_++;
  buckets_[key].emplace(id, &s);
  entries_.emplace(id, std::move(key));
  return id;
}

void local_hub::unsubscribe(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto b = buckets_.find(it->second);
  if (b != buckets_.end()) {
    b->second.erase(id);
    if (b->second.empty()) buckets_.erase(b);
  }
  entries_.erase(it);
}

void local_hub::publish(std::span<const domain::chat_event> events) {
  std::lock_guard lock(mutex_);
  if (entries_.empty()) return;
  for (const auto& e : events) {
    // One shared copy per event (and so one frame per viewer), however many sessions receive it.
    std::shared_ptr<const live_event> shared;
    for (const std::string& key : {chat_index_key(e.chat), instance_index_key(e.chat.tenant, e.chat.instance)}) {
      auto b = buckets_.find(key);
      if (b == buckets_.end()) continue;
      if (!shared) shared = std::make_shared<const live_event>(e);
      for (auto& [id, sub] : b->second) sub->deliver(shared);
    }
  }
}

std::size_t local_hub::subscribers() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace carechat::net
