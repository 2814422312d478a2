// A throwaway certificate authority for HTTPS tests, made with the openssl command line (as an
// operator would make a clinic's private CA): a CA certificate, and a server certificate it signed
// for 127.0.0.1 and localhost. For the server's own TLS (issue #16) also: a second server
// certificate with a key of its own (a renewal, for reload), and certificates for the first key
// that expired or are not valid yet (signed with `openssl ca`, which takes explicit dates).
// Everything lives in a temporary directory removed on destruction.
// Thread-safety: build once, then read-only.
#pragma once

#include <filesystem>
#include <string>

#include "integration/server_process.hpp"
#include "integration/webhook_receiver.hpp"

namespace carechat::testing {

class test_pki {
 public:
  // Throws std::runtime_error when openssl fails (the test cannot run without it).
  test_pki();

  std::string ca_file() const { return (dir_.path() / "ca.pem").string(); }
  tls_identity server() const {
    return {(dir_.path() / "server.pem").string(), (dir_.path() / "server.key").string()};
  }
  // Subject "CN=127.0.0.1" (server()) and "CN=carechat renewed" (renewed()); both name 127.0.0.1.
  tls_identity renewed() const {
    return {(dir_.path() / "renewed.pem").string(), (dir_.path() / "renewed.key").string()};
  }
  // For server().key_file: valid from 2020-01-01 to 2020-01-02; from 2099-01-01 to 2099-01-02.
  std::string expired_cert() const { return (dir_.path() / "expired.pem").string(); }
  std::string future_cert() const { return (dir_.path() / "future.pem").string(); }
  const std::filesystem::path& dir() const { return dir_.path(); }

 private:
  temp_dir dir_;
};

}  // namespace carechat::testing
