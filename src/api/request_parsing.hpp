// Requests -> domain request values: JSON bodies, query parameters, headers. Only the wire shape
// is checked here (types, syntax, duplicates); the domain checks meaning (lengths, ranges, roles).
// Thread-safety: pure functions; page_token_codec is safe to share.
#pragma once

#include <optional>
#include <string>
#include <vector>
#include <string_view>

#include <boost/url/params_view.hpp>

#include "api/page_token.hpp"
#include "core/clock.hpp"
#include "core/crypto.hpp"
#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/chat_service.hpp"

namespace carechat::api {

// POST .../chat/inbound and .../chat/outbound.
struct send_body {
  std::string text;                   // "message"
  std::optional<domain::party> sender;  // "sender": {id, titleName}; always client_type::user
  std::vector<std::string> attachment_ids;  // "attachmentIds": uploads to send with the message
};

// `content_type` must be application/json (any case; parameters allowed, a charset only if
// utf-8), else unsupported_media_type. The body must be a JSON object with a string "message"
// (which may be left out when "attachmentIds" lists some); "sender", if present and not null, an
// object with a string "id" and an optional string "titleName"; "attachmentIds", if present and
// not null, an array of at most 64 strings (the domain applies the real limit). Unknown fields are
// ignored so clients may send newer fields.
core::result<send_body> parse_send_body(std::string_view body, std::string_view content_type);

// Query strings. Take the params from boost::urls::url_view::params() (which decodes '+' as a
// space), or pass the raw query (without '?') to the overloads below. Known parameters given twice
// are rejected; unknown ones are ignored.

// GET .../chat: pageSize, pageToken (a messages token for `chat`), includeArchived.
core::result<domain::page_request> parse_page_request(boost::urls::params_view params, const page_token_codec& tokens,
                                                      const domain::chat_key& chat);
core::result<domain::page_request> parse_page_request(std::string_view raw_query, const page_token_codec& tokens,
                                                      const domain::chat_key& chat);

// GET .../chat/search: query, pageSize, contentPageSize, includeArchived, pageToken (a search token).
core::result<domain::search_request> parse_search_request(boost::urls::params_view params,
                                                          const page_token_codec& tokens,
                                                          const domain::chat_key& chat);
core::result<domain::search_request> parse_search_request(std::string_view raw_query, const page_token_codec& tokens,
                                                          const domain::chat_key& chat);

// POST .../chat/archive: the required archiveDate, ISO-8601 (core::parse_iso8601).
core::result<core::unix_ms> parse_archive_date(boost::urls::params_view params);
core::result<core::unix_ms> parse_archive_date(std::string_view raw_query);

// The Idempotency-Key header: absent -> nullopt; else 1..255 printable ASCII (0x21-0x7E).
// POST .../chat/read: an empty body, or a JSON object with optional "upTo" (externalId string) and
// "reader" ({id, titleName}, for clients marking as a staff user).
core::result<domain::mark_read_input> parse_read_body(std::string_view body, std::string_view content_type);

// pageSize of list routes (the unread inbox): absent, or a positive integer.
core::result<std::optional<int>> parse_list_page_size(boost::urls::params_view params);

// after=<position>[&epoch=<epoch>] of the live event endpoints: absent (live only), or
// non-negative integers; epoch only with after.
core::result<domain::resume_point> parse_event_position(boost::urls::params_view params);

core::result<std::optional<std::string>> parse_idempotency_key(std::optional<std::string_view> header);

// What an Idempotency-Key promises is the same request: SHA-256 over length-prefixed method, path
// and body, so no two different requests share a fingerprint by concatenation.
core::sha256_digest request_fingerprint(std::string_view method, std::string_view path, std::string_view body);

}  // namespace carechat::api
