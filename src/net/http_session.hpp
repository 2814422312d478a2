// One HTTP/1.1 connection: reads requests with limits and timeouts, routes them, writes responses,
// keeps the connection alive while the client wants. Thread-safety: one coroutine on the
// connection's own I/O thread; nothing is shared but `services` and the registry.
#pragma once

#include <memory>

#include <boost/asio/ssl/context.hpp>

#include "net/asio.hpp"
#include "net/connection_registry.hpp"
#include "net/http_options.hpp"
#include "net/services.hpp"

namespace carechat::net {

asio::awaitable<void> run_http_session(tcp::socket socket, services& svc, const http_options& opts,
                                       connection_registry& registry);

// The same over TLS (issue #16): the handshake first, on the connection's I/O thread, under
// opts.tls_handshake_timeout; then HSTS on every answer. `tls` is the context of the certificate
// served when the connection was accepted; the connection keeps it to its end.
asio::awaitable<void> run_https_session(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, services& svc,
                                        const http_options& opts, connection_registry& registry);

}  // namespace carechat::net
