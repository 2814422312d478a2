// The read-only FHIR R4 facade over the chats (docs/integration.md, "FHIR R4"). The base URL is
// /fhir/R4: the tenant and instance are the bearer token's (every token belongs to one), so a URL
// names no tenant and a token cannot reach another's. Routes:
//   GET /fhir/R4/metadata                 CapabilityStatement (no token)
//   GET /fhir/R4/Communication?subject=Patient/{id}[&_count][&_lastUpdated][&include-archived][&_pageToken]
//   GET /fhir/R4/Communication/{id}       a message (its externalId), or thread-{patientId}: the chat's header
//   GET /fhir/R4/Binary/{id}              an attachment's bytes: streamed, so http_session hands it the
//                                         connection before routing (serve_fhir_binary)
// Like the chat routes they authenticate, authorize (domain::authorize), read on the pool and
// queue an audit row (refusals too); errors are OperationOutcome resources, application/fhir+json.
// Thread-safety: run on the calling connection's executor (its I/O thread).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include <boost/url/url_view.hpp>

#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"
#include "net/transport.hpp"

namespace carechat::net {

// Whether decoded path segments are under /fhir/R4.
// An error as the FHIR facade answers it: an OperationOutcome with the status of the one error
// table (http_session uses it for a 429 given to a /fhir/ target before routing).
reply fhir_error_reply(const core::error& e);

bool is_fhir_path(const std::vector<std::string>& segs);

// Every /fhir/R4 route but Binary reads; what reaches here for Binary (another method, a
// malformed id) is refused.
asio::awaitable<reply> fhir_route(const request& req, services& svc, request_context& ctx, const boost::urls::url_view& url,
                                  const std::vector<std::string>& segs);

// The Binary id of a request whose header was read, if it is GET /fhir/R4/Binary/{attachment id}.
std::optional<std::string> match_fhir_binary_route(const http::request_header<>& head);

// Answers the attachment's bytes with its content type (the download route's streaming, Range and
// ETag included), or an OperationOutcome. Returns whether the connection may serve another request.
// Stream: plain_stream or tls_stream (net/transport.hpp).
template <class Stream>
asio::awaitable<bool> serve_fhir_binary(Stream& stream, const request& req, services& svc, const std::string& id,
                                        request_context& ctx);

}  // namespace carechat::net
