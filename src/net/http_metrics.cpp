#include "net/http_metrics.hpp"

#include <array>
#include <string>

namespace carechat::net {
namespace {

// The status codes carechat answers with; anything else is counted under "other".
constexpr std::array<unsigned, 28> known_codes{101, 200, 201, 204, 206, 301, 304, 400, 401, 403, 404, 405, 406, 409,
                                               410, 411, 412, 413, 415, 416, 422, 429, 431, 500, 501, 502, 503, 505};
constexpr std::size_t code_slots = known_codes.size() + 1;

constexpr std::size_t slot_of(unsigned status) {
  for (std::size_t i = 0; i < known_codes.size(); ++i)
    if (known_codes[i] == status) return i;
  return known_codes.size();
}

}  // namespace

http_metrics::http_metrics()
    : requests_(route_template_count * code_slots),
      durations_(route_template_count, core::metrics::latency_bounds_us()) {}

void http_metrics::record(route_template route, unsigned status, std::chrono::steady_clock::duration latency) noexcept {
  const auto r = static_cast<std::size_t>(route);
  requests_.add(r * code_slots + slot_of(status));
  const auto us = std::chrono::duration_cast<std::chrono::microseconds>(latency).count();
  durations_.observe(r, us > 0 ? static_cast<std::uint64_t>(us) : 0);
}

std::uint64_t http_metrics::requests(route_template route, unsigned status) const {
  return requests_.value(static_cast<std::size_t>(route) * code_slots + slot_of(status));
}

void http_metrics::register_with(core::metrics::registry& reg) const {
  reg.add_family("carechat_http_requests_total",
                 "HTTP requests answered, by route template (never a raw path) and status code.",
                 core::metrics::metric_type::counter, [this](core::metrics::sample_writer& w) {
                   for (std::size_t r = 0; r < route_template_count; ++r)
                     for (std::size_t c = 0; c < code_slots; ++c) {
                       const auto n = requests_.value(r * code_slots + c);
                       if (n == 0) continue;
                       const std::string code = c < known_codes.size() ? std::to_string(known_codes[c]) : "other";
                       w.sample({{"route", to_string(static_cast<route_template>(r))}, {"code", code}}, n);
                     }
                 });
  reg.add_family("carechat_http_request_duration_seconds",
                 "Time from a request's first byte to its answer written (a live connection: to its "
                 "101), by route template.",
                 core::metrics::metric_type::histogram, [this](core::metrics::sample_writer& w) {
                   for (std::size_t r = 0; r < route_template_count; ++r) {
                     const auto s = durations_.snapshot(r);
                     if (s.count == 0) continue;
                     w.histogram({{"route", to_string(static_cast<route_template>(r))}}, durations_.bounds(), s, 1e6);
                   }
                 });
}

}  // namespace carechat::net
