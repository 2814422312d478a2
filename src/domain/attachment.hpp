// Attachments (issue #14): a file uploaded first, then sent with a message by its id (the pattern
// of Matrix, Twilio and Welkin). An upload is recorded before its bytes arrive (pending), becomes
// clean once stored and scanned (or refused), and is used by at most one message, whose archive
// state it shares. The bytes live in a domain::blob_store under the attachment's id (its thumbnail
// under thumbnail_key(id)). Thread-safety: plain values and pure functions.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/attachment_info.hpp"
#include "domain/chat.hpp"

namespace carechat::domain {

// pending: recorded, bytes arriving or being scanned (a crash leaves it so; collected after 24 h).
// clean: stored and scanned; may be sent once. refused: infected or of a refused type; never
// served, collected. expired: picked for collection; never sent again.
enum class attachment_state { pending, clean, refused, expired };

std::string_view to_string(attachment_state s) noexcept;
std::optional<attachment_state> attachment_state_from(std::string_view s) noexcept;

// An attachment as the store keeps it.
struct attachment_record {
  attachment_info info;
  chat_key chat;
  std::string uploader_token;  // the token id that uploaded it: the only one that may send it
  attachment_state state = attachment_state::pending;
  core::unix_ms created_at = 0;
  std::optional<std::string> message_external_id;  // set once a message uses it
  bool archived = false;                           // its message is archived
};

// Limits from config (docs/api/attachments.md).
struct attachment_limits {
  std::uint64_t max_bytes = 25ull * 1024 * 1024;  // CARECHAT_ATTACHMENT_MAX_BYTES
  std::size_t max_per_message = 10;               // CARECHAT_ATTACHMENTS_PER_MESSAGE
  // CARECHAT_IMAGE_MAX_PIXELS: an image with more is refused (422) before a pixel is decoded: a
  // decompression bomb. 100 MP admits every phone camera's full-resolution photo.
  std::uint64_t max_image_pixels = 100'000'000;
  core::unix_ms unused_ttl_ms = 24ll * 3600 * 1000;  // an upload no message uses is deleted after this
};

// "AT" + 32 lowercase hex digits: creation time then random bits, as core::new_external_id.
std::string new_attachment_id(core::random_source& rng, core::unix_ms now);
bool is_attachment_id(std::string_view s);

// The blob key of an attachment's thumbnail.
std::string thumbnail_key(std::string_view id);

}  // namespace carechat::domain
