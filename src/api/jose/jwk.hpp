// JSON Web Keys (RFC 7517) and key sets: a JWK's JSON into a core::jose_key, a set looked up by
// `kid`, and a public key written back as a JWK (to publish carechat's own keys, or to register a
// client's key). Only signature keys are kept: RSA and EC P-256/P-384; a key marked `"use":"enc"`,
// a symmetric ("oct") key or an unknown type is skipped in a set and refused alone.
// Thread-safety: jwks is immutable after parsing; share it between threads freely.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <boost/json/object.hpp>

#include "core/jws_crypto.hpp"
#include "core/result.hpp"

namespace carechat::api::jose {

// Bounds on what a key set may cost to parse: a JWKS document comes from a URL or a file we do not
// control.
inline constexpr std::size_t max_jwks_bytes = 64 * 1024;
inline constexpr std::size_t max_jwks_keys = 32;

struct jwk {
  std::string kid;                     // empty when the JWK names none
  std::optional<core::jws_alg> alg;    // the JWK's "alg", when it pins one
  core::jose_key key;
};

// One JWK object. `allow_private`: also read "d" (and RSA's CRT members) for a signing key;
// without it a private member is ignored and only the public key is built.
core::result<jwk> parse_jwk(const boost::json::object& o, bool allow_private = false);
core::result<jwk> parse_jwk_text(std::string_view text, bool allow_private = false);

class jwks {
 public:
  jwks() = default;
  // {"keys":[...]}; keys that are not usable signature keys are skipped (RFC 7517 section 5:
  // "implementations SHOULD ignore JWKs within a JWK Set that use kty values that are not
  // understood"), but a set with no usable key at all, malformed JSON, two keys with one kid, or
  // more than max_jwks_keys is refused.
  static core::result<jwks> parse(std::string_view text);
  explicit jwks(std::vector<jwk> keys) : keys_(std::move(keys)) {}

  // The key named `kid`; nullptr when the set has none.
  const jwk* find(std::string_view kid) const;
  const std::vector<jwk>& keys() const { return keys_; }
  bool empty() const { return keys_.empty(); }

 private:
  std::vector<jwk> keys_;
};

// The public JWK of `key` ({"kty","n","e"} or {"kty","crv","x","y"}, plus "kid", "alg", "use":"sig").
boost::json::object public_jwk(const core::jose_key& key, std::string_view kid, core::jws_alg alg);
// The RFC 7638 thumbprint (base64url SHA-256 of the canonical public members): a stable kid.
std::string thumbprint(const core::jose_key& key);

}  // namespace carechat::api::jose
