// What the FHIR R4 routes share (handlers/fhir_handlers, handlers/fhir_bulk_handlers): answers as
// FHIR wants them and the absolute service base their URLs start with. Thread-safety: pure functions.
#pragma once

#include <string>

#include "core/error.hpp"
#include "net/reply.hpp"
#include "net/services.hpp"

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

}  // namespace carechat::net
