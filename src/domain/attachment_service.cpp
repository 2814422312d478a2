#include "domain/attachment_service.hpp"

#include "domain/attachment_name.hpp"
#include "domain/chat_service.hpp"

namespace carechat::domain {

core::result<attachment_begin_command> prepare_upload(const principal& who, const chat_key& chat,
                                                      core::random_source& rng, const core::clock& clk) {
  if (auto ok = authorize(who, chat, action::upload_attachment); !ok) return std::move(ok).error();
  const core::unix_ms now = clk.now_ms();
  return attachment_begin_command{chat, new_attachment_id(rng, now), who.token_id, now};
}

attachment_finish_command finish_upload(const principal& who, const chat_key& chat, attachment_info info,
                                        attachment_state state, std::string outcome, const core::clock& clk) {
  info.name = sanitize_attachment_name(info.name);
  return attachment_finish_command{chat, std::move(info), state,
                                   make_audit(who, chat, action::upload_attachment, clk, std::move(outcome))};
}

core::result<void> check_download(const principal& who, const attachment_record& record, bool include_archived) {
  if (auto ok = authorize(who, record.chat, action::download_attachment); !ok) return std::move(ok).error();
  const bool visible = record.state == attachment_state::clean &&
                       (record.message_external_id ? (!record.archived || include_archived)
                                                   : record.uploader_token == who.token_id);
  if (!visible) return core::make_error(core::errc::not_found, "no such attachment in this chat");
  return {};
}

}  // namespace carechat::domain
