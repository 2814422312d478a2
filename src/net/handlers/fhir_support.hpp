// What the FHIR R4 routes share (handlers/fhir_handlers, handlers/fhir_bulk_handlers): answers as
// FHIR wants them and the absolute service base their URLs start with. Thread-safety: pure functions.
#pragma once

#include <array>
#include <chrono>
#include <string>

#include "core/error.hpp"
#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"
#include "net/transport.hpp"

namespace carechat::net {

// An error as FHIR wants it: an OperationOutcome with the status of the one error table. Storage
// and internal failures go to the log and the client gets a generic sentence (as error_reply).
reply outcome_reply(const core::error& e);

// 200 with a FHIR JSON body.
reply resource_reply(std::string body);

// The absolute origin ("https://host") the links and fullUrls use: the request's Host (checked by
// net/host_header before routing), https when this server speaks TLS or a TLS-terminating proxy
// says so.
std::string service_origin(const request& req, const services& svc);

// service_origin + "/fhir/R4".
std::string service_base(const request& req, const services& svc);

// For the routes that write to the connection themselves (Binary, an export's files): writes `e`
// as an OperationOutcome answer. Returns whether the connection may serve another request.
// Stream: plain_stream or tls_stream (net/transport.hpp).
template <class Stream>
asio::awaitable<bool> write_outcome(Stream& stream, request_context& ctx, const request& req, const core::error& e) {
  reply rep = outcome_reply(e);
  rep.request_id = ctx.id.view();
  ctx.status = rep.status;
  ctx.body_bytes = body_of(rep).size();
  const bool keep = req.keep_alive();
  std::string head;
  format_reply_head(head, req.version(), keep, rep);
  add_transport_headers<Stream>(head);
  const std::array<asio::const_buffer, 2> bytes{asio::buffer(head), asio::buffer(body_of(rep))};
  beast::get_lowest_layer(stream).expires_after(std::chrono::seconds(30));
  auto [ec, n] = co_await asio::async_write(stream, bytes, use_tuple);
  co_return !ec && keep;
}

}  // namespace carechat::net
