// The jti values of client assertions already used (private_key_jwt, RFC 7523 section 3: "the
// authorization server MAY ensure that JWTs are not replayed"), each kept until its assertion
// expires, when a replay would be refused by its exp anyway. Bounded: at most `max_entries`
// unexpired jtis; when full the cache refuses new ones (fail closed: a flood of assertions cannot
// push out the jti an attacker wants to replay) and the token endpoint answers 503.
// Per process: in a cluster each node keeps its own (docs/integration.md says so).
// Thread-safety: every member may be called from any thread (one mutex).
#pragma once

#include <cstddef>
#include <map>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_set>

#include "core/clock.hpp"

namespace carechat::domain {

class assertion_replay_cache {
 public:
  enum class verdict { fresh, replayed, full };

  explicit assertion_replay_cache(std::size_t max_entries = 100'000) : max_entries_(max_entries) {}

  // fresh: (client, jti) not seen and now remembered until `expires_at`; replayed: seen before and
  // not yet expired; full: too many unexpired entries to remember another.
  verdict remember(std::string_view client_id, std::string_view jti, core::unix_ms expires_at, core::unix_ms now);
  std::size_t size() const;

 private:
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_set<std::string> seen_;             // client_id '\n' jti; guarded by mutex_
  std::multimap<core::unix_ms, std::string> expiry_;  // the same keys by expiry; guarded by mutex_
};

}  // namespace carechat::domain
