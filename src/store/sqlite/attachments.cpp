#include "store/sqlite/attachments.hpp"

#include "store/sqlite/queries.hpp"
#include "store/sqlite/rows.hpp"

namespace carechat::store::sqlite {

using core::errc;
using core::make_error;

core::result<std::vector<domain::attachment_info>> check_send_attachments(connection& db, std::int64_t chat_id,
                                                                          const std::string& token_id,
                                                                          std::span<const std::string> ids) {
  std::vector<domain::attachment_info> out;
  out.reserve(ids.size());
  for (const std::string& id : ids) {
    auto s = db.prepared(queries::attachment_for_send);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, id);
    auto found = (*s)->step();
    if (!found) return std::move(found).error();
    // One message for "no such id" and "another chat's": an id reveals nothing beyond its chat.
    if (!*found || (*s)->column_int64(0) != chat_id)
      return make_error(errc::unprocessable, "attachment " + id + " is not an upload of this chat");
    if ((*s)->column_text(1) != token_id)
      return make_error(errc::unprocessable, "attachment " + id + " was uploaded with another token");
    if (!(*s)->column_is_null(3)) return make_error(errc::conflict, "attachment " + id + " was already sent");
    const auto state = domain::attachment_state_from((*s)->column_text(2));
    if (!state) return make_error(errc::internal, "sqlite: attachments.state holds an unknown value");
    if (*state == domain::attachment_state::pending)
      return make_error(errc::conflict, "attachment " + id + " is still being uploaded or scanned");
    if (*state != domain::attachment_state::clean)
      return make_error(errc::unprocessable, "attachment " + id + " was refused or has expired");
    out.push_back(store::read_attachment_info(row{**s}, 4));
  }
  return out;
}

core::result<void> use_attachments(connection& db, std::span<const std::string> ids, std::int64_t seq) {
  for (std::size_t i = 0; i < ids.size(); ++i) {
    auto s = db.prepared(queries::use_attachment);
    if (!s) return std::move(s).error();
    (*s)->bind_text(1, ids[i]);
    (*s)->bind_int64(2, seq);
    (*s)->bind_int64(3, static_cast<std::int64_t>(i));
    if (auto ok = (*s)->run(); !ok) return ok;
  }
  return {};
}

core::result<void> fill_attachments(connection& db, std::span<domain::message> messages) {
  for (domain::message& m : messages) {
    if (m.attachment_count == 0) continue;
    auto s = db.prepared(queries::attachments_of_message);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, m.seq);
    m.attachments.clear();
    for (;;) {
      auto r = (*s)->step();
      if (!r) return std::move(r).error();
      if (!*r) break;
      m.attachments.push_back(store::read_attachment_info(row{**s}));
    }
    if (m.attachments.size() != static_cast<std::size_t>(m.attachment_count))
      return make_error(errc::internal, "sqlite: a message's attachments do not match its attachment_count");
  }
  return {};
}

}  // namespace carechat::store::sqlite
