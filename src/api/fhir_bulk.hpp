// The wire format of FHIR Bulk Data export (Bulk Data Access IG 2.0, docs/integration.md "FHIR Bulk
// Data export"): the kick-off's parameters and headers, the status manifest, and the NDJSON lines.
// Unknown or unsupported parameters are refused (400), not ignored: an export that silently
// ignored `patient=` or `_typeFilter=` would hand over more than was asked for.
// Thread-safety: pure functions.
#pragma once

#include <boost/url/params_view.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "domain/bulk_export.hpp"
#include "domain/store.hpp"

namespace carechat::api::fhir {

inline constexpr std::string_view ndjson_content_type = "application/fhir+ndjson";

// The Group id of a tenant's instance: "{tenant}.{instance}".
std::string export_group_id(std::string_view tenant, std::string_view instance);

struct export_kickoff {
  std::optional<core::unix_ms> since;
};

// Prefer must ask for respond-async; Accept, when given, must allow application/fhir+json;
// _type: Communication (comma-separated, repeatable); _since: one FHIR instant (a date and a time
// with seconds and a zone); _outputFormat: application/fhir+ndjson, application/ndjson or ndjson.
core::result<export_kickoff> parse_export_kickoff(boost::urls::params_view params,
                                                  std::optional<std::string_view> prefer,
                                                  std::optional<std::string_view> accept);

// The informational OperationOutcomes of a kick-off's 202 and a cancel's 202.
std::string export_accepted_outcome();
std::string export_deleted_outcome();

// The status answer of a complete job: base is the absolute service base ("http://host/fhir/R4").
// Its `output` lists the thread-header files first, then the message files (both of type
// Communication), so an importer that loads them in order meets each message's partOf target first.
std::string export_manifest(const domain::export_job& job, std::string_view base);

// The file URL of message file k (0-based) of a job, and the index a file name names (nullopt when
// it names none): "communication-{k+1}.ndjson".
std::string export_file_url(std::string_view base, std::string_view job_id, std::size_t k);
std::optional<std::size_t> export_file_index(std::string_view name);
// The same for thread-header file k: "communication-threads-{k+1}.ndjson".
std::string export_thread_file_url(std::string_view base, std::string_view job_id, std::size_t k);
std::optional<std::size_t> export_thread_file_index(std::string_view name);

// Appends one message as a Communication and a newline (one NDJSON line).
void append_ndjson_line(std::string& out, const domain::located_message& m, const domain::chat_key& chat);
// Appends one chat's thread header (fhir_resources.hpp thread_header, as the read API serves it) and
// a newline.
void append_ndjson_thread_line(std::string& out, const domain::export_thread& t, const std::string& tenant,
                               const std::string& instance);

}  // namespace carechat::api::fhir
