// The OAuth 2.0 token endpoint's wire format (RFC 6749 sections 2.3, 4.4, 5.1, 5.2): the request
// form read into what the endpoint needs, the success body and the error bodies. OAuth clients
// expect RFC 6749's error shape ({"error":"invalid_client","error_description":"..."}), so this
// endpoint answers with it instead of carechat's {"error":{"code","message"}}.
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace carechat::api {

// The one scope a client-credentials token carries: the `client` role of the client's
// tenant/instance. A request may name it or no scope at all.
inline constexpr std::string_view client_scope = "client";
inline constexpr std::string_view jwt_bearer_assertion_type = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer";

enum class oauth_error {
  invalid_request,          // 400: malformed, a missing or repeated parameter, two authentication methods
  invalid_client,           // 401: unknown client, wrong secret, bad assertion, revoked client
  invalid_grant,            // 400: (reserved for grants with a code or assertion grant)
  unsupported_grant_type,   // 400: anything but client_credentials
  invalid_scope,            // 400: a scope other than "client"
  too_many_requests,        // 429: too many failed attempts from this client or address (Retry-After)
  server_error,             // 500
  temporarily_unavailable,  // 503 (Retry-After)
};

std::string_view to_string(oauth_error e) noexcept;
unsigned http_status(oauth_error e) noexcept;

struct oauth_failure {
  oauth_error error = oauth_error::invalid_request;
  std::string description;  // for people; never a secret
};

// {"error":"...","error_description":"..."}
std::string oauth_error_body(const oauth_failure& f);
// {"access_token":"...","token_type":"Bearer","expires_in":N,"scope":"client"}
std::string oauth_token_body(std::string_view access_token, std::int64_t expires_in);

enum class client_auth_method { secret_basic, secret_post, private_key_jwt };
std::string_view to_string(client_auth_method m) noexcept;

struct token_request {
  client_auth_method method = client_auth_method::secret_basic;
  std::string client_id;   // may be empty for private_key_jwt (then the assertion's iss names it)
  std::string client_secret;
  std::string client_assertion;
};

// Reads a token request: `content_type` and `body` of the POST, `authorization` its Authorization
// header (empty when absent). Exactly one client authentication method (section 2.3).
std::variant<token_request, oauth_failure> parse_token_request(std::string_view content_type, std::string_view body,
                                                               std::string_view authorization);

}  // namespace carechat::api
