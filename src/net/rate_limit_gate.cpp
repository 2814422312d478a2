#include "net/rate_limit_gate.hpp"

#include <array>
#include <boost/beast/websocket/rfc6455.hpp>
#include <vector>

#include "domain/store.hpp"
#include "net/route_template.hpp"

namespace carechat::net {
namespace {

// What per-address limit a request counts against, from its header; none for the others.
std::optional<rate_limit> limit_of(const http::request_header<>& head, route_template route) {
  const bool post = head.method() == http::verb::post;
  switch (route) {
    case route_template::chat_inbound:
    case route_template::chat_outbound:
      return post ? std::optional(rate_limit::sends) : std::nullopt;
    case route_template::chat_search:
      return rate_limit::searches;
    case route_template::attachment_upload:
      return post ? std::optional(rate_limit::uploads) : std::nullopt;
    case route_template::chat_events:
    case route_template::instance_events:
      return boost::beast::websocket::is_upgrade(head) ? std::optional(rate_limit::live_connects) : std::nullopt;
    default:
      return std::nullopt;
  }
}

// The limit's events, for the 429's message.
std::string_view what_of(rate_limit l) {
  static constexpr std::array<std::string_view, rate_limit_count> names = {"sends", "searches", "uploads",
                                                                           "live connects", "failed authentications"};
  return names[static_cast<std::size_t>(l)];
}

// Routes that never authenticate with a bearer token: the browser app's pages and files, the
// probes, POST /oauth/token (which limits its own failures), the SMART launch and callback and
// carechat's JWKS.
bool tokenless(route_template route) {
  switch (route) {
    case route_template::healthz:
    case route_template::readyz:
    case route_template::oauth_token:
    case route_template::app_page:
    case route_template::portal_page:
    case route_template::assets:
    case route_template::smart_launch:    // browser navigations from the EHR: no bearer token to guess;
    case route_template::smart_callback:  // pending launches are capped and single use
    case route_template::jwks:
      return true;
    default:
      return false;
  }
}

// The audit row of a failed authentication: no token (there is none to name, and never its
// secret), the client's address as the actor, no chat (an unauthenticated path names nothing
// trustworthy). Best effort: a refused row must not turn a 401 into a 503.
void audit_failure(services& svc, const request_context& ctx, std::string outcome) {
  domain::audit_entry e;
  e.at = svc.clock.now_ms();
  e.token_id = "-";
  e.actor_role = domain::role::client;
  e.actor_id = ctx.client.empty() ? std::string("-") : ctx.client;
  e.action = "auth_failed";
  e.outcome = std::move(outcome);
  e.request_id = std::string(ctx.id.view());
  (void)svc.writer.submit(std::move(e), {});
}

}  // namespace

core::error rate_limited(std::string_view what, std::chrono::seconds retry_after) {
  return core::make_error(core::errc::rate_limited, "too many " + std::string(what) + "; retry after " +
                                                        std::to_string(retry_after.count()) + " s");
}

std::optional<core::error> admit(services& svc, const http::request_header<>& head, std::string_view peer,
                                 request_context& ctx) {
  if (svc.rate_limits == nullptr) {
    ctx.client = std::string(peer);
    return std::nullopt;
  }
  rate_limiter& limits = *svc.rate_limits;
  std::vector<std::string_view> forwarded;
  if (!limits.proxies().empty()) {
    const auto [first, last] = head.equal_range("X-Forwarded-For");  // every such field, in order
    for (auto it = first; it != last; ++it) forwarded.push_back(it->value());
  }
  ctx.client = client_address(peer, forwarded, limits.proxies());
  if (tokenless(ctx.route)) return std::nullopt;
  const auto now = svc.clock.now_ms();
  if (auto locked = limits.auth_locked(ctx.client, now); !locked.allowed) {
    if (limits.audit_lockout(ctx.client, now))
      audit_failure(svc, ctx, std::string(core::to_string(core::errc::rate_limited)));
    ctx.retry_after = locked.retry_after;
    return rate_limited("failed authentications from this address", locked.retry_after);
  }
  const auto limit = limit_of(head, ctx.route);
  if (!limit) return std::nullopt;
  if (auto d = limits.take_address(*limit, ctx.client, now); !d.allowed) {
    ctx.retry_after = d.retry_after;
    return rate_limited(std::string(what_of(*limit)) + " from this address", d.retry_after);
  }
  return std::nullopt;
}

std::optional<core::error> take_token_limit(services& svc, request_context& ctx, rate_limit l,
                                            std::string_view token_id) {
  if (svc.rate_limits == nullptr) return std::nullopt;
  auto d = svc.rate_limits->take_token(l, token_id, svc.clock.now_ms());
  if (d.allowed) return std::nullopt;
  ctx.retry_after = d.retry_after;
  return rate_limited(std::string(what_of(l)) + " with this token", d.retry_after);
}

void note_answer(services& svc, request_context& ctx, unsigned status) {
  if (ctx.status != 0) status = ctx.status;
  if (status != 401 || ctx.route == route_template::oauth_token || ctx.auth_failure_noted) return;
  ctx.auth_failure_noted = true;
  if (svc.rate_limits != nullptr) (void)svc.rate_limits->note_auth_failure(ctx.client, svc.clock.now_ms());
  audit_failure(svc, ctx, std::string(core::to_string(core::errc::unauthorized)));
}

void note_refusal(services& svc, request_context& ctx, const core::error* refusal) {
  if (refusal != nullptr && refusal->code == core::errc::unauthorized) note_answer(svc, ctx, 401);
}

void add_retry_after(reply& rep, const request_context& ctx) {
  if (rep.status == 429 && ctx.retry_after && rep.retry_after.empty())
    rep.retry_after = std::to_string(ctx.retry_after->count());
}

}  // namespace carechat::net
