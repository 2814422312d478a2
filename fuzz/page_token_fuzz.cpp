// api::page_token_codec::decode opens the pageToken a client sends. Input: byte 0 picks the
// expected kind (bit 0: search) and the mode (bit 1):
//   clear: the rest is the token text, as a client sends it;
//   set:   the rest is a plaintext, sealed here for the fuzz chat and kind under the fuzz key, so
//          the layout checks behind AES-GCM authentication are reached (random tokens never are).
// Properties: a decoded cursor has the expected kind and sizes in range; re-encoding it yields a
// token that decodes to the same cursor, and not for another chat or kind.
#include <cstdlib>
#include <string>

#include "core/crypto.hpp"
#include "fuzz_support.hpp"

namespace {

using namespace carechat;
using domain::cursor_kind;

// Restates page_token.cpp's associated data (label, chat ids and kind, NUL-separated); the
// self-check in LLVMFuzzerInitialize stops the run if the two ever disagree.
std::string associated_data(const domain::chat_key& chat, cursor_kind kind) {
  std::string aad = "carechat.page_token.v1";
  for (const std::string* part : {&chat.tenant, &chat.instance, &chat.patient}) aad.append(1, '\0').append(*part);
  aad.append(1, '\0').push_back(static_cast<char>(kind));
  return aad;
}

std::string seal(std::span<const std::uint8_t> plain, cursor_kind kind) {
  static fuzz::counter_random rng;
  return core::base64url_encode(
      core::aead_seal(fuzz::fixed_page_token_key(), plain, associated_data(fuzz::fuzz_chat(), kind), rng));
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  domain::cursor c;
  c.kind = cursor_kind::search;
  c.query = "hello";
  const auto sealed = core::base64url_decode(fuzz::fuzz_codec().encode(c, fuzz::fuzz_chat()));
  if (!sealed || !core::aead_open(fuzz::fixed_page_token_key(), *sealed, associated_data(fuzz::fuzz_chat(), c.kind))) {
    std::fprintf(stderr, "page_token_fuzz: associated_data() no longer matches api/page_token.cpp\n");
    std::abort();
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const cursor_kind kind = data[0] & 1 ? cursor_kind::search : cursor_kind::messages;
  const bool plaintext = data[0] & 2;
  const std::span<const std::uint8_t> rest(data + 1, size - 1);
  const std::string token = plaintext ? seal(rest, kind) : std::string(fuzz::as_text(rest.data(), rest.size()));

  const auto& codec = fuzz::fuzz_codec();
  const auto& chat = fuzz::fuzz_chat();
  const auto c = codec.decode(token, chat, kind);
  if (!c) {
    FUZZ_CHECK(c.error().code == core::errc::invalid_page_token);
    return 0;
  }
  FUZZ_CHECK(c->kind == kind);
  FUZZ_CHECK(c->page_size >= 1 && c->page_size <= api::page_token_codec::max_page_size);
  FUZZ_CHECK(c->content_page_size >= 1 && c->content_page_size <= api::page_token_codec::max_page_size);
  if (kind != cursor_kind::search) FUZZ_CHECK(c->query.empty());

  const std::string again = codec.encode(*c, chat);
  FUZZ_CHECK(again.size() <= api::page_token_codec::max_token_chars);
  const auto back = codec.decode(again, chat, kind);
  FUZZ_CHECK(back.has_value() && *back == *c);
  const cursor_kind other_kind = kind == cursor_kind::search ? cursor_kind::messages : cursor_kind::search;
  FUZZ_CHECK(!codec.decode(again, chat, other_kind).has_value());
  domain::chat_key other_chat = chat;
  other_chat.patient += "x";
  FUZZ_CHECK(!codec.decode(again, other_chat, kind).has_value());
  return 0;
}
