#include "core/token_bucket.hpp"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace carechat::core {

keyed_token_bucket::keyed_token_bucket(options o) : opts_(o) {
  if (!(opts_.capacity >= 1) || !(opts_.refill_per_second > 0) || opts_.max_keys == 0)
    throw std::invalid_argument("keyed_token_bucket: capacity >= 1, refill > 0 and max_keys > 0 are required");
}

keyed_token_bucket::keyed_token_bucket(rate_spec spec, std::size_t max_keys)
    : keyed_token_bucket(options{static_cast<double>(spec.burst), spec.per_minute / 60.0, max_keys}) {}

double keyed_token_bucket::refilled(const bucket& b, unix_ms now) const {
  const double elapsed_s = static_cast<double>(std::max<unix_ms>(now - b.updated, 0)) / 1000.0;
  return std::min(opts_.capacity, b.tokens + elapsed_s * opts_.refill_per_second);
}

keyed_token_bucket::decision keyed_token_bucket::refuse(double tokens) const {
  const double wait_s = (1.0 - tokens) / opts_.refill_per_second;
  return decision{false, std::chrono::seconds(std::max<long long>(1, static_cast<long long>(std::ceil(wait_s))))};
}

keyed_token_bucket::decision keyed_token_bucket::check(std::string_view key, unix_ms now) const {
  std::lock_guard lock(mutex_);
  const auto it = index_.find(key);
  if (it == index_.end()) return {};
  const double tokens = refilled(it->second->second, now);
  return tokens >= 1.0 ? decision{} : refuse(tokens);
}

keyed_token_bucket::decision keyed_token_bucket::take(std::string_view key, unix_ms now) {
  std::lock_guard lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) {
    if (lru_.size() >= opts_.max_keys) drop_idle(now);
    if (lru_.size() >= opts_.max_keys) {  // still full: forget the least recently used key
      index_.erase(lru_.back().first);
      lru_.pop_back();
    }
    lru_.emplace_front(std::string(key), bucket{opts_.capacity, now});
    it = index_.emplace(lru_.front().first, lru_.begin()).first;
  } else {
    lru_.splice(lru_.begin(), lru_, it->second);  // iterators stay valid
  }
  bucket& b = it->second->second;
  b.tokens = refilled(b, now);
  b.updated = now;
  if (b.tokens < 1.0) return refuse(b.tokens);
  b.tokens -= 1.0;
  return {};
}

void keyed_token_bucket::drop_idle(unix_ms now) {
  // Idle keys gather at the back (least recently used): drop them until one is still limited.
  // A limited key behind the first one found stays; it will be dropped on a later sweep.
  while (!lru_.empty() && refilled(lru_.back().second, now) >= opts_.capacity) {
    index_.erase(lru_.back().first);
    lru_.pop_back();
  }
}

std::size_t keyed_token_bucket::size() const {
  std::lock_guard lock(mutex_);
  return lru_.size();
}

}  // namespace carechat::core
