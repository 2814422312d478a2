// FHIR Bulk Data export (Bulk Data Access IG 2.0; docs/integration.md, "FHIR Bulk Data export"):
//   GET    /fhir/R4/Group/{tenant}.{instance}/$export         kick-off: 202 + Content-Location
//   GET    /fhir/R4/$export-status/{job}                       200 + the manifest
//   DELETE /fhir/R4/$export-status/{job}                       202: the job and its files are gone
//   GET    /fhir/R4/$export-file/{job}/communication-{n}.ndjson one file, read from the database now
// For staff tokens (user, admin, client) of that tenant and instance. The job lives in the
// database (domain::export_job_store), so any node answers any of these. The kick-off, each file
// and a cancel are audited (one instance row each, refusals too); the status is not (it names no
// patient and no message).
// Thread-safety: run on the calling connection's executor (its I/O thread).
#pragma once

#include <boost/url/url_view.hpp>
#include <string>
#include <vector>

#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"

namespace carechat::net {

// Whether decoded path segments (under /fhir/R4) are one of the routes above, any method.
bool is_fhir_bulk_path(const std::vector<std::string>& segs);

asio::awaitable<reply> fhir_bulk_route(const request& req, services& svc, request_context& ctx,
                                       const boost::urls::url_view& url, const std::vector<std::string>& segs);

}  // namespace carechat::net
