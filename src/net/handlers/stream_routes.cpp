#include "net/handlers/stream_routes.hpp"

#include <vector>

#include <boost/url/parse.hpp>

#include "core/ids.hpp"
#include "domain/attachment.hpp"

namespace carechat::net {

std::optional<attachment_target> match_attachment_route(const http::request_header<>& head) {
  // Every request asks this before routing: most answer no without parsing the target (a
  // percent-encoded one is parsed, since "%61ttachments" routes like "attachments").
  const std::string_view target = head.target();
  if (target.find("/attachments") == std::string_view::npos && target.find('%') == std::string_view::npos)
    return std::nullopt;
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  std::vector<std::string> segs;
  for (auto&& seg : url->segments()) {
    if (segs.size() == 8) return std::nullopt;
    segs.emplace_back(seg);
  }
  if (segs.size() < 6 || segs[2] != "patient" || segs[4] != "chat" || segs[5] != "attachments") return std::nullopt;
  if (!core::is_path_id(segs[0]) || !core::is_path_id(segs[1]) || !core::is_path_id(segs[3])) return std::nullopt;
  attachment_target t{domain::chat_key{segs[0], segs[1], segs[3]}, std::nullopt, false};
  if (segs.size() == 6) {
    if (head.method() != http::verb::post) return std::nullopt;
    return t;
  }
  if (head.method() != http::verb::get || !domain::is_attachment_id(segs[6])) return std::nullopt;
  if (segs.size() == 8 && segs[7] != "thumbnail") return std::nullopt;
  t.id = segs[6];
  t.thumbnail = segs.size() == 8;
  return t;
}

std::optional<domain::event_scope> match_event_route(std::string_view target) {
  auto url = boost::urls::parse_origin_form(target);
  if (!url) return std::nullopt;
  const auto segs = url->segments();
  std::vector<std::string> s(segs.begin(), segs.end());
  if (s.size() == 4 && s[2] == "chat" && s[3] == "events" && core::is_path_id(s[0]) && core::is_path_id(s[1]))
    return domain::event_scope{s[0], s[1], std::nullopt};
  if (s.size() == 6 && s[2] == "patient" && s[4] == "chat" && s[5] == "events" && core::is_path_id(s[0]) &&
      core::is_path_id(s[1]) && core::is_path_id(s[3]))
    return domain::event_scope{s[0], s[1], s[3]};
  return std::nullopt;
}

}  // namespace carechat::net
