// OAuth 2.0 API clients (RFC 6749 section 4.4, client credentials): the registration an operator
// creates with `carechat client create`, and the short-lived bearer tokens the token endpoint
// issues to it. A client authenticates with a secret (shown once, stored as its SHA-256 like API
// tokens: it carries 256 random bits, so a slow password hash would add nothing) or with a JWT
// signed by a key of its registered JWKS (private_key_jwt; the JWKS is kept as text, api/jose
// parses it). Its tokens are ordinary rows of the tokens table with an expiry and the client's id,
// so the token cache, `token revoke` and the revocation watch apply to them unchanged.
// Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/authentication.hpp"
#include "domain/store.hpp"

namespace carechat::domain {

struct issued_client {
  std::string secret;  // empty for a private_key_jwt client; else shown once, never stored
  oauth_client_record record;
};

// Validates (tenant, instance ids; a name of at most 200 characters) and mints a client id
// ("cl_" + 16 hex digits) and, without `jwks`, a secret ("ccs_" + base64url of 32 random bytes).
// `jwks` must already have been checked (api/jose/jwks::parse).
core::result<issued_client> create_client(const std::string& tenant, const std::string& instance,
                                          const std::string& name, std::optional<std::string> jwks,
                                          core::random_source& rng, const core::clock& clk);

// Whether `secret` is `client`'s: a secret client, not revoked, the hash equal in constant time.
bool client_secret_matches(const oauth_client_record& client, std::string_view secret);

// A bearer token for the client role of the client's tenant/instance, expiring `ttl` from now
// (stored with `client.id`, so revoking the client ends it).
core::result<issued_token> issue_client_token(const oauth_client_record& client, std::chrono::seconds ttl,
                                              core::random_source& rng, const core::clock& clk);

}  // namespace carechat::domain
