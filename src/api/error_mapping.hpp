// The one table from core::errc to an HTTP status, and the JSON error body every route sends.
// Status is a plain number so api stays free of Beast. Thread-safety: pure functions.
#pragma once

#include <string>

#include "core/error.hpp"

namespace carechat::api {

// 400, 401, 403, 404, 405, 413, 415, 422, 503 or 500 (see the table in error_mapping.cpp).
unsigned http_status(core::errc code) noexcept;

// {"error":{"code":"bad_request","message":"..."}}; code is core::to_string(err.code).
std::string error_body(const core::error& err);

}  // namespace carechat::api
