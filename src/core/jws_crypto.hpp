// The signature half of JOSE (RFC 7515/7518) on OpenSSL 3, without JSON: keys built from their
// JWK numbers (RSA n/e, EC P-256/P-384 x/y, and the private parts for signing), and signing and
// verifying bytes with RS256/RS384/ES256/ES384. api/jose/ parses the JSON around it.
//
// Why by hand: Debian's C++ JWT libraries have no JWK/JWKS (libjwt 1.10, cpp-jwt 1.4); OpenSSL
// does the cryptography, this file only builds keys (OSSL_PARAM_BLD + EVP_PKEY_fromdata) and
// converts ECDSA signatures between JOSE's fixed-width r||s and the DER that OpenSSL speaks.
// Symmetric (HS*) algorithms and "none" are deliberately absent: a verifier that cannot compute an
// HMAC cannot be tricked into using an RSA public key as an HMAC secret.
// Thread-safety: keys are immutable once built and may be shared between threads.
#pragma once

#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "core/result.hpp"

namespace carechat::core {

enum class jws_alg { rs256, rs384, es256, es384 };

// "RS256" -> rs256; any other name (none, HS256, PS256, ...) -> nullopt.
std::optional<jws_alg> jws_alg_from_string(std::string_view name) noexcept;
std::string_view to_string(jws_alg alg) noexcept;

enum class key_type { rsa, ec_p256, ec_p384 };

// The one key type an algorithm may be used with (ES256: P-256 only, ES384: P-384 only).
bool alg_fits_key(jws_alg alg, key_type type) noexcept;

// An asymmetric key, public or private (a private key verifies too).
class jose_key {
 public:
  key_type type() const noexcept { return type_; }
  bool has_private() const noexcept { return private_; }
  void* native() const noexcept { return pkey_.get(); }  // EVP_PKEY*

  // Big-endian unsigned integers, as JWK's base64url members decode. RSA keys under 2048 bits are
  // refused (RFC 7518 section 3.3).
  static result<jose_key> rsa_public(std::span<const std::uint8_t> n, std::span<const std::uint8_t> e);
  struct rsa_private_parts {
    bytes n, e, d, p, q, dp, dq, qi;
  };
  static result<jose_key> rsa_private(const rsa_private_parts& parts);
  // x and y exactly the curve's coordinate size (32 or 48 bytes); the point must be on the curve.
  static result<jose_key> ec_public(key_type curve, std::span<const std::uint8_t> x, std::span<const std::uint8_t> y);
  static result<jose_key> ec_private(key_type curve, std::span<const std::uint8_t> x, std::span<const std::uint8_t> y,
                                     std::span<const std::uint8_t> d);
  // A fresh key pair (carechat's own signing keys, tests).
  static result<jose_key> generate(key_type type);
  // A private key in PEM (PKCS#8 or traditional), RSA or EC P-256/P-384.
  static result<jose_key> from_pem(std::string_view pem);

  // The public numbers for publishing the key as a JWK: RSA n, e; EC x, y (fixed width).
  struct public_numbers {
    bytes a;  // n or x
    bytes b;  // e or y
  };
  result<public_numbers> public_parts() const;
  // The private key as PKCS#8 PEM (for a client's key file written by the CLI, tests).
  result<std::string> private_pem() const;

 private:
  jose_key(std::shared_ptr<void> pkey, key_type type, bool priv) : pkey_(std::move(pkey)), type_(type), private_(priv) {}
  std::shared_ptr<void> pkey_;  // EVP_PKEY, freed with EVP_PKEY_free
  key_type type_;
  bool private_;
};

// The JWS signature of `signing_input` (RSASSA-PKCS1-v1_5, or ECDSA as r||s of fixed width).
// Fails when the algorithm does not fit the key or the key has no private part.
result<bytes> jws_sign(jws_alg alg, const jose_key& key, std::string_view signing_input);
// True only for a valid signature by `key` with exactly `alg` (which must fit the key's type).
bool jws_verify(jws_alg alg, const jose_key& key, std::string_view signing_input,
                std::span<const std::uint8_t> signature);

}  // namespace carechat::core
