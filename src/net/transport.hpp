// The two transports a connection runs over: plain TCP, or TLS over TCP (issue #16). The HTTP and
// WebSocket sessions and the streaming handlers are templates on the stream type, instantiated for
// both (as Beast's server-flex-awaitable example does), so the plain path stays exactly what it was:
// no virtual call, no branch per read or write. What differs per transport is known at compile time
// and lives here. Thread-safety: n/a (types and pure functions).
#pragma once

#include <boost/beast/ssl/ssl_stream.hpp>
#include <string>
#include <string_view>
#include <type_traits>

#include "net/asio.hpp"

namespace carechat::net {

using plain_stream = beast::tcp_stream;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

template <class Stream>
inline constexpr bool is_tls = std::is_same_v<Stream, tls_stream>;

// HSTS (RFC 6797): browsers that reached the server over TLS keep to HTTPS for two years. Sent on
// every response over TLS, never over plain HTTP (where it would mean nothing, and a browser
// ignores it).
inline constexpr std::string_view hsts_value = "max-age=63072000";

// Adds the transport's headers to a Beast response (or a WebSocket handshake's answer).
template <class Stream, class Fields>
void add_transport_headers(http::header<false, Fields>& head) {
  if constexpr (is_tls<Stream>) head.set(http::field::strict_transport_security, hsts_value);
}

// The same for a response head formatted by hand (net/reply's format_reply_head, a download's
// head): inserted before the blank line that ends it.
template <class Stream>
void add_transport_headers(std::string& head) {
  if constexpr (is_tls<Stream>) {
    std::string line = "Strict-Transport-Security: ";
    line += hsts_value;
    line += "\r\n";
    head.insert(head.size() - 2, line);
  }
}

}  // namespace carechat::net
