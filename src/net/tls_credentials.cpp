#include "net/tls_credentials.hpp"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <vector>

#include "core/openssl_handles.hpp"

namespace carechat::net {
namespace {

namespace ssl = boost::asio::ssl;
using core::errc;
using core::make_error;

// A certificate chain or a key is a few KiB; anything much larger is not one.
constexpr std::size_t max_pem_bytes = 1 << 20;

using core::bio_ptr;
using core::pkey_ptr;
using core::x509_ptr;

core::error bad_file(const std::string& what, const std::string& path, const std::string& problem) {
  return core::error{errc::bad_request, what + " " + path + ": " + problem};
}

// OpenSSL's reason for the last failure (its error strings name no file content), and clears the queue.
std::string openssl_reason() {
  const unsigned long e = ERR_peek_last_error();
  ERR_clear_error();
  if (e == 0) return "unknown OpenSSL error";
  const char* reason = ERR_reason_error_string(e);
  return reason ? reason : "OpenSSL error " + std::to_string(e);
}

core::result<std::string> read_file(const std::string& what, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr) return bad_file(what, path, std::string("cannot be read: ") + std::strerror(errno));
  std::string out;
  std::vector<char> chunk(64 * 1024);
  for (;;) {
    const std::size_t n = std::fread(chunk.data(), 1, chunk.size(), f);
    out.append(chunk.data(), n);
    if (out.size() > max_pem_bytes) {
      std::fclose(f);
      return bad_file(what, path, "is larger than 1 MiB; it is not a PEM certificate or key");
    }
    if (n < chunk.size()) break;
  }
  const bool failed = std::ferror(f) != 0;
  const int err = errno;
  std::fclose(f);
  if (failed) return bad_file(what, path, std::string("cannot be read: ") + std::strerror(err));
  return out;
}

// A key file is never decrypted: there is nobody to ask for a password, and OpenSSL's default
// would prompt on the terminal.
int refuse_password(char*, int, int, void*) { return -1; }

std::string iso_time(const ASN1_TIME* t) {
  std::tm tm{};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) return "(unreadable date)";
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

certificate_summary summarize(X509* cert) {
  certificate_summary s;
  if (cert == nullptr) return s;
  if (bio_ptr b{BIO_new(BIO_s_mem())}) {
    X509_NAME_print_ex(b.get(), X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
    char* data = nullptr;
    const long n = BIO_get_mem_data(b.get(), &data);
    if (n > 0) s.subject.assign(data, static_cast<std::size_t>(n));
  }
  if (BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr)) {
    if (char* hex = BN_bn2hex(bn)) {
      s.serial = hex;
      OPENSSL_free(hex);
    }
    BN_free(bn);
  }
  s.not_after = iso_time(X509_get0_notAfter(cert));
  return s;
}

}  // namespace

core::result<void> apply_tls_policy(ssl::context& ctx) {
  SSL_CTX* h = ctx.native_handle();
  if (SSL_CTX_set_min_proto_version(h, TLS1_2_VERSION) != 1)
    return make_error(errc::internal, "TLS: cannot set the minimum version: " + openssl_reason());
  SSL_CTX_set_options(
      h, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE | SSL_OP_NO_TICKET);
  if (SSL_CTX_set_cipher_list(h, tls12_ciphers) != 1)
    return make_error(errc::internal, "TLS: cannot set the cipher list: " + openssl_reason());
  // 10,000 idle keep-alive connections would otherwise hold ~34 KiB of buffers each.
  SSL_CTX_set_mode(h, SSL_MODE_RELEASE_BUFFERS);
  return {};
}

