// Test harness for the server's HTTPS and WSS (issue #16): a keep-alive HTTPS connection and a
// WebSocket client over TLS, both verifying the server against a test CA (test_pki) and the name
// 127.0.0.1, and able to say which certificate the server presented. Also a shell runner for the
// curl and openssl command lines. Thread-safety: one object per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "integration/server_process.hpp"
#include "integration/ws_client.hpp"

namespace carechat::testing {

// The certificate a server presented.
struct presented_certificate {
  std::string subject;  // e.g. "CN=127.0.0.1"
  std::string serial;   // hexadecimal, upper case
};

// One TLS connection, kept open across requests (HTTP/1.1 keep-alive). Throws std::runtime_error
// when the connection or the handshake fails (a certificate the CA did not sign, a dead port).
class https_connection {
 public:
  https_connection(unsigned short port, const std::string& ca_file);
  ~https_connection();
  https_connection(const https_connection&) = delete;
  https_connection& operator=(const https_connection&) = delete;

  // status 0 when the connection failed.
  http_result request(const std::string& method, const std::string& target, const std::string& body = {},
                      const std::map<std::string, std::string>& headers = {});
  presented_certificate certificate() const;

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

// A live-events client over TLS (wss://). Throws std::runtime_error when TLS fails.
class wss_client {
 public:
  wss_client(unsigned short port, const std::string& ca_file);
  ~wss_client();
  wss_client(const wss_client&) = delete;
  wss_client& operator=(const wss_client&) = delete;

  // The token goes in Sec-WebSocket-Protocol ("carechat.v1, bearer.<token>").
  ws_handshake connect(const std::string& target, const std::string& token);
  // The next text frame, or nullopt on timeout or close (the connection is then unusable).
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

struct shell_result {
  int exit_code = -1;
  std::string output;  // stdout and stderr together
};
// Runs `command` with /bin/sh.
shell_result run_shell(const std::string& command);

}  // namespace carechat::testing
