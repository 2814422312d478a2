// The OpenID Connect id_token a SMART EHR returns with its token response (SMART App Launch 2.x,
// "sso-openid-connect"), checked as OpenID Connect Core 3.1.3.7 asks: the signature with a key of
// the EHR's JWKS (RS256 or ES256; RS384/ES384 too, "none" and HS* never: see jws.hpp), then iss =
// the configured issuer, aud naming our client_id, exp in the future, nonce equal to the one the
// launch sent. Key rotation: when the token names a kid the cached set lacks, the caller refetches
// the EHR's JWKS once and validates again (id_token_needs_new_keys says when).
// Thread-safety: pure functions.
#pragma once

#include <string>
#include <string_view>

#include "api/jose/jwk.hpp"
#include "core/clock.hpp"
#include "core/result.hpp"

namespace carechat::api::jose {

struct id_token_expectations {
  std::string issuer;     // the EHR's issuer (its "iss", as configured)
  std::string client_id;  // carechat's client_id at that EHR: "aud" must name it
  std::string nonce;      // the launch's nonce
  core::unix_ms now = 0;
};

struct id_token_claims {
  std::string subject;    // "sub"
  std::string fhir_user;  // "fhirUser": a FHIR resource URL (Practitioner/..., Patient/...), may be empty
  std::string name;       // "name" (OpenID standard claim), may be empty
};

// errc::unauthorized naming the reason (signature, alg, iss, aud, exp, nonce).
core::result<id_token_claims> validate_id_token(std::string_view token, const jwks& keys,
                                                const id_token_expectations& expect);

// True when the token parses and names a kid that `keys` does not hold: the EHR may have rotated
// its keys, so the set is worth fetching again (once) before refusing.
bool id_token_needs_new_keys(std::string_view token, const jwks& keys);
// The token's "kid" header (empty when it names none or does not parse).
std::string id_token_kid(std::string_view token);

}  // namespace carechat::api::jose
