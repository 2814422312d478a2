// The FHIR R4 facade's wire format: carechat's messages as Communication resources, a chat as its
// thread-header Communication (the Medplum model), a search page as a searchset Bundle, errors as
// OperationOutcome, and the server's CapabilityStatement. The mapping is documented in
// docs/integration.md ("FHIR R4"). Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/error.hpp"
#include "domain/chat.hpp"

namespace carechat::api::fhir {

inline constexpr std::string_view content_type = "application/fhir+json";

// "thread-" + the patient id: the id of a chat's thread-header Communication.
std::string thread_id(std::string_view patient);
// The patient a thread-header id names, if `id` is one ("thread-" followed by a path id).
std::optional<std::string> thread_patient(std::string_view id);

// urn:carechat:{tenant}:{instance}: the system of every message's identifier (its externalId).
std::string identifier_system(const domain::chat_key& chat);

// One message as a Communication.
std::string communication(const domain::message& m, const domain::chat_key& chat);

// A chat's thread header: no payload, no partOf; sent = its first message, meta.lastUpdated = its
// newest one.
struct thread_summary {
  domain::chat_key chat;
  core::unix_ms first_message_at = 0;
  core::unix_ms last_message_at = 0;
};
std::string thread_header(const thread_summary& t);

// A searchset Bundle of messages (oldest first). `base` is the absolute service base
// ("http://host/fhir/R4"): fullUrl is base + "/Communication/" + id. Links are absolute URLs.
struct searchset_links {
  std::string self;
  std::optional<std::string> next;
};
std::string communication_searchset(const std::vector<domain::message>& msgs, const domain::chat_key& chat,
                                    std::string_view base, const searchset_links& links);

// An error as an OperationOutcome (issue code from the error code: invalid, login, forbidden,
// not-found, not-supported, too-costly, transient, exception, processing).
std::string operation_outcome(const core::error& e);

// The CapabilityStatement of GET /fhir/R4/metadata; `base` as above, `now` its date.
std::string capability_statement(std::string_view base, core::unix_ms now);

}  // namespace carechat::api::fhir
