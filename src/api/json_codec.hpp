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

namespace carechat::api {

class json_writer;

// {"sender":{...},"receiver":{...}|null,"message":...,"externalId":...,"createdAt":"...Z"}
// `receiver` is always present: the patient for outbound messages, null for inbound ones.
std::string serialize_message(const domain::message& m);

// {"meta":{"nextPageToken","prevPageToken","pageSize","found"},"content":[message...]}
// found is true exactly when content is non-empty; tokens are null when there is no such page.
std::string serialize_page(const domain::page_result& page, const page_token_codec& tokens,
                           const domain::chat_key& chat);

// Same meta; content is [{"meta":{"nextPageToken","prevPageToken"},"message":{...}}], where a hit's
// tokens open the messages just older (next) and just newer (prev) than it in GET .../chat.
std::string serialize_search(const domain::search_result& result, const page_token_codec& tokens,
                             const domain::chat_key& chat);

// {"<field>":n}, e.g. {"archived":3} and {"restored":3}.
std::string serialize_count(std::string_view field, std::int64_t n);

// The message object, appended to `w`; shared by the serializers above.
void write_message(json_writer& w, const domain::message& m);

}  // namespace carechat::api
