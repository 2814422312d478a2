// Limits and timeouts of the HTTP front (STYLE habit 2: every input has a limit).
// Thread-safety: plain value, read-only after start.
#pragma once

#include <chrono>
#include <cstddef>

namespace carechat::net {

// Room an upload's body may take beyond the file itself: a multipart envelope's headers and
// boundaries (and a few small form fields).
inline constexpr std::size_t upload_envelope_bytes = 64u << 10;

struct http_options {
  std::size_t max_body_bytes = 1 << 20;     // larger bodies: 413, rejected before being read whole
  // An attachment upload's body (handlers/attachment_handlers): the file limit plus room for a
  // multipart envelope. Its bytes stream to storage, never held whole.
  std::size_t max_upload_bytes = (25u << 20) + upload_envelope_bytes;
  std::size_t max_header_bytes = 16 * 1024; // request line + headers; larger: 431
  std::chrono::milliseconds idle_timeout{60'000};     // until the first byte of the next request
  std::chrono::milliseconds request_timeout{30'000}; // from that byte: the whole request and its answer
  std::size_t max_connections = 10'000;     // beyond this, new connections are closed at once
  // HTTPS only: from accept to a finished TLS handshake; a client that connects and sends nothing
  // (or plain HTTP to the TLS port) is closed after this.
  std::chrono::milliseconds tls_handshake_timeout{10'000};
};

}  // namespace carechat::net
