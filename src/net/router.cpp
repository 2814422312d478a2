#include "net/router.hpp"

#include <array>
#include <string>
#include <vector>

#include <boost/url/parse.hpp>

#include "core/ids.hpp"
#include "net/handlers/chat_handlers.hpp"
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

asio::awaitable<reply> dispatch(const request& req, services& svc) {
  auto url = boost::urls::parse_origin_form(req.target());
  if (!url) co_return error_reply(make_error(errc::bad_request, "malformed request target"));
  const auto segs = url->segments();  // percent-decoded

  if (segs.size() == 1 && segs.front() == "healthz") {
    if (req.method() != http::verb::get) {
      reply r = error_reply(make_error(errc::method_not_allowed, "use GET"));
      r.allow_get_only = true;
      co_return r;
    }
    co_return reply{200, R"({"status":"ok"})"};
  }

  // /{tenant}/{instance}/webhook[/...]: endpoint configuration and delivery log (admin)
  if (segs.size() >= 3 && segs.size() <= 6) {
    std::vector<std::string> s(segs.begin(), segs.end());
    if (s[2] == "webhook") {
      const auto params = url->params();
      co_return co_await webhook_route(req, svc, s, params);
    }
  }

  // /{tenant}/{instance}/chat/{unread|events}: every chat of an instance (staff)
  if (segs.size() == 4) {
    std::vector<std::string> s(segs.begin(), segs.end());
    if (s[2] != "chat" || (s[3] != "unread" && s[3] != "events")) co_return not_found();
    if (req.method() != http::verb::get) {
      reply r = error_reply(make_error(errc::method_not_allowed, "use GET"));
      r.allow_get_only = true;
      co_return r;
    }
    if (!core::is_path_id(s[0]) || !core::is_path_id(s[1]))
      co_return error_reply(make_error(errc::bad_request, "tenant and instance ids are 1-64 characters of [A-Za-z0-9._-]"));
    if (s[3] == "events") co_return websocket_only();
    // A named local, not a temporary: see "Pitfall" in docs/ARCHITECTURE.md.
    const instance_request ir{req, svc, s[0], s[1], url->params()};
    co_return co_await list_unread_chats(ir);
  }

  // /{tenant}/{instance}/patient/{patientId}/chat[/{suffix}]
  if (segs.size() < 5 || segs.size() > 6) co_return not_found();
  auto it = segs.begin();
  const std::string tenant = *it++;
  const std::string instance = *it++;
  const std::string patient_literal = *it++;
  const std::string patient = *it++;
  const std::string chat_literal = *it++;
  const std::string suffix = it != segs.end() ? std::string(*it) : std::string();
  if (patient_literal != "patient" || chat_literal != "chat") co_return not_found();

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
  if (!core::is_path_id(tenant) || !core::is_path_id(instance) || !core::is_path_id(patient))
    co_return error_reply(
        make_error(errc::bad_request, "tenant, instance and patient ids are 1-64 characters of [A-Za-z0-9._-]"));

  chat_request cr{req, svc, domain::chat_key{tenant, instance, patient}, url->params(), url->encoded_path()};
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

asio::awaitable<answer> handle_request(const request& req, services& svc) {
  answer out;
  out.web = serve_web(req, svc.web, svc.web_pages);
  if (!out.web) out.api = co_await dispatch(req, svc);
  co_return out;
}

}  // namespace carechat::net
