// The attachment statements the SQLite writer and readers share (queries.hpp, "attachments"):
// checking and claiming a send's attachments, and filling messages' attachment lists.
// Thread-safety: a connection is used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "domain/attachment.hpp"
#include "domain/chat.hpp"
#include "store/sqlite/connection.hpp"

namespace carechat::store::sqlite {

// The send's attachments, in order, if each is a clean, unsent upload of chat row `chat_id` by
// token `token_id`; otherwise the error the send fails with (store.hpp, send_command).
core::result<std::vector<domain::attachment_info>> check_send_attachments(connection& db, std::int64_t chat_id,
                                                                          const std::string& token_id,
                                                                          std::span<const std::string> ids);
// Marks them used by message `seq`, in order.
core::result<void> use_attachments(connection& db, std::span<const std::string> ids, std::int64_t seq);

// Fills `attachments` of each message whose attachment_count is not 0.
core::result<void> fill_attachments(connection& db, std::span<domain::message> messages);

}  // namespace carechat::store::sqlite
