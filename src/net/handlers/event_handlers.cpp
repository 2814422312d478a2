#include "net/handlers/event_handlers.hpp"

#include <boost/url/parse.hpp>

#include "api/error_mapping.hpp"
#include "api/json_codec.hpp"
#include "api/request_parsing.hpp"
#include "core/ids.hpp"
#include "core/text.hpp"
#include "domain/access_policy.hpp"
#include "domain/chat_service.hpp"
#include "net/handlers/handler_support.hpp"
#include "net/rate_limit_gate.hpp"
#include "net/reply.hpp"
#include "net/websocket_session.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

constexpr std::string_view bearer_protocol_prefix = "bearer.";

// The token from "Sec-WebSocket-Protocol: carechat.v1, bearer.<token>" (browsers cannot set
// Authorization on a WebSocket), else from Authorization. `offered` says whether the client
// offered subprotocols, so the answer must pick one.
std::optional<std::string> websocket_secret(const request& req, bool& offered) {
  offered = false;
  if (auto it = req.find(http::field::sec_websocket_protocol); it != req.end()) {
    offered = true;
    for (const std::string_view item : core::split_list(it->value()))
      if (item.substr(0, bearer_protocol_prefix.size()) == bearer_protocol_prefix)
        return std::string(item.substr(bearer_protocol_prefix.size()));
  }
  return bearer_secret(req);
}

bool offers_carechat_protocol(const request& req) {
  auto it = req.find(http::field::sec_websocket_protocol);
  if (it == req.end()) return false;
  for (const std::string_view item : core::split_list(it->value()))
    if (item == "carechat.v1") return true;
  return false;
}

bool origin_allowed(const request& req, const websocket_options& opts) {
  auto it = req.find(http::field::origin);
  if (it == req.end()) return true;  // not a browser: Origin is a browser's promise, not auth
  const std::string_view origin = it->value();
  if (auto host = req.find(http::field::host); host != req.end()) {
    const std::string_view h = host->value();
    if (origin == "http://" + std::string(h) || origin == "https://" + std::string(h)) return true;
  }
  for (const auto& o : opts.allowed_origins)
    if (origin == o) return true;
  return false;
}

// Takes the error by value: callers pass temporaries, and a by-value coroutine parameter is moved
// into the frame properly (see "Pitfall" in docs/ARCHITECTURE.md).
template <class Stream>
asio::awaitable<bool> refuse(Stream& stream, request_context& ctx, const request& req, core::error e) {
  reply rep = error_reply(e);
  rep.request_id = ctx.id.view();
  add_retry_after(rep, ctx);
  ctx.status = rep.status;
  ctx.body_bytes = body_of(rep).size();
  response res = to_response(req.version(), false, std::move(rep));
  add_transport_headers<Stream>(res);
  co_await http::async_write(stream, res, use_tuple);
  co_return false;
}

// What a live connection keeps once it is admitted.
struct admitted_stream {
  api::viewer viewer;
  std::string token_id;  // whose live-connection slot it holds
  domain::resume_point after;
  bool offered = false;  // the client offered subprotocols: the 101 must pick one
};

// Everything before the upgrade: the Origin, authentication, the live-connects limit,
// authorization, the position, the subprotocol, a slot among the token's live connections and the
// audit row; the error to answer when refused (no slot is then held). A coroutine of its own so
// that what it needed is freed before the connection's long life: the frame that awaits the
// session stays as small as it can (figure 4, RSS per idle connection).
asio::awaitable<core::result<admitted_stream>> admit_event_stream(const request& req, services& svc,
                                                                  const domain::event_scope& scope,
                                                                  request_context& ctx) {
  if (!origin_allowed(req, svc.websocket)) co_return make_error(errc::forbidden, "this Origin may not open live connections");
  bool offered = false;
  const auto secret = websocket_secret(req, offered);
  auto who = co_await authenticate_request(svc, ctx, secret);
  if (!who) co_return who.error();
  auto url = boost::urls::parse_origin_form(req.target());
  auto after = api::parse_event_position(url->params());
  // The upgrade is refused (429) before it is audited or a slot is taken.
  if (auto over = take_token_limit(svc, ctx, rate_limit::live_connects, who->token_id)) co_return *over;

  const domain::chat_key audited{scope.tenant, scope.instance, scope.patient.value_or("*")};
  core::result<void> allowed =
      scope.patient ? domain::authorize(*who, audited, domain::action::subscribe)
                    : domain::authorize_instance(*who, scope.tenant, scope.instance, domain::instance_action::subscribe);
  if (allowed && !after) allowed = after.error();
  if (allowed && offered && !offers_carechat_protocol(req))
    allowed = make_error(errc::bad_request, "offer the carechat.v1 subprotocol with the bearer.<token> one");
  const bool slot_taken = allowed && svc.live.try_acquire(who->token_id, svc.websocket.max_per_token);
  if (allowed && !slot_taken)
    allowed = make_error(errc::too_many_requests, "too many live connections for this token (at most " +
                                                      std::to_string(svc.websocket.max_per_token) + ")");
  // Audited with its real outcome, refusals included, before anything is sent.
  auto audit = scope.patient ? domain::make_audit(*who, audited, domain::action::subscribe, svc.clock,
                                                  domain::audit_outcome(allowed))
                             : domain::make_instance_audit(*who, scope.tenant, scope.instance,
                                                           domain::to_string(domain::instance_action::subscribe),
                                                           svc.clock, domain::audit_outcome(allowed));
  audit.request_id = std::string(ctx.id.view());
  if (!svc.writer.submit(std::move(audit), {})) {
    if (slot_taken) svc.live.release(who->token_id);
    co_return audit_unavailable();
  }
  if (!allowed) co_return allowed.error();
  co_return admitted_stream{api::viewer_of(*who), who->token_id, *after, offered};
}

}  // namespace

template <class Stream>
asio::awaitable<bool> serve_event_stream(Stream& stream, const request& req, services& svc,
                                         domain::event_scope scope,
                                         const std::function<void(std::function<void()>)>& set_stop,
                                         request_context& ctx) {
  auto admitted = co_await admit_event_stream(req, svc, scope, ctx);
  if (!admitted) co_return co_await refuse(stream, ctx, req, admitted.error());
  // The slot admit_event_stream took is given back when the connection ends.
  struct release_slot {
    live_connections& live;
    std::string token;
    ~release_slot() { live.release(token); }
  } slot{svc.live, admitted->token_id};

  auto session = std::make_shared<websocket_session<Stream>>(websocket::stream<Stream>(std::move(stream)), svc,
                                                             std::move(scope), std::move(admitted->viewer));
  set_stop([weak = std::weak_ptr<websocket_session<Stream>>(session)] {
    if (auto s = weak.lock()) s->stop();
  });
  // The request's metrics and log line end at the upgrade (101), not when the connection closes.
  ctx.status = 101;
  ctx.answered_at = std::chrono::steady_clock::now();
  const std::string_view request_id = ctx.id.view();
  co_await session->run(req, admitted->after, admitted->offered, request_id);
  set_stop({});
  co_return true;
}

// The two transports (net/transport.hpp).
template asio::awaitable<bool> serve_event_stream(plain_stream&, const request&, services&, domain::event_scope,
                                                  const std::function<void(std::function<void()>)>&,
                                                  request_context&);
template asio::awaitable<bool> serve_event_stream(tls_stream&, const request&, services&, domain::event_scope,
                                                  const std::function<void(std::function<void()>)>&,
                                                  request_context&);

}  // namespace carechat::net
