#include "net/request_observer.hpp"

#include "core/log.hpp"
#include "net/http_metrics.hpp"

namespace carechat::net {

request_context begin_request(const http::request_header<>& head, core::random_source& rng,
                              std::chrono::steady_clock::time_point start) {
  request_context ctx;
  ctx.start = start;
  ctx.route = classify_target(head.target());
  std::optional<std::string_view> given;
  if (auto it = head.find("X-Request-Id"); it != head.end()) given = it->value();
  ctx.id = request_id::from_header(given, rng);
  return ctx;
}

void finish_request(const request_observer_options& opts, const request_context& ctx, http::verb method,
                    unsigned status, std::uint64_t body_bytes) {
  if (ctx.status != 0) {
    status = ctx.status;
    body_bytes = ctx.body_bytes;
  }
  const auto latency = ctx.answered_at.value_or(std::chrono::steady_clock::now()) - ctx.start;
  if (opts.metrics != nullptr) opts.metrics->record(ctx.route, status, latency);
  if (!opts.log_requests || !core::log_enabled(core::log_level::info)) return;
  const double ms = std::chrono::duration<double, std::milli>(latency).count();
  // The method as Beast knows it; an unknown verb is logged as such, never as the client's text.
  const std::string_view verb =
      method == http::verb::unknown ? std::string_view("unknown") : std::string_view(http::to_string(method));
  core::log(core::log_level::info, "http", "request",
            {{"method", verb},
             {"route", to_string(ctx.route)},
             {"status", static_cast<std::int64_t>(status)},
             {"duration_ms", ms},
             {"request_id", ctx.id.view()},
             {"principal", std::string_view(ctx.principal)},
             {"bytes", static_cast<std::int64_t>(body_bytes)}});
}

}  // namespace carechat::net
