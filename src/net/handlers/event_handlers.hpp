// The live event endpoints (WebSocket upgrades):
//   GET /{tenant}/{instance}/patient/{patientId}/chat/events[?after=POS]   one chat
//   GET /{tenant}/{instance}/chat/events[?after=POS]                      every chat (staff)
// Checks Origin, authenticates (Sec-WebSocket-Protocol "bearer.<token>" for browsers, or
// Authorization), authorizes the scope, enforces the per-token cap, audits, then runs a
// websocket_session. Refusals are ordinary HTTP error responses. Thread-safety: runs on the
// connection's executor (its I/O thread).
#pragma once

#include <functional>
#include <optional>

#include "domain/events.hpp"
#include "net/asio.hpp"
#include "net/handlers/stream_routes.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"
#include "net/transport.hpp"

namespace carechat::net {

// Serves the upgrade request on `stream` (plain_stream or tls_stream); returns when the live
// connection has ended. `set_stop` receives the hook the server calls to close the connection on
// shutdown. True when the live session took the stream (it is then moved from, and closed);
// false when the upgrade was refused with an HTTP answer (the caller closes the stream). `ctx`:
// the request's id (audited, echoed on every answer), who asked and the answer's status
// (recorded here).
template <class Stream>
asio::awaitable<bool> serve_event_stream(Stream& stream, const request& req, services& svc,
                                         domain::event_scope scope,
                                         const std::function<void(std::function<void()>)>& set_stop,
                                         request_context& ctx);

}  // namespace carechat::net
