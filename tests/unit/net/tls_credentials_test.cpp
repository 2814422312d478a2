// The server's TLS context: the policy it applies (versions, ciphers, options), the checks a
// certificate and key pass before they are served, and reload keeping the old pair on error.
// Certificates are made here with OpenSSL's API (self-signed, P-256), written to real files.
#include "net/tls_credentials.hpp"

#include <gtest/gtest.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <random>
#include <string>

namespace carechat::net {
namespace {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

class tls_credentials_test : public ::testing::Test {
 protected:
  fs::path dir_;

  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("carechat-tls-" + std::to_string(std::random_device{}()));
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }

  // A self-signed certificate valid from an hour ago for a day, and its key, as PEM files.
  tls_files make_pair(const std::string& name, long serial, const char* password = nullptr) {
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* x = X509_new();
    X509_set_version(x, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
    X509_gmtime_adj(X509_getm_notBefore(x), -3600);
    X509_gmtime_adj(X509_getm_notAfter(x), 86400);
    X509_NAME* n = X509_get_subject_name(x);
    X509_NAME_add_entry_by_txt(n, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(name.c_str()), -1, -1, 0);
    X509_set_issuer_name(x, n);
    X509_set_pubkey(x, key);
    X509_sign(x, key, EVP_sha256());
    tls_files f{(dir_ / (name + ".pem")).string(), (dir_ / (name + ".key")).string()};
    std::FILE* c = std::fopen(f.cert_file.c_str(), "w");
    PEM_write_X509(c, x);
    std::fclose(c);
    std::FILE* k = std::fopen(f.key_file.c_str(), "w");
    if (password != nullptr)
      PEM_write_PrivateKey(k, key, EVP_aes_256_cbc(), nullptr, 0, nullptr, const_cast<char*>(password));
    else
      PEM_write_PrivateKey(k, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(k);
    X509_free(x);
    EVP_PKEY_free(key);
    return f;
  }

  std::string write(const std::string& name, const std::string& text) {
    const auto p = dir_ / name;
    std::ofstream(p) << text;
    return p.string();
  }

  static std::string slurp(const std::string& path) {
    std::ifstream in(path);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  }

  static std::string error_of(const tls_files& f,
                              std::chrono::system_clock::time_point now = std::chrono::system_clock::now()) {
    auto ctx = make_tls_server_context(f, now);
    EXPECT_FALSE(ctx) << "expected a refusal";
    return ctx ? std::string() : ctx.error().message;
  }
};

TEST_F(tls_credentials_test, the_policy_is_tls_1_2_at_least_with_mozilla_intermediate_ciphers) {
  boost::asio::ssl::context ctx(boost::asio::ssl::context::tls_server);
  ASSERT_TRUE(apply_tls_policy(ctx));
  SSL_CTX* h = ctx.native_handle();
  EXPECT_EQ(SSL_CTX_get_min_proto_version(h), TLS1_2_VERSION);
  const auto options = SSL_CTX_get_options(h);
  EXPECT_TRUE(options & SSL_OP_NO_COMPRESSION);
  EXPECT_TRUE(options & SSL_OP_NO_RENEGOTIATION);
  EXPECT_TRUE(options & SSL_OP_CIPHER_SERVER_PREFERENCE);
  EXPECT_TRUE(options & SSL_OP_NO_TICKET);

  int tls12 = 0, tls13 = 0;
  STACK_OF(SSL_CIPHER)* ciphers = SSL_CTX_get_ciphers(h);
  for (int i = 0; i < sk_SSL_CIPHER_num(ciphers); ++i) {
    const SSL_CIPHER* c = sk_SSL_CIPHER_value(ciphers, i);
    const std::string name = SSL_CIPHER_get_name(c);
    if (std::string(SSL_CIPHER_get_version(c)) == "TLSv1.3") {
      ++tls13;
      continue;
    }
    ++tls12;
    EXPECT_EQ(name.rfind("ECDHE-", 0), 0u) << name;  // forward secrecy
    EXPECT_TRUE(name.find("GCM") != std::string::npos || name.find("CHACHA20") != std::string::npos) << name;
  }
  EXPECT_EQ(tls12, 6);
  EXPECT_GE(tls13, 2);  // OpenSSL's defaults stay
}

TEST_F(tls_credentials_test, a_valid_pair_loads_and_is_described_without_the_key) {
  const auto f = make_pair("chat.clinic.example", 0x1234);
  auto creds = tls_credentials::load(f);
  ASSERT_TRUE(creds) << creds.error().message;
  const auto s = summarize_certificate(*(*creds)->current());
  EXPECT_EQ(s.subject, "CN=chat.clinic.example");
  EXPECT_EQ(s.serial, "1234");
  EXPECT_EQ(s.not_after.size(), 20u) << s.not_after;  // 2026-01-02T03:04:05Z
  EXPECT_EQ(SSL_CTX_get_min_proto_version((*creds)->current()->native_handle()), TLS1_2_VERSION);
}

TEST_F(tls_credentials_test, an_expired_or_not_yet_valid_certificate_is_refused) {
  const auto f = make_pair("a", 1);
  const auto now = std::chrono::system_clock::now();
  const auto expired = error_of(f, now + 48h);
  EXPECT_NE(expired.find("has expired"), std::string::npos) << expired;
  EXPECT_NE(expired.find(f.cert_file), std::string::npos) << expired;
  const auto early = error_of(f, now - 2h);
  EXPECT_NE(early.find("not valid yet"), std::string::npos) << early;
  EXPECT_NE(early.find(f.cert_file), std::string::npos) << early;
  EXPECT_TRUE(make_tls_server_context(f, now));
}

TEST_F(tls_credentials_test, a_key_of_another_certificate_is_refused_naming_both_files) {
  const auto a = make_pair("a", 1), b = make_pair("b", 2);
  const auto e = error_of({a.cert_file, b.key_file});
  EXPECT_NE(e.find("does not match"), std::string::npos) << e;
  EXPECT_NE(e.find(b.key_file), std::string::npos) << e;
  EXPECT_NE(e.find(a.cert_file), std::string::npos) << e;
}

TEST_F(tls_credentials_test, missing_malformed_and_swapped_files_are_refused_by_name) {
  const auto f = make_pair("a", 1);
  const auto missing = (dir_ / "nope.pem").string();
  auto e = error_of({missing, f.key_file});
  EXPECT_NE(e.find("TLS certificate file " + missing + ": cannot be read"), std::string::npos) << e;
  e = error_of({f.cert_file, missing});
  EXPECT_NE(e.find("TLS key file " + missing + ": cannot be read"), std::string::npos) << e;
  e = error_of({dir_.string(), f.key_file});  // a directory
  EXPECT_NE(e.find("cannot be read"), std::string::npos) << e;

  const auto garbage = write("garbage.pem", "hello\n");
  e = error_of({garbage, f.key_file});
  EXPECT_NE(e.find(garbage + ": holds no PEM certificate"), std::string::npos) << e;
  e = error_of({f.cert_file, garbage});
  EXPECT_NE(e.find(garbage + ": holds no PEM private key"), std::string::npos) << e;
  // The files swapped: the key is not a certificate, and the message quotes neither.
  e = error_of({f.key_file, f.cert_file});
  EXPECT_NE(e.find("holds no PEM certificate"), std::string::npos) << e;
  const std::string key_text = slurp(f.key_file);
  const std::string key_body = key_text.substr(key_text.find('\n') + 1, 40);
  EXPECT_EQ(e.find(key_body), std::string::npos);
}

TEST_F(tls_credentials_test, an_encrypted_key_is_refused_without_asking_for_a_password) {
  const auto f = make_pair("a", 1, "secret");
  const auto e = error_of(f);
  EXPECT_NE(e.find("encrypted"), std::string::npos) << e;
  EXPECT_NE(e.find(f.key_file), std::string::npos) << e;
}

TEST_F(tls_credentials_test, reload_takes_a_good_pair_and_keeps_the_old_one_on_a_bad_pair) {
  const auto a = make_pair("a", 1), b = make_pair("b", 2);
  const tls_files served{(dir_ / "server.pem").string(), (dir_ / "server.key").string()};
  fs::copy_file(a.cert_file, served.cert_file);
  fs::copy_file(a.key_file, served.key_file);
  auto creds = tls_credentials::load(served);
  ASSERT_TRUE(creds) << creds.error().message;
  const auto first = (*creds)->current();

  fs::copy_file(b.cert_file, served.cert_file, fs::copy_options::overwrite_existing);
  fs::copy_file(b.key_file, served.key_file, fs::copy_options::overwrite_existing);
  auto reloaded = (*creds)->reload();
  ASSERT_TRUE(reloaded) << reloaded.error().message;
  EXPECT_EQ(reloaded->subject, "CN=b");
  const auto second = (*creds)->current();
  EXPECT_NE(second, first);
  EXPECT_EQ(summarize_certificate(*first).subject, "CN=a");  // a connection's context is untouched

  // Half a renewal (a's certificate with b's key): refused, b still served.
  fs::copy_file(a.cert_file, served.cert_file, fs::copy_options::overwrite_existing);
  auto bad = (*creds)->reload();
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().message.find("does not match"), std::string::npos) << bad.error().message;
  EXPECT_EQ((*creds)->current(), second);
}

}  // namespace
}  // namespace carechat::net
