// SMART App Launch 2.x on the wire (hl7.org/fhir/smart-app-launch): the EHR's
// .well-known/smart-configuration, its token response, the issuer allow-list carechat is
// configured with, and the fhirUser reference the id_token names. JSON in, plain values out;
// every document comes from a place we do not control, so each is bounded and checked.
// Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace carechat::api::smart {

inline constexpr std::size_t max_document_bytes = 64 * 1024;

// The parts of .well-known/smart-configuration carechat uses.
struct smart_configuration {
  std::string authorization_endpoint;
  std::string token_endpoint;
  std::string jwks_uri;  // where the id_token's keys are; required (carechat asks for openid)
};
// errc::unavailable (the EHR cannot be used now) when a member is missing or not an http(s) URL, or S256 is not among
// code_challenge_methods_supported (PKCE S256 is mandatory in SMART 2.x).
core::result<smart_configuration> parse_smart_configuration(std::string_view text);

// The token endpoint's success answer (RFC 6749 5.1 plus SMART's launch context).
struct token_response {
  std::string id_token;  // required: carechat asks for "openid fhirUser"
  std::string patient;   // the launch's patient context ("patient"), may be empty
  std::string scope;
};
core::result<token_response> parse_token_response(std::string_view text);

enum class client_auth { private_key_jwt, client_secret };

// One EHR allowed to launch carechat: its FHIR base URL (the launch's "iss", compared exactly,
// without a trailing slash) and where its launches lead.
struct issuer {
  std::string iss;
  std::string tenant;
  std::string instance;
  std::string client_id;                     // carechat's client_id registered at that EHR
  client_auth auth = client_auth::private_key_jwt;
  std::string client_secret;                 // client_secret only: read from client_secret_file
  std::string client_secret_file;
  std::vector<std::string> extra_scopes;     // asked for besides launch openid fhirUser patient/...
};

// {"issuers":[{"iss","tenant","instance","client_id","auth":"private_key_jwt"|"client_secret",
// "client_secret_file","scopes":[...]}]}. Errors name the entry. The secret file is not read here.
core::result<std::vector<issuer>> parse_issuers(std::string_view text);

// "https://ehr/fhir/" -> "https://ehr/fhir": issuers compare without a trailing slash.
std::string normalize_issuer(std::string_view iss);

// fhirUser: an absolute or relative reference to Practitioner/{id}, Patient/{id} or
// RelatedPerson/{id}; the id must be a carechat path id (1-64 of [A-Za-z0-9._-]).
struct fhir_user {
  enum class kind { practitioner, patient, related_person } type = kind::practitioner;
  std::string id;
};
std::optional<fhir_user> parse_fhir_user(std::string_view reference);

}  // namespace carechat::api::smart
