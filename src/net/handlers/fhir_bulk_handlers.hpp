// FHIR Bulk Data export (Bulk Data Access IG 2.0; docs/integration.md, "FHIR Bulk Data export"):
//   GET    /fhir/R4/Group/{tenant}.{instance}/$export         kick-off: 202 + Content-Location
//   GET    /fhir/R4/$export-status/{job}                       200 + the manifest
//   DELETE /fhir/R4/$export-status/{job}                       202: the job and its files are gone
//   GET    /fhir/R4/$export-file/{job}/communication-{n}.ndjson one file, read from the database now
//                                                      and streamed (chunked), so http_session hands
//                                                      it the connection before routing
// For staff tokens (user, admin, client) of that tenant and instance. The job lives in the
// database (domain::export_job_store), so any node answers any of these. The kick-off, each file
// and a cancel are audited (one instance row each, refusals too); the status is not (it names no
// patient and no message).
// Thread-safety: run on the calling connection's executor (its I/O thread).
#pragma once

#include <boost/url/url_view.hpp>
#include <optional>
#include <string>
#include <vector>

#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"
#include "net/transport.hpp"

namespace carechat::net {

// Whether decoded path segments (under /fhir/R4) are one of the routes above, any method.
bool is_fhir_bulk_path(const std::vector<std::string>& segs);

asio::awaitable<reply> fhir_bulk_route(const request& req, services& svc, request_context& ctx,
                                       const boost::urls::url_view& url, const std::vector<std::string>& segs);

// GET /fhir/R4/$export-file/{job}/{name}, matched on the header alone.
struct export_file_target {
  std::string job;
  std::string name;
};
std::optional<export_file_target> match_fhir_export_file_route(const http::request_header<>& head);

// Streams the file: authorizes and audits, then writes the head and the messages as they are read
// (200 at a time; HTTP/1.1 chunked, HTTP/1.0 to the connection's close), or an OperationOutcome.
// Returns whether the connection may serve another request. Stream: plain_stream or tls_stream.
template <class Stream>
asio::awaitable<bool> serve_fhir_export_file(Stream& stream, const request& req, services& svc,
                                             const export_file_target& target, request_context& ctx);

}  // namespace carechat::net
