#include "core/jws_crypto.hpp"

#include <openssl/core_names.h>
#include <openssl/pem.h>

#include <cstring>

#include "core/openssl_handles.hpp"

namespace carechat::core {
namespace {

constexpr int min_rsa_bits = 2048;
// A JWK's numbers are bounded (RSA up to 8192 bits): nothing user-supplied allocates more.
constexpr std::size_t max_rsa_bytes = 1024;

error bad_key(std::string message) { return make_error(errc::bad_request, std::move(message)); }

std::shared_ptr<void> own(EVP_PKEY* k) {
  return std::shared_ptr<void>(k, [](void* p) { EVP_PKEY_free(static_cast<EVP_PKEY*>(p)); });
}

bn_ptr to_bn(std::span<const std::uint8_t> b) { return bn_ptr(BN_bin2bn(b.data(), static_cast<int>(b.size()), nullptr)); }

const char* group_name(key_type curve) { return curve == key_type::ec_p256 ? "prime256v1" : "secp384r1"; }
std::size_t coordinate_size(key_type curve) { return curve == key_type::ec_p256 ? 32 : 48; }

// EVP_PKEY_fromdata over the parameters `add` pushes; then OpenSSL's own consistency check.
template <class Add>
result<EVP_PKEY*> from_data(const char* algorithm, int selection, Add add) {
  param_bld_ptr bld(OSSL_PARAM_BLD_new());
  if (!bld || !add(bld.get())) return bad_key("the key's parameters could not be built");
  params_ptr params(OSSL_PARAM_BLD_to_param(bld.get()));
  pkey_ctx_ptr ctx(EVP_PKEY_CTX_new_from_name(nullptr, algorithm, nullptr));
  if (!params || !ctx || EVP_PKEY_fromdata_init(ctx.get()) != 1) return bad_key("the key could not be built");
  EVP_PKEY* pkey = nullptr;
  if (EVP_PKEY_fromdata(ctx.get(), &pkey, selection, params.get()) != 1 || !pkey)
    return bad_key("the key's numbers are not a valid key");
  pkey_ctx_ptr check(EVP_PKEY_CTX_new_from_pkey(nullptr, pkey, nullptr));
  const int ok = !check ? 0
                 : selection == EVP_PKEY_PUBLIC_KEY ? EVP_PKEY_public_check(check.get())
                                                    : EVP_PKEY_pairwise_check(check.get());
  if (ok != 1) {
    EVP_PKEY_free(pkey);
    return bad_key("the key's numbers are not a valid key");
  }
  return pkey;
}

bool push_bn(OSSL_PARAM_BLD* bld, const char* name, std::span<const std::uint8_t> value, std::vector<bn_ptr>& keep) {
  if (value.empty() || value.size() > max_rsa_bytes) return false;
  keep.push_back(to_bn(value));
  return keep.back() && OSSL_PARAM_BLD_push_BN(bld, name, keep.back().get()) == 1;
}

result<jose_key> checked_rsa(EVP_PKEY* pkey, bool priv, auto make) {
  if (EVP_PKEY_get_bits(pkey) < min_rsa_bits) {
    EVP_PKEY_free(pkey);
    return bad_key("RSA keys must have at least 2048 bits");
  }
  return make(own(pkey), priv);
}

result<key_type> type_of(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "RSA")) {
    if (EVP_PKEY_get_bits(pkey) < min_rsa_bits) return bad_key("RSA keys must have at least 2048 bits");
    return key_type::rsa;
  }
  if (EVP_PKEY_is_a(pkey, "EC")) {
    char name[64] = {};
    std::size_t len = 0;
    if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof name, &len) == 1) {
      const std::string_view n(name, len);
      if (n == "prime256v1" || n == "P-256") return key_type::ec_p256;
      if (n == "secp384r1" || n == "P-384") return key_type::ec_p384;
    }
  }
  return bad_key("only RSA and EC P-256/P-384 keys are supported");
}

const EVP_MD* digest_of(jws_alg alg) {
  return alg == jws_alg::rs256 || alg == jws_alg::es256 ? EVP_sha256() : EVP_sha384();
}
bool is_ecdsa(jws_alg alg) { return alg == jws_alg::es256 || alg == jws_alg::es384; }

}  // namespace

std::optional<jws_alg> jws_alg_from_string(std::string_view name) noexcept {
  if (name == "RS256") return jws_alg::rs256;
  if (name == "RS384") return jws_alg::rs384;
  if (name == "ES256") return jws_alg::es256;
  if (name == "ES384") return jws_alg::es384;
  return std::nullopt;
}

std::string_view to_string(jws_alg alg) noexcept {
  switch (alg) {
    case jws_alg::rs256: return "RS256";
    case jws_alg::rs384: return "RS384";
    case jws_alg::es256: return "ES256";
    case jws_alg::es384: return "ES384";
  }
  return "?";
}

