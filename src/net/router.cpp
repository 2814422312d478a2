#include "net/router.hpp"

#include <array>
#include <string>
#include <vector>

#include <boost/url/parse.hpp>

#include "core/ids.hpp"
#include "net/handlers/chat_handlers.hpp"
#include "net/handlers/fhir_handlers.hpp"
#include "net/offload.hpp"
#include "net/handlers/oauth_handlers.hpp"
#include "net/handlers/smart_handlers.hpp"
#include "net/handlers/webhook_handlers.hpp"
#include "net/reply.hpp"
#include "net/web_routes.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

enum class chat_route { list, inbound, outbound, search, archive, restore, read, events };

struct route_method {
  std::string_view suffix;
  chat_route route;
  http::verb method;
};

constexpr std::array<route_method, 8> chat_routes{{
    {"", chat_route::list, http::verb::get},
    {"inbound", chat_route::inbound, http::verb::post},
    {"outbound", chat_route::outbound, http::verb::post},
    {"search", chat_route::search, http::verb::get},
    {"archive", chat_route::archive, http::verb::post},
    {"restore", chat_route::restore, http::verb::post},
    {"read", chat_route::read, http::verb::post},
    {"events", chat_route::events, http::verb::get},
}};

reply websocket_only() {
  return error_reply(make_error(errc::bad_request, "this endpoint is a WebSocket: connect with an Upgrade request"));
}


reply not_found() { return error_reply(make_error(errc::not_found, "no such route")); }

reply method_not_allowed_get_only() {
  reply r = error_reply(make_error(errc::method_not_allowed, "use GET"));
  r.allow_get_only = true;
  return r;
}

