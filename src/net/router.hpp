// Maps a request target to a route and calls its handler. Routes (all JSON):
//   GET  /healthz
//   GET  /{tenant}/{instance}/patient/{patientId}/chat            list a page
//   POST /{tenant}/{instance}/patient/{patientId}/chat/inbound    patient -> care team
//   POST /{tenant}/{instance}/patient/{patientId}/chat/outbound   staff -> patient
//   GET  /{tenant}/{instance}/patient/{patientId}/chat/search
//   POST /{tenant}/{instance}/patient/{patientId}/chat/archive?archiveDate=ISO
//   POST /{tenant}/{instance}/patient/{patientId}/chat/restore
//   POST /{tenant}/{instance}/patient/{patientId}/chat/read        mark read / read receipts
//   GET  /{tenant}/{instance}/chat/unread                          staff inbox (badge data)
//   POST /oauth/token                                              OAuth client credentials (form body)
//   GET  .../chat/events and /{tenant}/{instance}/chat/events      WebSocket upgrades, handled by
//        http_session before routing (handlers/event_handlers); a plain GET gets a 400 here
// Thread-safety: stateless; runs on the calling connection's I/O thread.
#pragma once

#include <optional>

#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"

namespace carechat::net {

// What a request gets: a web route's response (a Beast message), or else an API reply, which the
// connection writes itself (format_reply_head + the body, no Beast serializer).
struct answer {
  std::optional<response> web;
  reply api;
};

// `ctx`: the request's context (its id for the audit rows; handlers record who asked). `peer`:
// the client's address (rate limits of the token endpoint).
asio::awaitable<answer> handle_request(const request& req, services& svc, request_context& ctx,
                                       std::string_view peer = {});

}  // namespace carechat::net