bool alg_fits_key(jws_alg alg, key_type type) noexcept {
  switch (alg) {
    case jws_alg::rs256:
    case jws_alg::rs384: return type == key_type::rsa;
    case jws_alg::es256: return type == key_type::ec_p256;
    case jws_alg::es384: return type == key_type::ec_p384;
  }
  return false;
}

result<jose_key> jose_key::rsa_public(std::span<const std::uint8_t> n, std::span<const std::uint8_t> e) {
  std::vector<bn_ptr> keep;
  auto pkey = from_data("RSA", EVP_PKEY_PUBLIC_KEY, [&](OSSL_PARAM_BLD* b) {
    return push_bn(b, OSSL_PKEY_PARAM_RSA_N, n, keep) && push_bn(b, OSSL_PKEY_PARAM_RSA_E, e, keep);
  });
  if (!pkey) return std::move(pkey).error();
  return checked_rsa(*pkey, false, [](std::shared_ptr<void> k, bool p) { return jose_key(std::move(k), key_type::rsa, p); });
}

result<jose_key> jose_key::rsa_private(const rsa_private_parts& k) {
  std::vector<bn_ptr> keep;
  auto pkey = from_data("RSA", EVP_PKEY_KEYPAIR, [&](OSSL_PARAM_BLD* b) {
    return push_bn(b, OSSL_PKEY_PARAM_RSA_N, k.n, keep) && push_bn(b, OSSL_PKEY_PARAM_RSA_E, k.e, keep) &&
           push_bn(b, OSSL_PKEY_PARAM_RSA_D, k.d, keep) && push_bn(b, OSSL_PKEY_PARAM_RSA_FACTOR1, k.p, keep) &&
           push_bn(b, OSSL_PKEY_PARAM_RSA_FACTOR2, k.q, keep) && push_bn(b, OSSL_PKEY_PARAM_RSA_EXPONENT1, k.dp, keep) &&
           push_bn(b, OSSL_PKEY_PARAM_RSA_EXPONENT2, k.dq, keep) &&
           push_bn(b, OSSL_PKEY_PARAM_RSA_COEFFICIENT1, k.qi, keep);
  });
  if (!pkey) return std::move(pkey).error();
  return checked_rsa(*pkey, true, [](std::shared_ptr<void> key, bool p) { return jose_key(std::move(key), key_type::rsa, p); });
}

result<jose_key> jose_key::ec_public(key_type curve, std::span<const std::uint8_t> x, std::span<const std::uint8_t> y) {
  return ec_private(curve, x, y, {});
}

result<jose_key> jose_key::ec_private(key_type curve, std::span<const std::uint8_t> x, std::span<const std::uint8_t> y,
                                      std::span<const std::uint8_t> d) {
  if (curve == key_type::rsa) return bad_key("not an EC curve");
  const std::size_t size = coordinate_size(curve);
  if (x.size() != size || y.size() != size || (!d.empty() && d.size() != size))
    return bad_key("EC coordinates must be exactly " + std::to_string(size) + " bytes for this curve");
  bytes point;  // SEC 1 uncompressed: 04 || x || y
  point.reserve(1 + 2 * size);
  point.push_back(0x04);
  point.insert(point.end(), x.begin(), x.end());
  point.insert(point.end(), y.begin(), y.end());
  const bool priv = !d.empty();
  bn_ptr d_bn = priv ? to_bn(d) : nullptr;
  auto pkey = from_data("EC", priv ? EVP_PKEY_KEYPAIR : EVP_PKEY_PUBLIC_KEY, [&](OSSL_PARAM_BLD* b) {
    return OSSL_PARAM_BLD_push_utf8_string(b, OSSL_PKEY_PARAM_GROUP_NAME, group_name(curve), 0) == 1 &&
           OSSL_PARAM_BLD_push_octet_string(b, OSSL_PKEY_PARAM_PUB_KEY, point.data(), point.size()) == 1 &&
           (!priv || (d_bn && OSSL_PARAM_BLD_push_BN(b, OSSL_PKEY_PARAM_PRIV_KEY, d_bn.get()) == 1));
  });
  if (!pkey) return std::move(pkey).error();
  return jose_key(own(*pkey), curve, priv);
}

result<jose_key> jose_key::generate(key_type type) {
  EVP_PKEY* pkey = type == key_type::rsa
                       ? EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<std::size_t>(min_rsa_bits))
                       : EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", group_name(type));
  if (!pkey) return make_error(errc::internal, "key generation failed");
  return jose_key(own(pkey), type, true);
}

result<jose_key> jose_key::from_pem(std::string_view pem) {
  if (pem.size() > 64 * 1024) return bad_key("the PEM file is too large");
  bio_ptr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  EVP_PKEY* pkey = bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  if (!pkey) return bad_key("not a PEM private key");
  auto owned = own(pkey);
  auto type = type_of(pkey);
  if (!type) return std::move(type).error();
  return jose_key(std::move(owned), *type, true);
}