// `segs` are the target's percent-decoded path segments, `url` the parsed target (its query).
asio::awaitable<reply> dispatch(const request& req, services& svc, const boost::urls::url_view& url,
                                std::vector<std::string>& segs, request_context& ctx, std::string_view peer) {
  if (segs.size() == 1 && segs[0] == "healthz") {
    if (req.method() != http::verb::get) co_return method_not_allowed_get_only();
    co_return reply{200, R"({"status":"ok"})"};
  }
  // For load balancers: 200 while this node should get traffic (its database answers with the
  // schema this build runs on, and it is not stopping); 503 otherwise.
  if (segs.size() == 1 && segs[0] == "readyz") {
    if (req.method() != http::verb::get) co_return method_not_allowed_get_only();
    if (svc.draining.load()) co_return error_reply(make_error(errc::unavailable, "draining: this node is stopping"));
    auto ready = co_await run_blocking(svc.blocking, [&svc]() -> core::result<void> {
      auto lease = svc.readers.acquire();
      return lease->check_ready();
    });
    if (!ready) co_return error_reply(ready.error());
    co_return reply{200, R"({"status":"ready"})"};
  }

  if (segs.size() == 2 && segs[0] == "oauth" && segs[1] == "token") co_return co_await oauth_token(req, svc, ctx, peer);
  // /smart/...and /.well-known/jwks.json: SMART App Launch (handlers/smart_handlers)
  if (is_smart_path(segs)) co_return co_await smart_route(req, svc, ctx, url, segs);
  // /fhir/R4/...: the read-only FHIR facade (handlers/fhir_handlers)
  if (is_fhir_path(segs)) co_return co_await fhir_route(req, svc, ctx, url, segs);

  // /{tenant}/{instance}/webhook[/...]: endpoint configuration and delivery log (admin)
  if (segs.size() >= 3 && segs.size() <= 6 && segs[2] == "webhook") {
    const auto params = url.params();
    co_return co_await webhook_route(req, svc, segs, params, ctx);
  }

  // /{tenant}/{instance}/chat/{unread|events}: every chat of an instance (staff)
  if (segs.size() == 4) {
    if (segs[2] != "chat" || (segs[3] != "unread" && segs[3] != "events")) co_return not_found();
    if (req.method() != http::verb::get) co_return method_not_allowed_get_only();
    if (!core::is_path_id(segs[0]) || !core::is_path_id(segs[1]))
      co_return error_reply(make_error(errc::bad_request, "tenant and instance ids are 1-64 characters of [A-Za-z0-9._-]"));
    if (segs[3] == "events") co_return websocket_only();
    // A named local, not a temporary: see "Pitfall" in docs/ARCHITECTURE.md.
    const instance_request ir{req, svc, std::move(segs[0]), std::move(segs[1]), url.params(), ctx};
    co_return co_await list_unread_chats(ir);
  }

  // .../chat/attachments[/{id}[/thumbnail]]: http_session hands the well-formed ones with their
  // method to handlers/attachment_handlers before routing; what reaches here is refused.
  if (segs.size() >= 6 && segs.size() <= 8 && segs[2] == "patient" && segs[4] == "chat" &&
      segs[5] == "attachments") {
    const bool upload = segs.size() == 6;
    if (segs.size() == 8 && segs[7] != "thumbnail") co_return not_found();
    if (req.method() != (upload ? http::verb::post : http::verb::get)) {
      reply r = error_reply(make_error(errc::method_not_allowed, upload ? "use POST" : "use GET"));
      r.allow_post_only = upload;
      r.allow_get_only = !upload;
      co_return r;
    }
    co_return error_reply(make_error(errc::bad_request,
                                     "tenant, instance and patient ids are 1-64 characters of [A-Za-z0-9._-], "
                                     "attachment ids AT followed by 32 hex digits"));
  }

  // /{tenant}/{instance}/patient/{patientId}/chat[/{suffix}]
  if (segs.size() < 5 || segs.size() > 6) co_return not_found();
  if (segs[2] != "patient" || segs[4] != "chat") co_return not_found();
  const std::string_view suffix = segs.size() == 6 ? std::string_view(segs[5]) : std::string_view();

  const route_method* match = nullptr;
  for (const auto& rm : chat_routes)
    if (rm.suffix == suffix && (segs.size() == 6) == !rm.suffix.empty()) match = &rm;
  if (!match) co_return not_found();
  if (req.method() != match->method) {
    reply r = error_reply(make_error(errc::method_not_allowed,
                                     std::string("use ") + std::string(http::to_string(match->method))));
    r.allow_post_only = match->method == http::verb::post;
    r.allow_get_only = match->method == http::verb::get;
    co_return r;
  }
  if (!core::is_path_id(segs[0]) || !core::is_path_id(segs[1]) || !core::is_path_id(segs[3]))
    co_return error_reply(
        make_error(errc::bad_request, "tenant, instance and patient ids are 1-64 characters of [A-Za-z0-9._-]"));

  chat_request cr{req, svc, domain::chat_key{std::move(segs[0]), std::move(segs[1]), std::move(segs[3])}, url.params(),
                  url.encoded_path(), ctx};
  switch (match->route) {
    case chat_route::list: co_return co_await list_messages(cr);
    case chat_route::search: co_return co_await search_messages(cr);
    case chat_route::inbound: co_return co_await send_message(cr, domain::message_kind::inbound);
    case chat_route::outbound: co_return co_await send_message(cr, domain::message_kind::outbound);
    case chat_route::archive: co_return co_await archive_chat(cr);
    case chat_route::restore: co_return co_await restore_chat(cr);
    case chat_route::read: co_return co_await mark_read(cr);
    case chat_route::events: co_return websocket_only();
  }
  co_return not_found();
}

}  // namespace

asio::awaitable<answer> handle_request(const request& req, services& svc, request_context& ctx,
                                       std::string_view peer) {
  answer out;
  // The target is parsed and its path decoded once, for the web routes and the API alike.
  const auto url = boost::urls::parse_origin_form(req.target());
  if (!url) {
    out.api = error_reply(make_error(errc::bad_request, "malformed request target"));
    co_return out;
  }
  std::vector<std::string> segs;
  segs.reserve(8);
  for (auto&& seg : url->segments()) segs.emplace_back(seg);
  out.web = serve_web(req, segs, svc.web, svc.web_pages);
  if (!out.web) out.api = co_await dispatch(req, svc, *url, segs, ctx, peer);
  co_return out;
}

}  // namespace carechat::net
