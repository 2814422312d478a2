// Opaque page tokens: a domain::cursor sealed with AES-256-GCM and bound (as associated data) to
// one chat and one cursor kind, so a token reveals nothing and works nowhere else.
// Thread-safety: encode() and decode() are const and may run concurrently, provided the injected
// random_source may (core::openssl_random may).
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/cursor.hpp"

namespace carechat::api {

class page_token_codec {
 public:
  // Longer tokens are rejected before any decoding work; a default search token is far shorter.
  static constexpr std::size_t max_token_chars = 2048;
  // Sizes a token may carry. Must be at least domain::limits::max_page_size, or tokens the server
  // itself minted would fail to decode.
  static constexpr int max_page_size = 200;

  // `key` must be core::aead_key_size (32) bytes; anything else is a startup error
  // (std::invalid_argument). `rng` supplies nonces and must outlive the codec.
  page_token_codec(core::bytes key, core::random_source& rng);

  // A fresh random nonce each call, so two tokens for one cursor differ. Every cursor field is
  // stored except `query` on non-search cursors, which the domain never sets there (it is dropped).
  std::string encode(const domain::cursor& c, const domain::chat_key& chat) const;

  // errc::invalid_page_token, with one message for every cause (tampered, truncated, foreign
  // chat or kind, unknown version), so a probe learns nothing about why.
  core::result<domain::cursor> decode(std::string_view token, const domain::chat_key& chat,
                                      domain::cursor_kind expected) const;

 private:
  core::bytes key_;
  core::random_source& rng_;
};

}  // namespace carechat::api
