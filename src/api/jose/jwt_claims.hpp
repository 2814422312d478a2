// The registered claims of a verified JWT (RFC 7519 section 4.1) checked against what the caller
// expects: the issuer, an audience (a string or an array that must contain ours), the time window
// (exp required, nbf and iat honoured) with a small clock skew, and the OpenID nonce when one was
// sent. Run it only on a token whose signature verified (jws.hpp).
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include <boost/json/object.hpp>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace carechat::api::jose {

struct claim_expectations {
  std::string issuer;                     // "iss" must equal it
  // "aud" (a string, or an array) must name one of these: e.g. the token endpoint's URL and the
  // issuer's, both of which RFC 7523 allows a client assertion to name.
  std::vector<std::string> audiences;
  std::optional<std::string> nonce;       // when set, "nonce" must equal it (OpenID Connect)
  std::optional<std::string> subject;     // when set, "sub" must equal it (client assertions)
  core::unix_ms now = 0;
  std::chrono::seconds leeway{60};        // clocks of issuer and verifier disagree a little
  // Refuses a token valid for longer than this (a client assertion lives minutes, not years).
  std::optional<std::chrono::seconds> max_lifetime;
};

// errc::unauthorized with a message naming the claim that failed.
core::result<void> check_claims(const boost::json::object& claims, const claim_expectations& expect);

// A NumericDate claim (seconds since the epoch, an integer or a number with a fraction) in
// seconds; nullopt when absent or not a number.
std::optional<std::int64_t> numeric_date(const boost::json::object& claims, std::string_view name);

}  // namespace carechat::api::jose
