// Where http_session and the handlers apply the abuse limits of net/rate_limits: before a request
// is routed (its client address, per-address limits, an address locked out by failed
// authentications), once a handler knows the token (per-token limits), and after the answer
// (a 401 counts, and is audited, as a failed authentication).
// Thread-safety: as services; a request_context is its connection's.
#pragma once

#include <optional>
#include <string_view>

#include "core/error.hpp"
#include "net/asio.hpp"
#include "net/rate_limits.hpp"
#include "net/reply.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"

namespace carechat::net {

// The 429 of an abuse limit (ctx.retry_after holds its Retry-After).
core::error rate_limited(std::string_view what, std::chrono::seconds retry_after);

// Before routing, from the request's header: sets ctx.client (from `peer` and, behind a trusted
// proxy, X-Forwarded-For), then refuses (429, ctx.retry_after set) an address locked out by failed
// authentications on any API route, or over its per-address limit for what the request is (a
// send, a search, an upload, a live connect). None: go on.
std::optional<core::error> admit(services& svc, const http::request_header<>& head, std::string_view peer,
                                 request_context& ctx);

// After authentication: one event of `l` for the token; a 429 (ctx.retry_after set) when over.
std::optional<core::error> take_token_limit(services& svc, request_context& ctx, rate_limit l,
                                            std::string_view token_id);

// A 401 (anything but POST /oauth/token) is a failed authentication from ctx.client: counted
// against its limit and audited (action "auth_failed"), once per request. Noted before the
// answer is written, so a client's next request already meets the count: http_session notes a
// routed answer's status; handlers that write their own answers call note_refusal with the error
// they are about to send (nullptr: none). note_answer after the answer catches any other 401.
void note_answer(services& svc, request_context& ctx, unsigned status);
void note_refusal(services& svc, request_context& ctx, const core::error* refusal);

// A reply's Retry-After from ctx, when it is a 429 of an abuse limit.
void add_retry_after(reply& rep, const request_context& ctx);

}  // namespace carechat::net
