#include "api/error_mapping.hpp"

#include "api/json_writer.hpp"

namespace carechat::api {

unsigned http_status(core::errc code) noexcept {
  using core::errc;
  switch (code) {
    case errc::bad_request: return 400;
    case errc::invalid_page_token: return 400;  // a client error in a parameter, like any bad input
    case errc::unauthorized: return 401;
    case errc::forbidden: return 403;
    case errc::not_found: return 404;
    case errc::method_not_allowed: return 405;
    case errc::payload_too_large: return 413;
    case errc::unsupported_media_type: return 415;
    case errc::idempotency_conflict: return 422;
    case errc::conflict: return 409;
    case errc::unprocessable: return 422;
    case errc::range_not_satisfiable: return 416;
    case errc::too_many_requests:
    case errc::rate_limited: return 429;
    case errc::version_not_supported: return 505;
    case errc::unavailable: return 503;
    case errc::internal: return 500;
  }
  return 500;  // an out-of-range value is a bug; never leak it as a client error
}

std::string error_body(const core::error& err) {
  const std::string_view code = core::to_string(err.code);
  json_writer w(err.message.size() + code.size() + 40);
  w.raw("{\"error\":{\"code\":");
  w.string(code);
  w.raw(",\"message\":");
  w.string(err.message);
  w.raw("}}");
  return std::move(w).take();
}

}  // namespace carechat::api
