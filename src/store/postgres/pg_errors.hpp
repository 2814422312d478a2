// Turns libpq failures into core::error values. Errors that mean "try again" (the connection was
// lost, the server is starting, stopping or out of connections, a statement timed out, a
// serialization failure or a deadlock) become errc::unavailable, which the API answers with 503
// and Retry-After; everything else is errc::internal. Messages name the operation, the SQLSTATE
// and the server's primary message, never DETAIL (it can quote row values) or the connection string.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "core/error.hpp"

struct pg_conn;
struct pg_result;

namespace carechat::store::postgres {

// Whether a SQLSTATE means "the same work may succeed if tried again".
bool is_retryable_sqlstate(std::string_view sqlstate) noexcept;

// The error of a failed result (r may be null: libpq returned no result at all).
core::error make_pg_error(pg_conn* c, const pg_result* r, std::string_view operation);
// A connection-level failure (connect, send, receive): always errc::unavailable.
core::error connection_error(pg_conn* c, std::string_view operation);

// The SQLSTATE unique_violation, for callers that resolve races by retrying a read.
inline constexpr std::string_view unique_violation = "23505";

// The SQLSTATE of a failed result, "" when there is none.
std::string_view sqlstate_of(const pg_result* r) noexcept;

}  // namespace carechat::store::postgres
