// POST /oauth/token: the OAuth 2.0 client credentials grant (RFC 6749 section 4.4) for API
// clients registered with `carechat client create`. The client authenticates with
// client_secret_basic, client_secret_post or private_key_jwt; the answer is a bearer token for the
// `client` role of its tenant/instance, stored (hashed, with its expiry and the client's id) in the
// tokens table like any API token. Failed attempts are rate-limited per client id and per address
// (429 + Retry-After) and each one leaves an audit row (action "oauth_token").
// Thread-safety: runs on the calling connection's executor; oauth_services is shared, its members
// are thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "core/token_bucket.hpp"
#include "domain/assertion_replay_cache.hpp"
#include "net/asio.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"

namespace carechat::net {

struct services;

struct oauth_services {
  std::chrono::seconds token_ttl{3600};  // CARECHAT_OAUTH_TOKEN_TTL_S: expires_in of an issued token
  // What a client assertion's "aud" may name: the token endpoint's URL ({public_url}/oauth/token)
  // and the server's base URL (its issuer identifier).
  std::vector<std::string> assertion_audiences;
  core::keyed_token_bucket* failures = nullptr;          // failed attempts per "client:ID" and "addr:IP"
  domain::assertion_replay_cache* assertions = nullptr;  // used client assertion jtis
};

// `peer` is the client's address (the connection's remote IP), the rate limit's second key.
// `ctx`: the request's id goes into every audit row it leaves.
asio::awaitable<reply> oauth_token(const request& req, services& svc, request_context& ctx,
                                   std::string_view peer);

}  // namespace carechat::net
