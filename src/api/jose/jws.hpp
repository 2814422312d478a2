// JWS compact serialization (RFC 7515) for JWTs (RFC 7519): parsing, verification against a key
// set, and signing. What is refused, and why:
// - "alg" none, any HS* and anything but RS256/RS384/ES256/ES384: there is no symmetric key here,
//   so an HS256 token "signed" with an RSA public key (the HS/RS confusion) never verifies;
// - an alg that does not fit the selected key (RS256 against an EC key, ES384 against P-256), or
//   that the key's own "alg" does not name;
// - a kid the set does not hold (the caller may refetch the set once, rate-limited, and retry);
// - "crit" (no extension is understood), "jku"/"x5u"/"jwk"/"x5c" are ignored, never fetched or used;
// - malformed base64url, a header or payload that is not one JSON object (or names a member
//   twice), and a token over max_jws_bytes.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <span>
#include <string>
#include <string_view>

#include <boost/json/object.hpp>

#include "api/jose/jwk.hpp"
#include "core/jws_crypto.hpp"
#include "core/result.hpp"

namespace carechat::api::jose {

// Larger than any id_token or client assertion we expect (a few KiB), small enough that a hostile
// one costs nothing.
inline constexpr std::size_t max_jws_bytes = 16 * 1024;

struct parsed_jws {
  boost::json::object header;
  boost::json::object claims;  // the payload, a JWT claims set
  core::jws_alg alg = core::jws_alg::rs256;
  std::string kid;             // empty when the header names none
  std::string signing_input;   // base64url(header) "." base64url(payload)
  core::bytes signature;
};

// Every failure is errc::unauthorized with a message naming the reason.
core::result<parsed_jws> parse_compact(std::string_view token);

// Verifies a parsed token with the key its kid names (or, without a kid, the set's only key that
// fits the alg). `allowed` pins the algorithms the caller accepts.
core::result<void> verify(const parsed_jws& token, const jwks& keys, std::span<const core::jws_alg> allowed);
inline constexpr core::jws_alg all_algs[] = {core::jws_alg::rs256, core::jws_alg::rs384, core::jws_alg::es256,
                                            core::jws_alg::es384};

// parse_compact + verify.
core::result<parsed_jws> verify_compact(std::string_view token, const jwks& keys,
                                        std::span<const core::jws_alg> allowed = all_algs);

// A compact JWS of `claims` with header {"alg","typ":"JWT","kid"} (no kid when empty).
core::result<std::string> sign_compact(const boost::json::object& claims, const core::jose_key& key, core::jws_alg alg,
                                       std::string_view kid);

}  // namespace carechat::api::jose
