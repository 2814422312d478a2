// std::unique_ptr for OpenSSL's objects, each released by its own free function: one definition
// for core's ciphers and digests, the JOSE keys (core/jws_crypto) and the server's TLS
// credentials (net/tls_credentials), instead of a deleter struct per type in each file.
// Thread-safety: as std::unique_ptr.
#pragma once

#include <memory>

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/param_build.h>
#include <openssl/x509.h>

namespace carechat::core {

template <auto Free>
struct openssl_free {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

template <class T, auto Free>
using openssl_ptr = std::unique_ptr<T, openssl_free<Free>>;

using bio_ptr = openssl_ptr<BIO, BIO_free>;
using bn_ptr = openssl_ptr<BIGNUM, BN_clear_free>;  // cleared: BIGNUMs may hold private key numbers
using cipher_ctx_ptr = openssl_ptr<EVP_CIPHER_CTX, EVP_CIPHER_CTX_free>;
using ecdsa_sig_ptr = openssl_ptr<ECDSA_SIG, ECDSA_SIG_free>;
using md_ctx_ptr = openssl_ptr<EVP_MD_CTX, EVP_MD_CTX_free>;
using param_bld_ptr = openssl_ptr<OSSL_PARAM_BLD, OSSL_PARAM_BLD_free>;
using params_ptr = openssl_ptr<OSSL_PARAM, OSSL_PARAM_free>;
using pkey_ctx_ptr = openssl_ptr<EVP_PKEY_CTX, EVP_PKEY_CTX_free>;
using pkey_ptr = openssl_ptr<EVP_PKEY, EVP_PKEY_free>;
using x509_ptr = openssl_ptr<X509, X509_free>;

}  // namespace carechat::core
