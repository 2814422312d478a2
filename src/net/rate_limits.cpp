#include "net/rate_limits.hpp"

namespace carechat::net {
namespace {

std::size_t index(rate_limit l, bool per_token) { return static_cast<std::size_t>(l) * 2 + (per_token ? 1 : 0); }

// A bucket map for `spec`, unless it is off (the buckets hold a mutex: made in place).
void make_bucket(std::optional<core::keyed_token_bucket>& b, core::rate_spec spec, std::size_t max_keys) {
  if (!spec.off()) b.emplace(spec, max_keys);
}

}  // namespace

std::string_view to_string(rate_limit l, bool per_token) {
  static constexpr std::array<std::string_view, rate_limit_count* 2> names = {
      "sends_per_address",         "sends_per_token",        "searches_per_address",      "searches_per_token",
      "uploads_per_address",       "uploads_per_token",      "live_connects_per_address", "live_connects_per_token",
      "auth_failures_per_address", "auth_failures_per_token"};
  return names[index(l, per_token)];
}

rate_limiter::rate_limiter(const rate_limit_options& o)
    // One refusal of a locked address per minute is audited: a bucket of one, refilled each minute.
    : lockout_audits_(core::keyed_token_bucket::options{1, 1.0 / 60, o.max_keys}), proxies_(o.proxies) {
  for (std::size_t i = 0; i < rate_limit_count; ++i) {
    if (static_cast<rate_limit>(i) != rate_limit::auth_failures) make_bucket(token_[i], o.per_token[i], o.max_keys);
    make_bucket(address_[i], o.per_address[i], o.max_keys);
  }
}

rate_limiter::decision rate_limiter::counted(std::optional<core::keyed_token_bucket>& b, rate_limit l, bool per_token,
                                             std::string_view key, core::unix_ms now) {
  if (!b || key.empty()) return {};
  auto d = b->take(key, now);
  if (!d.allowed) refused_.add(index(l, per_token));
  return d;
}

rate_limiter::decision rate_limiter::take_token(rate_limit l, std::string_view token_id, core::unix_ms now) {
  return counted(token_[static_cast<std::size_t>(l)], l, true, token_id, now);
}

rate_limiter::decision rate_limiter::take_address(rate_limit l, std::string_view address, core::unix_ms now) {
  return counted(address_[static_cast<std::size_t>(l)], l, false, address, now);
}

rate_limiter::decision rate_limiter::auth_locked(std::string_view address, core::unix_ms now) const {
  const auto& b = address_[static_cast<std::size_t>(rate_limit::auth_failures)];
  if (!b || address.empty()) return {};
  return b->check(address, now);
}

bool rate_limiter::note_auth_failure(std::string_view address, core::unix_ms now) {
  auto& b = address_[static_cast<std::size_t>(rate_limit::auth_failures)];
  if (!b || address.empty()) return true;
  return b->take(address, now).allowed;
}

bool rate_limiter::audit_lockout(std::string_view address, core::unix_ms now) {
  refused_.add(index(rate_limit::auth_failures, false));
  return lockout_audits_.take(address, now).allowed;
}

std::uint64_t rate_limiter::refused(rate_limit l, bool per_token) const { return refused_.value(index(l, per_token)); }

void register_rate_limit_metrics(core::metrics::registry& reg, const rate_limiter& limits) {
  reg.add_family("carechat_rate_limited_total",
                 "Requests refused with 429 by an abuse limit (CARECHAT_RATE_*), by limit.",
                 core::metrics::metric_type::counter, [&limits](core::metrics::sample_writer& w) {
                   for (std::size_t i = 0; i < rate_limit_count; ++i) {
                     const auto l = static_cast<rate_limit>(i);
                     if (l != rate_limit::auth_failures)
                       w.sample({{"limit", to_string(l, true)}}, limits.refused(l, true));
                     w.sample({{"limit", to_string(l, false)}}, limits.refused(l, false));
                   }
                 });
}

}  // namespace carechat::net
