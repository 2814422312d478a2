// The end of every HTTP request: its metrics (http_metrics) and its one log line (method, route
// template, status, latency, request id, principal id, body bytes; never the raw path, query
// string, body or token). http_session calls begin() once a request's header is read (or what of
// it could be) and finish() once the answer is written.
// Thread-safety: one request's, on its connection's thread; the metrics it records are shared.
#pragma once

#include <cstdint>
#include <string_view>

#include "net/asio.hpp"
#include "net/request_context.hpp"

namespace carechat::net {

class http_metrics;

struct request_observer_options {
  http_metrics* metrics = nullptr;  // none: no request metrics
  bool log_requests = true;         // CARECHAT_LOG_REQUESTS: one info line per request
};

// A request's context from its header: route template and X-Request-Id (the client's if sane,
// else a new one). `start` is when its first byte arrived.
request_context begin_request(const http::request_header<>& head, core::random_source& rng,
                              std::chrono::steady_clock::time_point start);

// Records the finished request. `status` and `body_bytes` are the answer's, unless the handler
// wrote its own (ctx.status set), which then win.
void finish_request(const request_observer_options& opts, const request_context& ctx, http::verb method,
                    unsigned status, std::uint64_t body_bytes);

}  // namespace carechat::net
