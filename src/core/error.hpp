// Project error vocabulary: one protocol-agnostic code per kind of expected failure, plus a message
// for people. api/error_mapping turns these into HTTP statuses; nothing below api knows about HTTP.
// Thread-safety: plain values.
#pragma once

#include <string>
#include <string_view>

namespace carechat::core {

enum class errc {
  bad_request,           // malformed or out-of-range input
  invalid_page_token,    // tampered, foreign or wrong-kind page token
  unauthorized,          // no credentials, or unknown/revoked credentials
  forbidden,             // authenticated, but not allowed here
  not_found,             // no such route or resource
  method_not_allowed,    // route exists, method does not
  payload_too_large,     // body over the configured limit
  unsupported_media_type,// body is not JSON
  idempotency_conflict,  // Idempotency-Key reused with another request
  conflict,              // the resource is not in a state that allows this (yet), e.g. an attachment still scanned or already sent
  unprocessable,         // well-formed, but refused on its content: an infected file, an attachment id that is not the caller's
  range_not_satisfiable, // a Range header past the end of the file
  too_many_requests,     // a per-client limit (e.g. live connections per token) is reached
  rate_limited,          // an abuse limit (events per time, per token or address) is reached; retry after Retry-After
  version_not_supported, // a protocol version the server does not speak (HTTP other than 1.0/1.1)
  unavailable,           // overloaded or shutting down; retry later
  internal,              // a bug or a storage failure; details only in the server log
};

// Stable wire name of a code, e.g. "bad_request"; part of the public API.
std::string_view to_string(errc code) noexcept;

struct error {
  errc code;
  std::string message;
};

inline error make_error(errc code, std::string message) { return error{code, std::move(message)}; }

}  // namespace carechat::core
