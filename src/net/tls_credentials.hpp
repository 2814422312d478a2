// The server's own TLS certificate and key (issue #16: HTTPS and WSS without a sidecar), loaded into
// an OpenSSL server context with the house's TLS policy, and reloadable (SIGHUP) while connections
// go on. A pair is checked before it is used: both files readable and PEM, the key unencrypted and
// matching the certificate, the certificate valid now. A bad pair at start stops the server; a bad
// pair at reload is refused and the previous one keeps serving.
// Thread-safety: tls_credentials::current() and reload() may be called from any thread; a context,
// once made, is never changed (a reload makes a new one), so handshakes read it without a lock.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <chrono>
#include <memory>
#include <mutex>
#include <string>

#include "core/result.hpp"

namespace carechat::net {

struct tls_files {
  std::string cert_file;  // PEM: the server's certificate, then any intermediates (leaf first)
  std::string key_file;   // PEM: its private key, unencrypted
};

// What an operator wants to see in the log about a certificate (never anything about the key).
struct certificate_summary {
  std::string subject;    // e.g. "CN=chat.clinic.example"
  std::string serial;     // hexadecimal
  std::string not_after;  // ISO 8601, UTC
};

// The Mozilla "intermediate" TLS 1.2 ciphers: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305
// only. TLS 1.3 keeps OpenSSL's default suites (all AEAD).
inline constexpr const char* tls12_ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:"
    "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

// Applies the policy to a server context: TLS 1.2 at least, the ciphers above, the server's
// preference order, no compression (CRIME), no renegotiation, no session tickets (their key would
// live as long as the process: stateful resumption keeps forward secrecy), buffers released
// while a connection is idle. Fails only if OpenSSL refuses a setting.
core::result<void> apply_tls_policy(boost::asio::ssl::context& ctx);

// Reads and checks `files` (as of `now`) and makes a server context with the policy above. Every
// error names the file and what is wrong with it, and never quotes the file's content.
core::result<std::shared_ptr<boost::asio::ssl::context>> make_tls_server_context(
    const tls_files& files, std::chrono::system_clock::time_point now);

// The certificate a context serves.
certificate_summary summarize_certificate(boost::asio::ssl::context& ctx);

class tls_credentials {
 public:
  // Loads the pair (as of now); an error stops the server.
  static core::result<std::unique_ptr<tls_credentials>> load(tls_files files);

  // The context new handshakes use. A connection keeps the one it started with.
  std::shared_ptr<boost::asio::ssl::context> current() const;

  // Reads the files again (their paths as given at start). On success new handshakes use the new
  // pair; on error nothing changes and the error says why. Blocks on file reads: call it off the
  // I/O threads.
  core::result<certificate_summary> reload();

  const tls_files& files() const { return files_; }

 private:
  tls_credentials(tls_files files, std::shared_ptr<boost::asio::ssl::context> ctx)
      : files_(std::move(files)), context_(std::move(ctx)) {}

  const tls_files files_;
  mutable std::mutex mutex_;
  std::shared_ptr<boost::asio::ssl::context> context_;  // guarded by mutex_
  std::mutex reload_mutex_;                             // one reload at a time
};

}  // namespace carechat::net
