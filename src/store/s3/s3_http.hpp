// A small blocking HTTP/1.1 client for the S3 store: one request, one reply, one TCP connection,
// every step bounded by a timeout. The blob store's calls are blocking by contract (they run off the
// I/O threads, like the SQLite store's), so this drives Beast's asynchronous operations on a private
// io_context until they finish or time out: Beast's synchronous calls cannot time out, and a stalled
// S3 must fail an upload, not hang it. No Beast or Asio in this header.
// A connection per request keeps the client stateless (so thread-safe) at the cost of a TCP
// handshake per request, small beside an 8 MiB part; a keep-alive pool is the step after TLS.
// Plain TCP only: TLS (Beast's ssl_stream over OpenSSL) is the next step before a real S3 endpoint.
// Thread-safety: pure functions; concurrent calls share nothing.
#pragma once

#include <chrono>
#include <cstddef>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/result.hpp"

namespace carechat::store::s3 {

using http_headers = std::vector<std::pair<std::string, std::string>>;

// Where requests go, from "http://HOST[:PORT]".
struct http_endpoint {
  std::string host;         // "127.0.0.1", "minio.internal"
  std::string port;         // "9000"; "80" when the URL names none
  std::string host_header;  // "127.0.0.1:9000", or the host alone on port 80: what Host carries
};

// bad_request for anything but http://HOST[:PORT] with an optional trailing '/' (https:// included,
// with a message saying TLS is not built yet).
core::result<http_endpoint> parse_http_endpoint(std::string_view url);

struct http_call {
  std::string method = "GET";
  std::string target = "/";    // as sent: path and query, already encoded
  http_headers headers;        // Host and Content-Length are added here
  std::span<const char> body;  // not copied: must outlive the call
  bool head = false;           // a HEAD: the reply has headers only
  // The largest reply body accepted (a ranged GET's length); an error reply may carry up to
  // 64 KiB regardless. A larger reply fails the call with errc::internal.
  std::size_t max_reply_body = 64 * 1024;
};

struct http_reply {
  unsigned status = 0;
  http_headers headers;  // names in lower case
  std::string body;

  // The first value of header `name` (lower case), or "".
  std::string_view header(std::string_view name) const;
};

struct http_timeouts {
  std::chrono::milliseconds connect{5'000};   // resolving and connecting
  std::chrono::milliseconds request{60'000};  // sending the request and reading the reply, together
};

// Sends `call` and reads the reply, whatever its status. errc::unavailable when the server cannot be
// reached, refuses, hangs up or exceeds a timeout (the message names the endpoint and the failure,
// never a header's value); errc::internal when the reply is malformed or too large.
core::result<http_reply> http_exchange(const http_endpoint& endpoint, const http_call& call,
                                       const http_timeouts& timeouts);

}  // namespace carechat::store::s3