result<jose_key::public_numbers> jose_key::public_parts() const {
  auto* pkey = static_cast<EVP_PKEY*>(native());
  const bool rsa = type_ == key_type::rsa;
  BIGNUM* a = nullptr;
  BIGNUM* b = nullptr;
  EVP_PKEY_get_bn_param(pkey, rsa ? OSSL_PKEY_PARAM_RSA_N : OSSL_PKEY_PARAM_EC_PUB_X, &a);
  EVP_PKEY_get_bn_param(pkey, rsa ? OSSL_PKEY_PARAM_RSA_E : OSSL_PKEY_PARAM_EC_PUB_Y, &b);
  bn_ptr a_owned(a), b_owned(b);
  if (!a || !b) return make_error(errc::internal, "the key's public numbers could not be read");
  auto to_bytes = [&](const BIGNUM* v) {
    const int width = rsa ? BN_num_bytes(v) : static_cast<int>(coordinate_size(type_));
    bytes out(static_cast<std::size_t>(width));
    BN_bn2binpad(v, out.data(), width);
    return out;
  };
  return public_numbers{to_bytes(a), to_bytes(b)};
}

result<std::string> jose_key::private_pem() const {
  if (!private_) return make_error(errc::bad_request, "a public key has no private PEM");
  bio_ptr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_PrivateKey(bio.get(), static_cast<EVP_PKEY*>(native()), nullptr, nullptr, 0, nullptr,
                                       nullptr) != 1)
    return make_error(errc::internal, "the key could not be written as PEM");
  char* data = nullptr;
  const long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<std::size_t>(len));
}

result<bytes> jws_sign(jws_alg alg, const jose_key& key, std::string_view signing_input) {
  if (!alg_fits_key(alg, key.type())) return make_error(errc::bad_request, "the algorithm does not fit the key");
  if (!key.has_private()) return make_error(errc::bad_request, "signing needs a private key");
  md_ctx_ptr md(EVP_MD_CTX_new());
  std::size_t len = 0;
  const auto* in = reinterpret_cast<const unsigned char*>(signing_input.data());
  if (!md || EVP_DigestSignInit(md.get(), nullptr, digest_of(alg), nullptr, static_cast<EVP_PKEY*>(key.native())) != 1 ||
      EVP_DigestSign(md.get(), nullptr, &len, in, signing_input.size()) != 1)
    return make_error(errc::internal, "signing failed");
  bytes sig(len);
  if (EVP_DigestSign(md.get(), sig.data(), &len, in, signing_input.size()) != 1)
    return make_error(errc::internal, "signing failed");
  sig.resize(len);
  if (!is_ecdsa(alg)) return sig;
  // DER ECDSA-Sig-Value -> JOSE's r || s, each left-padded to the coordinate size (RFC 7518 3.4).
  const unsigned char* p = sig.data();
  ecdsa_sig_ptr parsed(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(sig.size())));
  if (!parsed) return make_error(errc::internal, "signing failed");
  const int size = static_cast<int>(coordinate_size(key.type()));
  bytes raw(static_cast<std::size_t>(2 * size));
  if (BN_bn2binpad(ECDSA_SIG_get0_r(parsed.get()), raw.data(), size) != size ||
      BN_bn2binpad(ECDSA_SIG_get0_s(parsed.get()), raw.data() + size, size) != size)
    return make_error(errc::internal, "signing failed");
  return raw;
}

bool jws_verify(jws_alg alg, const jose_key& key, std::string_view signing_input,
                std::span<const std::uint8_t> signature) {
  if (!alg_fits_key(alg, key.type())) return false;
  bytes der;
  std::span<const std::uint8_t> to_check = signature;
  if (is_ecdsa(alg)) {
    // JOSE's r || s -> DER, which EVP_DigestVerify expects. Exactly twice the coordinate size:
    // anything else (a DER signature, a truncated one) is refused, not guessed at.
    const std::size_t size = coordinate_size(key.type());
    if (signature.size() != 2 * size) return false;
    ecdsa_sig_ptr sig(ECDSA_SIG_new());
    BIGNUM* r = BN_bin2bn(signature.data(), static_cast<int>(size), nullptr);
    BIGNUM* s = BN_bin2bn(signature.data() + size, static_cast<int>(size), nullptr);
    if (!sig || !r || !s || ECDSA_SIG_set0(sig.get(), r, s) != 1) {
      BN_free(r);
      BN_free(s);
      return false;
    }
    const int len = i2d_ECDSA_SIG(sig.get(), nullptr);
    if (len <= 0) return false;
    der.resize(static_cast<std::size_t>(len));
    unsigned char* out = der.data();
    if (i2d_ECDSA_SIG(sig.get(), &out) != len) return false;
    to_check = der;
  }
  md_ctx_ptr md(EVP_MD_CTX_new());
  return md &&
         EVP_DigestVerifyInit(md.get(), nullptr, digest_of(alg), nullptr, static_cast<EVP_PKEY*>(key.native())) == 1 &&
         EVP_DigestVerify(md.get(), to_check.data(), to_check.size(),
                          reinterpret_cast<const unsigned char*>(signing_input.data()), signing_input.size()) == 1;
}

}  // namespace carechat::core
