// Serves the browser app: the chart pane at /app/{tenant}/{instance}/patient/{patientId}, the
// patient's view at /portal/{tenant}/{instance}/patient/{patientId} (both the same index.html; the
// app reads its mode from the path) and its files under /assets/. Pages carry a strict CSP whose
// frame-ancestors is the configured allow-list, so the pane can be embedded by the EHR and nowhere
// else. Thread-safety: pure functions over read-only data.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "net/asio.hpp"
#include "net/static_assets.hpp"

namespace carechat::net {

struct web_options {
  // Origins allowed to embed the pages in an iframe, besides the server itself ('self').
  std::vector<std::string> frame_ancestors;
};

// The response for a web route, or nullopt when `req` is not one (the API router takes it).
// `segments` are the request target's percent-decoded path segments (the router parses it once).
std::optional<response> serve_web(const request& req, const std::vector<std::string>& segments,
                                  const static_assets& files, const web_options& opts);

// Whether `target` (a request target, path and query) names a web route (/app, /portal, /assets):
// their errors are text/plain pages, every other route's the JSON error body.
bool is_web_target(std::string_view target);

// A text/plain answer (a web route's error page).
response plain_response(unsigned version, bool keep_alive, http::status status, std::string_view text);

// The Content-Security-Policy of the app's pages (exposed for tests).
std::string page_csp(const web_options& opts, std::string_view host);

}  // namespace carechat::net
