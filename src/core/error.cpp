#include "core/error.hpp"

namespace carechat::core {

std::string_view to_string(errc code) noexcept {
  switch (code) {
    case errc::bad_request: return "bad_request";
    case errc::invalid_page_token: return "invalid_page_token";
    case errc::unauthorized: return "unauthorized";
    case errc::forbidden: return "forbidden";
    case errc::not_found: return "not_found";
    case errc::method_not_allowed: return "method_not_allowed";
    case errc::payload_too_large: return "payload_too_large";
    case errc::unsupported_media_type: return "unsupported_media_type";
    case errc::idempotency_conflict: return "idempotency_conflict";
    case errc::conflict: return "conflict";
    case errc::unprocessable: return "unprocessable";
    case errc::range_not_satisfiable: return "range_not_satisfiable";
    case errc::too_many_requests: return "too_many_requests";
    case errc::rate_limited: return "rate_limited";
    case errc::version_not_supported: return "version_not_supported";
    case errc::unavailable: return "unavailable";
    case errc::internal: return "internal";
  }
  return "internal";
}

}  // namespace carechat::core
