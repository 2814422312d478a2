// What every authenticated route does the same way: take the bearer secret from the request,
// resolve it (token cache first, on the calling thread; else the store, on the pool, filling the
// cache), and the errors around that (401, audit unavailable). Thread-safety: as the services
// they use.
#pragma once

#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/result.hpp"
#include "domain/access_policy.hpp"
#include "domain/chat.hpp"
#include "domain/principal.hpp"
#include "domain/store.hpp"
#include "net/asio.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"

namespace carechat::net {

// The secret of "Authorization: Bearer <token>", or none.
std::optional<std::string> bearer_secret(const request& req);

// 401 for a missing, malformed, unknown or revoked token (one message for all).
core::error unauthorized();
// 503 when the committer cannot take an audit row: nothing is disclosed unaudited.
core::error audit_unavailable();

// Queues the audit row of a request that did not reach the store's own audit (reads, downloads,
// requests refused before their write). False when the committer refused it: the caller then
// answers 503 rather than disclose anything unaudited.
// `request_id`: the request's X-Request-Id, kept in the row.
bool queue_audit(services& svc, const domain::principal& who, const domain::chat_key& chat, domain::action what,
                 std::string outcome, std::string_view request_id);

// The principal the token cache holds for `secret` (no store read), if any.
std::optional<domain::principal> cached_principal(services& svc, const std::string& secret);
// For code already on the pool: the cache's principal, else a store lookup (cached on success).
core::result<domain::principal> authenticate_with(services& svc, domain::store_reader& reader,
                                                  const std::string& secret);
// The cache's principal, else a trip to the pool for a store lookup.
asio::awaitable<core::result<domain::principal>> authenticate(services& svc, const std::string& secret);
// authenticate() for a handler that writes its own answers, with what the routed path does around
// it: no secret is a 401, a refusal is counted against the client's failed-authentication limit
// before the answer is written (note_refusal, net/rate_limit_gate), and the token id goes into ctx.
asio::awaitable<core::result<domain::principal>> authenticate_request(services& svc, request_context& ctx,
                                                                      const std::optional<std::string>& secret);

}  // namespace carechat::net
