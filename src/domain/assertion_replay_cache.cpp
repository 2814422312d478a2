#include "domain/assertion_replay_cache.hpp"

namespace carechat::domain {

assertion_replay_cache::verdict assertion_replay_cache::remember(std::string_view client_id, std::string_view jti,
                                                                 core::unix_ms expires_at, core::unix_ms now) {
  std::string key;
  key.reserve(client_id.size() + 1 + jti.size());
  key.append(client_id).append(1, '\n').append(jti);  // a client id never holds a newline
  std::lock_guard lock(mutex_);
  while (!expiry_.empty() && expiry_.begin()->first <= now) {
    seen_.erase(expiry_.begin()->second);
    expiry_.erase(expiry_.begin());
  }
  if (seen_.contains(key)) return verdict::replayed;
  if (seen_.size() >= max_entries_) return verdict::full;
  seen_.insert(key);
  expiry_.emplace(expires_at, std::move(key));
  return verdict::fresh;
}

std::size_t assertion_replay_cache::size() const {
  std::lock_guard lock(mutex_);
  return seen_.size();
}

}  // namespace carechat::domain
