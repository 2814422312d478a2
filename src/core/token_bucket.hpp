// A token bucket per key (a client id, an address): up to `capacity` events at once, refilled at
// `refill_per_second`. Used to slow down failed authentication attempts (POST /oauth/token) and
// meant for any per-client rate limit.
//
// Memory is bounded: at most `max_keys` keys are tracked, least recently used first out. A key whose
// bucket has refilled to full is idle and is dropped first (it is the same as an absent key), so
// only keys that are actually limited compete for room; when even those exceed max_keys the
// least recently used is forgotten, which a flood of distinct keys could use to reset one key's
// bucket: size max_keys well above the number of clients expected to be limited at once.
// Thread-safety: every member may be called from any thread (one mutex).
#pragma once

#include <chrono>
#include <compare>
#include <cstddef>
#include <list>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"

namespace carechat::core {

// A limit as an operator writes it ("60,1200": 60 at once, refilled at 1200 a minute); burst 0: off.
struct rate_spec {
  unsigned burst = 0;       // events allowed at once; 0: no limit
  unsigned per_minute = 0;  // sustained events per minute (>= 1 when burst > 0)
  bool off() const { return burst == 0; }
  auto operator<=>(const rate_spec&) const = default;
};

class keyed_token_bucket {
 public:
  struct options {
    double capacity = 10;               // events allowed at once (a burst)
    double refill_per_second = 10.0 / 60;  // sustained events per second
    std::size_t max_keys = 10'000;      // keys tracked at most (see above)
  };
  struct decision {
    bool allowed = true;
    std::chrono::seconds retry_after{0};  // when refused: until one event is allowed again (>= 1 s)
  };

  explicit keyed_token_bucket(options o);
  // From an operator's spec (which must not be off).
  keyed_token_bucket(rate_spec spec, std::size_t max_keys);

  // Would an event for `key` be allowed now? Takes nothing.
  decision check(std::string_view key, unix_ms now) const;
  // Takes one event for `key`: allowed if the bucket held one (it then holds one less).
  decision take(std::string_view key, unix_ms now);
  std::size_t size() const;

 private:
  struct bucket {
    double tokens = 0;
    unix_ms updated = 0;
  };
  using lru_list = std::list<std::pair<std::string, bucket>>;

  double refilled(const bucket& b, unix_ms now) const;
  decision refuse(double tokens) const;
  void drop_idle(unix_ms now);

  const options opts_;
  mutable std::mutex mutex_;
  lru_list lru_;  // most recently used first; guarded by mutex_
  std::unordered_map<std::string_view, lru_list::iterator> index_;  // views into lru_'s keys; guarded by mutex_
};

}  // namespace carechat::core
