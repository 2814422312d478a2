// Recently authenticated bearer tokens, so a request whose token was seen moments ago is resolved
// without a store read (and so, in net/, without leaving the I/O thread). Keyed by the token's
// SHA-256 (the secret itself is never kept). Only successful lookups are cached.
//
// Revocation: a cached principal stays valid until the cache hears of any revocation (clear(),
// called by whoever polls store_reader::token_revocations()) or its entry ages past `ttl`. The
// generation handshake keeps a lookup that raced with a clear() from re-inserting what it read
// before the revocation: take generation() before reading the store, pass it to insert().
// Thread-safety: every member may be called from any thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstring>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/metrics.hpp"
#include "domain/principal.hpp"

namespace carechat::domain {

class token_cache {
 public:
  struct options {
    std::chrono::milliseconds ttl{60'000};  // 0: cache nothing
    std::size_t max_entries = 10'000;       // past it the cache starts over
  };

  explicit token_cache(options o) : opts_(o) {}

  std::optional<principal> find(const core::sha256_digest& hash, core::unix_ms now) const;
  std::uint64_t generation() const;
  // Caches `who` unless a clear() happened since `generation_seen` was taken. A token that
  // expires (`expires_at`) is not found from that instant on.
  void insert(const core::sha256_digest& hash, const principal& who, std::uint64_t generation_seen, core::unix_ms now,
              std::optional<core::unix_ms> expires_at = std::nullopt);
  // Forgets everything (a token was revoked somewhere).
  void clear();
  std::size_t size() const;

  // find() calls that found a valid entry, and those that did not (for /metrics).
  std::uint64_t hits() const noexcept { return hits_.value(); }
  std::uint64_t misses() const noexcept { return misses_.value(); }

 private:
  struct entry {
    principal who;
    core::unix_ms cached_at = 0;
    std::optional<core::unix_ms> expires_at;
  };
  // The key is already a uniform hash: its first 8 bytes are a good bucket index (no allocation
  // per lookup, unlike a string key).
  struct digest_hash {
    std::size_t operator()(const core::sha256_digest& d) const noexcept {
      std::size_t h = 0;
      std::memcpy(&h, d.data(), sizeof h);
      return h;
    }
  };

  const options opts_;
  mutable std::mutex mutex_;
  std::uint64_t generation_ = 0;
  std::unordered_map<core::sha256_digest, entry, digest_hash> entries_;
  mutable core::metrics::counter hits_;    // sharded: no contention beside the lock above
  mutable core::metrics::counter misses_;
};

}  // namespace carechat::domain
