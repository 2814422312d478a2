// Response bodies, field for field as the reference API shows them (key order included).
// Written straight into one reserved string (api/json_writer): these run on every GET.
// Thread-safety: pure functions; page_token_codec is safe to share.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "api/page_token.hpp"
#include "domain/chat.hpp"
#include "domain/chat_service.hpp"
#include "domain/events.hpp"
#include "domain/principal.hpp"
#include "domain/store.hpp"

namespace carechat::api {

class json_writer;

// Who the JSON is for. Staff see who read a message (readBy); the patient sees only when.
enum class viewer { staff, patient };
viewer viewer_of(const domain::principal& who);

// {"sender":{...},"receiver":{...}|null,"message":...,"externalId":...,"createdAt":"...Z",
//  "readAt":"...Z"|null[,"readBy":{...}|null]}
// `receiver` is always present: the patient for outbound messages, null for inbound ones.
// `readBy` is written for staff viewers only.
std::string serialize_message(const domain::message& m, viewer v);

// {"meta":{"nextPageToken","prevPageToken","pageSize","found","unreadCount","firstUnreadExternalId","position"},
//  "content":[message...]}
// found is true exactly when content is non-empty; tokens are null when there is no such page.
std::string serialize_page(const domain::page_result& page, const page_token_codec& tokens,
                           const domain::chat_key& chat, viewer v);

// Same first four meta fields; content is [{"meta":{"nextPageToken","prevPageToken"},"message":{...}}],
// where a hit's tokens open the messages just older (next) and just newer (prev) than it.
std::string serialize_search(const domain::search_result& result, const page_token_codec& tokens,
                             const domain::chat_key& chat, viewer v);

// POST .../chat/read: {"marked":n,"readAt":"...Z","upToExternalId":"IM..."|null}
std::string serialize_read(const domain::read_receipt& r);

// GET /{tenant}/{instance}/chat/unread:
// {"meta":{"pageSize","found"},"content":[{"patientId","unreadCount","oldestUnreadAt","latestUnreadAt",
//  "latestMessageAt"}]}
std::string serialize_unread(const std::vector<domain::unread_chat>& chats, int page_size);

// One live event frame: {"position":n,"type":"message.created","patientId":...,"at":"...Z",...}
// with "message" (message.created), "direction","upToExternalId","count","readAt"[,"reader"]
// (messages.read), "archiveDate","count" (chat.archived), "count" (chat.restored).
std::string serialize_event(const domain::chat_event& e, viewer v);
// Control frames: replay finished ({"type":"ready","position":n}) and resume impossible
// ({"type":"resync_required","position":latest,"message":...}).
std::string serialize_ready(std::int64_t position, std::int64_t epoch);
// `epoch_changed`: the client resumed with another epoch (else its position was too old).
std::string serialize_resync_required(std::int64_t latest, std::int64_t epoch, bool epoch_changed);

// {"<field>":n}, e.g. {"archived":3} and {"restored":3}.
std::string serialize_count(std::string_view field, std::int64_t n);

// The message object, appended to `w`; shared by the serializers above.
void write_message(json_writer& w, const domain::message& m, viewer v);
// {"id","name","contentType","size","sha256","thumbnail"}: one attachment of a message, and the
// answer to an upload.
void write_attachment(json_writer& w, const domain::attachment_info& a);
std::string serialize_attachment(const domain::attachment_info& a);

}  // namespace carechat::api
