#include "net/route_template.hpp"

namespace carechat::net {
namespace {

constexpr std::array<std::string_view, route_template_count> names{
    "unmatched",
    "/healthz",
    "/readyz",
    "/oauth/token",
    "/app/{tenant}/{instance}/patient/{patientId}",
    "/portal/{tenant}/{instance}/patient/{patientId}",
    "/assets/{file}",
    "/{tenant}/{instance}/patient/{patientId}/chat",
    "/{tenant}/{instance}/patient/{patientId}/chat/inbound",
    "/{tenant}/{instance}/patient/{patientId}/chat/outbound",
    "/{tenant}/{instance}/patient/{patientId}/chat/search",
    "/{tenant}/{instance}/patient/{patientId}/chat/archive",
    "/{tenant}/{instance}/patient/{patientId}/chat/restore",
    "/{tenant}/{instance}/patient/{patientId}/chat/read",
    "/{tenant}/{instance}/patient/{patientId}/chat/events",
    "/{tenant}/{instance}/patient/{patientId}/chat/attachments",
    "/{tenant}/{instance}/patient/{patientId}/chat/attachments/{attachmentId}",
    "/{tenant}/{instance}/patient/{patientId}/chat/attachments/{attachmentId}/thumbnail",
    "/{tenant}/{instance}/chat/unread",
    "/{tenant}/{instance}/chat/events",
    "/{tenant}/{instance}/webhook",
    "/{tenant}/{instance}/webhook/disable",
    "/{tenant}/{instance}/webhook/deliveries",
    "/{tenant}/{instance}/webhook/deliveries/{eventId}/redeliver",
    "/smart/launch",
    "/smart/callback",
    "/smart/session/renew",
    "/smart/session/end",
    "/.well-known/jwks.json",
};

constexpr std::size_t max_segments = 8;

// Splits the path into at most max_segments + 1 segments (one more than any template has, so a
// longer path is seen as too long); returns how many.
std::size_t split(std::string_view path, std::array<std::string_view, max_segments + 1>& segs) {
  std::size_t n = 0;
  if (path.empty() || path.front() != '/') return 0;
  path.remove_prefix(1);
  while (n < segs.size()) {
    const auto slash = path.find('/');
    segs[n++] = path.substr(0, slash);
    if (slash == std::string_view::npos) break;
    path.remove_prefix(slash + 1);
  }
  return n;
}

route_template chat_suffix(std::string_view s) {
  if (s == "inbound") return route_template::chat_inbound;
  if (s == "outbound") return route_template::chat_outbound;
  if (s == "search") return route_template::chat_search;
  if (s == "archive") return route_template::chat_archive;
  if (s == "restore") return route_template::chat_restore;
  if (s == "read") return route_template::chat_read;
  if (s == "events") return route_template::chat_events;
  if (s == "attachments") return route_template::attachment_upload;
  return route_template::unmatched;
}

}  // namespace

std::string_view to_string(route_template r) { return names[static_cast<std::size_t>(r)]; }

route_template classify_target(std::string_view target) {
  const auto path = target.substr(0, target.find('?'));
  std::array<std::string_view, max_segments + 1> s{};
  const std::size_t n = split(path, s);
  if (n == 0) return route_template::unmatched;
  if (n == 1 && s[0] == "healthz") return route_template::healthz;
  if (n == 1 && s[0] == "readyz") return route_template::readyz;
  if (n == 2 && s[0] == "oauth" && s[1] == "token") return route_template::oauth_token;
  if (n == 2 && s[0] == "smart" && s[1] == "launch") return route_template::smart_launch;
  if (n == 2 && s[0] == "smart" && s[1] == "callback") return route_template::smart_callback;
  if (n == 3 && s[0] == "smart" && s[1] == "session" && s[2] == "renew") return route_template::smart_session_renew;
  if (n == 3 && s[0] == "smart" && s[1] == "session" && s[2] == "end") return route_template::smart_session_end;
  if (n == 2 && s[0] == ".well-known" && s[1] == "jwks.json") return route_template::jwks;
  if (s[0] == "assets" && n >= 2) return route_template::assets;
  if (n == 5 && s[3] == "patient" && (s[0] == "app" || s[0] == "portal"))
    return s[0] == "app" ? route_template::app_page : route_template::portal_page;
  if (n >= 3 && s[2] == "webhook") {
    if (n == 3) return route_template::webhook;
    if (n == 4 && s[3] == "disable") return route_template::webhook_disable;
    if (n == 4 && s[3] == "deliveries") return route_template::webhook_deliveries;
    if (n == 6 && s[3] == "deliveries" && s[5] == "redeliver") return route_template::webhook_redeliver;
    return route_template::unmatched;
  }
  if (n == 4 && s[2] == "chat") {
    if (s[3] == "unread") return route_template::instance_unread;
    if (s[3] == "events") return route_template::instance_events;
    return route_template::unmatched;
  }
  if (n < 5 || s[2] != "patient" || s[4] != "chat") return route_template::unmatched;
  if (n == 5) return route_template::chat_list;
  const auto suffix = chat_suffix(s[5]);
  if (n == 6) return suffix;
  if (suffix != route_template::attachment_upload) return route_template::unmatched;
  if (n == 7) return route_template::attachment_download;
  if (n == 8 && s[7] == "thumbnail") return route_template::attachment_thumbnail;
  return route_template::unmatched;
}

}  // namespace carechat::net
