#include "domain/token_cache.hpp"

namespace carechat::domain {

std::optional<principal> token_cache::find(const core::sha256_digest& hash, core::unix_ms now) const {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(hash);
  if (it == entries_.end() || now - it->second.cached_at >= opts_.ttl.count() || now < it->second.cached_at) {
    misses_.add();
    return std::nullopt;
  }
  // Expired: the store lookup then answers "token expired" rather than the cache "valid".
  if (it->second.expires_at && now >= *it->second.expires_at) {
    misses_.add();
    return std::nullopt;
  }
  hits_.add();
  return it->second.who;
}

std::uint64_t token_cache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void token_cache::insert(const core::sha256_digest& hash, const principal& who, std::uint64_t generation_seen,
                         core::unix_ms now, std::optional<core::unix_ms> expires_at) {
  if (opts_.ttl.count() <= 0) return;
  std::lock_guard lock(mutex_);
  if (generation_seen != generation_) return;  // cleared meanwhile: what we read may be revoked
  if (entries_.size() >= opts_.max_entries) entries_.clear();
  entries_.insert_or_assign(hash, entry{who, now, expires_at});
}

void token_cache::clear() {
  std::lock_guard lock(mutex_);
  ++generation_;
  entries_.clear();
}

std::size_t token_cache::size() const {
  std::lock_guard lock(mutex_);
  return entries_.size();
}

}  // namespace carechat::domain
