#include "domain/delta_walk.hpp"

#include <algorithm>
#include <limits>

#include "domain/access_policy.hpp"
#include "domain/chat_service.hpp"

namespace carechat::domain {

core::result<delta_page> read_delta_page(store_reader& reader, const principal& who, const chat_key& chat,
                                         const delta_request& req, const limits& lim) {
  if (auto ok = authorize(who, chat, action::read); !ok) return std::move(ok).error();
  if (req.from && (req.page_size || req.include_archived))
    return core::make_error(core::errc::bad_request, "_pageToken carries _count and include-archived: give neither");
  if (req.from && (req.from->kind != cursor_kind::fhir_communications || req.from->dir != direction::newer ||
                   req.from->page_size < 1 || req.from->page_size > lim.max_page_size))
    return core::make_error(core::errc::invalid_page_token, "_pageToken is not valid for this request");

  int size = 0;
  if (req.from) {
    size = req.from->page_size;
  } else {
    auto s = effective_page_size(req.page_size, lim, "_count");
    if (!s) return std::move(s).error();
    size = *s;
  }
  const bool include_archived = req.from ? req.from->include_archived : req.include_archived.value_or(false);

  // Start just past the later of the token's anchor and the lower bound ("strictly beyond
  // (min - 1, max seq)" is "created at min or later").
  std::optional<position> after;
  if (req.min_created && *req.min_created > std::numeric_limits<core::unix_ms>::min())
    after = position{*req.min_created - 1, std::numeric_limits<std::int64_t>::max()};
  if (req.from && (!after || req.from->anchor > *after)) after = req.from->anchor;

  delta_page out;
  out.page_size = size;
  if (req.min_created && req.max_created && *req.min_created > *req.max_created) return out;  // empty range
  // One more than a page: whether it exists (and is within the upper bound) says if a next page does.
  auto rows = reader.messages(page_query{chat, include_archived, after, direction::newer, size + 1});
  if (!rows) return std::move(rows).error();
  auto& msgs = *rows;
  if (req.max_created) {
    const auto past = std::find_if(msgs.begin(), msgs.end(),
                                   [&](const message& m) { return m.created_at > *req.max_created; });
    msgs.erase(past, msgs.end());
  }
  const bool more = msgs.size() > static_cast<std::size_t>(size);
  if (more) msgs.resize(static_cast<std::size_t>(size));
  if (more) {
    cursor c;
    c.kind = cursor_kind::fhir_communications;
    c.dir = direction::newer;
    c.anchor = msgs.back().pos();
    c.page_size = size;
    c.include_archived = include_archived;
    out.next = c;
  }
  out.messages = std::move(msgs);
  return out;
}

}  // namespace carechat::domain
