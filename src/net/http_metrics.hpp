// The HTTP server's request metrics: requests by route template and status code, and latency
// histograms by route template. Recorded once per request (request_observer), read by /metrics.
// Thread-safety: record() from any thread (sharded relaxed atomics: no lock, no allocation);
// register_with() once at start.
#pragma once

#include <chrono>
#include <cstddef>

#include "core/metrics.hpp"
#include "net/route_template.hpp"

namespace carechat::net {

class http_metrics {
 public:
  http_metrics();
  void record(route_template route, unsigned status, std::chrono::steady_clock::duration latency) noexcept;
  // carechat_http_requests_total{route,code} and carechat_http_request_duration_seconds{route}.
  // Series that never moved are left out (most route x code pairs never happen).
  void register_with(core::metrics::registry& reg) const;

  std::uint64_t requests(route_template route, unsigned status) const;

 private:
  core::metrics::counter_array requests_;     // route x status slot
  core::metrics::histogram_array durations_;  // route, microseconds
};

}  // namespace carechat::net
