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
#include "net/request_context.hpp"
#include "net/services.hpp"

namespace carechat::net {

// The scope an events target names, if it is one.
std::optional<domain::event_scope> match_event_route(std::string_view target);

// Serves the upgrade request on `stream`; returns when the live connection has ended. `set_stop`
// receives the hook the server calls to close the connection on shutdown. `ctx`: the request's
// id (audited, echoed on a refusal), who asked and the answer's status (recorded here).
asio::awaitable<void> serve_event_stream(beast::tcp_stream& stream, const request& req, services& svc,
                                         domain::event_scope scope,
                                         const std::function<void(std::function<void()>)>& set_stop,
                                         request_context& ctx);

}  // namespace carechat::net
