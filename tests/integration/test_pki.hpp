// A throwaway certificate authority for HTTPS tests, made with the openssl command line (as an
// operator would make a clinic's private CA): a CA certificate, and a server certificate it signed
// for 127.0.0.1 and localhost. Everything lives in a temporary directory removed on destruction.
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

 private:
  temp_dir dir_;
};

}  // namespace carechat::testing