core::result<std::shared_ptr<ssl::context>> make_tls_server_context(const tls_files& files,
                                                                    std::chrono::system_clock::time_point now) {
  const std::string cert_what = "TLS certificate file", key_what = "TLS key file";
  // Each file is read once: what is checked is what is served.
  auto cert_pem = read_file(cert_what, files.cert_file);
  if (!cert_pem) return std::move(cert_pem).error();
  auto key_pem = read_file(key_what, files.key_file);
  if (!key_pem) return std::move(key_pem).error();

  ERR_clear_error();
  bio_ptr cert_bio{BIO_new_mem_buf(cert_pem->data(), static_cast<int>(cert_pem->size()))};
  x509_ptr leaf{PEM_read_bio_X509(cert_bio.get(), nullptr, refuse_password, nullptr)};
  if (!leaf) {
    ERR_clear_error();
    return bad_file(cert_what, files.cert_file, "holds no PEM certificate (expected -----BEGIN CERTIFICATE-----)");
  }
  std::vector<x509_ptr> chain;  // intermediates, in file order
  for (;;) {
    x509_ptr next{PEM_read_bio_X509(cert_bio.get(), nullptr, refuse_password, nullptr)};
    if (!next) break;
    chain.push_back(std::move(next));
  }
  // The loop ends on "no start line" at the end of the file; anything else is a damaged block.
  const unsigned long tail = ERR_peek_last_error();
  ERR_clear_error();
  if (tail != 0 && ERR_GET_REASON(tail) != PEM_R_NO_START_LINE)
    return bad_file(cert_what, files.cert_file, "a certificate after the first is malformed");

  const std::time_t t = std::chrono::system_clock::to_time_t(now);
  std::time_t at = t;
  if (X509_cmp_time(X509_get0_notBefore(leaf.get()), &at) > 0)
    return bad_file(cert_what, files.cert_file,
                    "the certificate is not valid yet (not before " + iso_time(X509_get0_notBefore(leaf.get())) + ")");
  at = t;
  if (X509_cmp_time(X509_get0_notAfter(leaf.get()), &at) < 0)
    return bad_file(cert_what, files.cert_file,
                    "the certificate has expired (not after " + iso_time(X509_get0_notAfter(leaf.get())) + ")");

  bio_ptr key_bio{BIO_new_mem_buf(key_pem->data(), static_cast<int>(key_pem->size()))};
  pkey_ptr key{PEM_read_bio_PrivateKey(key_bio.get(), nullptr, refuse_password, nullptr)};
  if (!key) {
    ERR_clear_error();
    if (key_pem->find("ENCRYPTED") != std::string::npos)
      return bad_file(key_what, files.key_file,
                      "the key is encrypted; carechat needs it unencrypted (protect the file with its permissions)");
    return bad_file(key_what, files.key_file, "holds no PEM private key (expected -----BEGIN PRIVATE KEY-----)");
  }
  if (X509_check_private_key(leaf.get(), key.get()) != 1) {
    ERR_clear_error();
    return bad_file(key_what, files.key_file, "the key does not match the certificate in " + files.cert_file);
  }

  auto ctx = std::make_shared<ssl::context>(ssl::context::tls_server);
  if (auto ok = apply_tls_policy(*ctx); !ok) return std::move(ok).error();
  SSL_CTX* h = ctx->native_handle();
  if (SSL_CTX_use_certificate(h, leaf.get()) != 1)
    return bad_file(cert_what, files.cert_file, "the certificate cannot be used: " + openssl_reason());
  for (const auto& c : chain)
    if (SSL_CTX_add1_chain_cert(h, c.get()) != 1)
      return bad_file(cert_what, files.cert_file, "an intermediate certificate cannot be used: " + openssl_reason());
  if (SSL_CTX_use_PrivateKey(h, key.get()) != 1 || SSL_CTX_check_private_key(h) != 1)
    return bad_file(key_what, files.key_file, "the key cannot be used: " + openssl_reason());
  return ctx;
}

certificate_summary summarize_certificate(ssl::context& ctx) {
  return summarize(SSL_CTX_get0_certificate(ctx.native_handle()));
}

core::result<std::unique_ptr<tls_credentials>> tls_credentials::load(tls_files files) {
  auto ctx = make_tls_server_context(files, std::chrono::system_clock::now());
  if (!ctx) return std::move(ctx).error();
  return std::unique_ptr<tls_credentials>(new tls_credentials(std::move(files), std::move(*ctx)));
}

std::shared_ptr<ssl::context> tls_credentials::current() const {
  std::lock_guard lock(mutex_);
  return context_;
}

core::result<certificate_summary> tls_credentials::reload() {
  std::lock_guard one_at_a_time(reload_mutex_);
  auto ctx = make_tls_server_context(files_, std::chrono::system_clock::now());
  if (!ctx) return std::move(ctx).error();
  certificate_summary summary = summarize_certificate(**ctx);
  {
    std::lock_guard lock(mutex_);
    // The old context lives on with the connections that hold it (and OpenSSL counts its own
    // references from each connection), so nothing in flight notices.
    context_ = std::move(*ctx);
  }
  return summary;
}

}  // namespace carechat::net
