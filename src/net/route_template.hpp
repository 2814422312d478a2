// The route template of a request target: what metrics and the request log name a request by,
// never its raw path (which holds patient ids). A fixed set known at start, so a metric has one
// series per template however many patients there are. Classified from the raw target's shape
// (segment count and literal segments), without decoding or allocating; a target that matches
// no template is `unmatched` (404s, scanners). Thread-safety: pure functions.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string_view>


namespace carechat::net {

enum class route_template : std::uint8_t {
  unmatched,
  healthz,
  readyz,
  oauth_token,
  app_page,
  portal_page,
  assets,
  chat_list,
  chat_inbound,
  chat_outbound,
  chat_search,
  chat_archive,
  chat_restore,
  chat_read,
  chat_events,
  attachment_upload,
  attachment_download,
  attachment_thumbnail,
  instance_unread,
  instance_events,
  webhook,
  webhook_disable,
  webhook_deliveries,
  webhook_redeliver,
  smart_launch,
  smart_callback,
  smart_session_renew,
  smart_session_end,
  jwks,
};

inline constexpr std::size_t route_template_count = static_cast<std::size_t>(route_template::jwks) + 1;

// The template as a label: "/{tenant}/{instance}/patient/{patientId}/chat/inbound", "unmatched".
std::string_view to_string(route_template r);

// The template of a request target (path and query; the query is ignored).
route_template classify_target(std::string_view target);

}  // namespace carechat::net
