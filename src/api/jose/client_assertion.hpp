// private_key_jwt client authentication (RFC 7523 section 3, OpenID Connect Core 9): a JWT the
// client signs with a key of its registered JWKS, with iss = sub = its client_id, aud = the token
// endpoint (or the server's base URL), a unique jti and a short life. The replay check of the jti
// is the caller's (it needs state across requests). Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace carechat::api::jose {

// An assertion may be valid for at most this long (and is refused if its exp lies further ahead).
inline constexpr std::chrono::seconds max_assertion_lifetime{300};

struct client_assertion {
  std::string client_id;
  std::string jti;
  std::int64_t exp = 0;  // seconds since the epoch
};

// The client the assertion names ("iss", which must equal "sub"), read before verification so the
// caller can look up that client's keys. errc::unauthorized when malformed.
core::result<std::string> assertion_client_id(std::string_view assertion);

// Verifies the assertion's signature against `jwks_text` (the client's registered key set) and
// its claims: iss = sub = client_id, aud one of `audiences`, exp present and at most
// max_assertion_lifetime ahead (60 s leeway), nbf/iat not in the future, jti present (1-256
// characters). errc::unauthorized with the reason.
core::result<client_assertion> verify_client_assertion(std::string_view assertion, std::string_view jwks_text,
                                                       const std::string& client_id,
                                                       const std::vector<std::string>& audiences, core::unix_ms now);

}  // namespace carechat::api::jose
