// Abuse limits (issue #16): token buckets per token and per client address for sends, searches,
// uploads and live (WebSocket) connects, and per address for failed authentications. Over a
// limit a request gets 429 with Retry-After and changes nothing. Per-address limits are taken in
// http_session before a request is routed; per-token ones by the handlers, once the token is
// known and before anything is written. Failed authentications (a 401 on any route but
// POST /oauth/token, which has its own limiter) are counted and audited after the answer; an
// address over that limit gets 429 on every API route, and its refusals leave one audit row per
// address and minute, so a brute force cannot flood the audit trail. docs/operations.md has the
// defaults and the reasoning.
// Thread-safety: every member may be called from any thread (the buckets lock; the rest is
// immutable after construction, the counters are atomic).
#pragma once

#include <array>
#include <chrono>
#include <cstddef>
#include <optional>
#include <string_view>

#include "core/clock.hpp"
#include "core/metrics.hpp"
#include "core/token_bucket.hpp"
#include "net/client_address.hpp"

namespace carechat::net {

enum class rate_limit : std::size_t { sends, searches, uploads, live_connects, auth_failures };
inline constexpr std::size_t rate_limit_count = 5;

// The limit's label in carechat_rate_limited_total{limit="..."}: "sends_per_token", ...
std::string_view to_string(rate_limit l, bool per_token);

struct rate_limit_options {
  std::array<core::rate_spec, rate_limit_count> per_token{};  // auth_failures: unused (no token)
  std::array<core::rate_spec, rate_limit_count> per_address{};
  trusted_proxies proxies;         // whose X-Forwarded-For is believed
  std::size_t max_keys = 100'000;  // per bucket map: see core::keyed_token_bucket on memory
};

class rate_limiter {
 public:
  using decision = core::keyed_token_bucket::decision;

  explicit rate_limiter(const rate_limit_options& o);

  // Takes one event of `l` for the token id / the address (allowed when that limit is off).
  decision take_token(rate_limit l, std::string_view token_id, core::unix_ms now);
  decision take_address(rate_limit l, std::string_view address, core::unix_ms now);
  // Whether the address is over its failed-authentication limit (takes nothing).
  decision auth_locked(std::string_view address, core::unix_ms now) const;
  // One failed authentication from the address: whether it was within the limit.
  bool note_auth_failure(std::string_view address, core::unix_ms now);
  // Whether a refusal of a locked address should be audited: once per address and minute.
  bool audit_lockout(std::string_view address, core::unix_ms now);

  const trusted_proxies& proxies() const { return proxies_; }

  // 429s given, by limit (index: limit * 2 + per_token), for /metrics.
  std::uint64_t refused(rate_limit l, bool per_token) const;

 private:
  decision counted(std::optional<core::keyed_token_bucket>& b, rate_limit l, bool per_token, std::string_view key,
                   core::unix_ms now);

  std::array<std::optional<core::keyed_token_bucket>, rate_limit_count> token_;
  std::array<std::optional<core::keyed_token_bucket>, rate_limit_count> address_;
  core::keyed_token_bucket lockout_audits_;
  trusted_proxies proxies_;
  core::metrics::counter_array refused_{rate_limit_count * 2};
};

// The registry's family carechat_rate_limited_total{limit="..."} over `limits`.
void register_rate_limit_metrics(core::metrics::registry& reg, const rate_limiter& limits);

}  // namespace carechat::net
