#include "api/page_token.hpp"

#include <array>
#include <stdexcept>
#include <utility>

namespace carechat::api {
namespace {

using core::errc;
using domain::cursor;
using domain::cursor_kind;

// Plaintext layout, version 1 (integers big-endian):
//   [0] version  [1] kind  [2] dir (0 older, 1 newer)  [3] flags (bit 0: include_archived)
//   [4..5] page_size  [6..7] content_page_size  [8..15] anchor.created_at  [16..23] anchor.seq
//   search only: [24..25] query length n, then n query bytes, then zeros up to a multiple of
//   query_pad, so a token's length says little about its query's length.
constexpr std::uint8_t format_version = 1;
constexpr std::size_t fixed_size = 24;
constexpr std::size_t query_pad = 32;
constexpr std::size_t aead_overhead = 12 + 16;  // nonce and tag around the ciphertext (core::aead_seal)
constexpr std::size_t max_query_bytes = 1472;   // the longest padded query that keeps a token in bounds
static_assert((aead_overhead + fixed_size + 2 + max_query_bytes) * 4 / 3 <= page_token_codec::max_token_chars);
static_assert(max_query_bytes % query_pad == 0);

// Names the token's purpose in the associated data: another version, kind or chat cannot open it.
constexpr std::string_view aad_label = "carechat.page_token.v1";

std::string associated_data(const domain::chat_key& chat, cursor_kind kind) {
  std::string aad;
  aad.reserve(aad_label.size() + chat.tenant.size() + chat.instance.size() + chat.patient.size() + 5);
  // NUL cannot occur in path ids (core::is_path_id), so the separators keep the fields apart.
  aad.append(aad_label).append(1, '\0');
  aad.append(chat.tenant).append(1, '\0');
  aad.append(chat.instance).append(1, '\0');
  aad.append(chat.patient).append(1, '\0');
  aad.push_back(static_cast<char>(kind));
  return aad;
}

constexpr std::size_t padded(std::size_t n) { return (n + query_pad - 1) / query_pad * query_pad; }

void put_u16(core::bytes& out, unsigned v) {
  out.push_back(static_cast<std::uint8_t>(v >> 8));
  out.push_back(static_cast<std::uint8_t>(v));
}

void put_i64(core::bytes& out, std::int64_t v) {
  const auto u = static_cast<std::uint64_t>(v);
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(u >> shift));
}

unsigned get_u16(const std::uint8_t* p) { return static_cast<unsigned>(p[0]) << 8 | p[1]; }

std::int64_t get_i64(const std::uint8_t* p) {
  std::uint64_t u = 0;
  for (int i = 0; i < 8; ++i) u = u << 8 | p[i];
  return static_cast<std::int64_t>(u);
}

bool size_in_range(unsigned v) { return v >= 1 && v <= static_cast<unsigned>(page_token_codec::max_page_size); }

core::error invalid_token() {
  return core::make_error(errc::invalid_page_token, "pageToken is invalid or was issued for another chat or query");
}

}  // namespace

page_token_codec::page_token_codec(core::bytes key, core::random_source& rng) : key_(std::move(key)), rng_(rng) {
  if (key_.size() != core::aead_key_size) throw std::invalid_argument("page token key must be 32 bytes");
}

std::string page_token_codec::encode(const cursor& c, const domain::chat_key& chat) const {
  // Sizes outside the range decode() accepts would mint tokens the server itself rejects.
  if (!size_in_range(static_cast<unsigned>(c.page_size)) || !size_in_range(static_cast<unsigned>(c.content_page_size)))
    throw std::invalid_argument("cursor page size out of range for a page token");
  const bool search = c.kind == cursor_kind::search;
  if (search && c.query.size() > max_query_bytes) throw std::length_error("search query too long for a page token");

  core::bytes plain;
  plain.reserve(fixed_size + (search ? 2 + padded(c.query.size()) : 0));
  plain.push_back(format_version);
  plain.push_back(static_cast<std::uint8_t>(c.kind));
  plain.push_back(c.dir == domain::direction::newer ? 1 : 0);
  plain.push_back(c.include_archived ? 1 : 0);
  put_u16(plain, static_cast<unsigned>(c.page_size));
  put_u16(plain, static_cast<unsigned>(c.content_page_size));
  put_i64(plain, c.anchor.created_at);
  put_i64(plain, c.anchor.seq);
  if (search) {
    put_u16(plain, static_cast<unsigned>(c.query.size()));
    plain.insert(plain.end(), c.query.begin(), c.query.end());
    plain.resize(fixed_size + 2 + padded(c.query.size()), 0);
  }
  return core::base64url_encode(core::aead_seal(key_, plain, associated_data(chat, c.kind), rng_));
}

core::result<cursor> page_token_codec::decode(std::string_view token, const domain::chat_key& chat,
                                              cursor_kind expected) const {
  if (token.empty() || token.size() > max_token_chars) return invalid_token();
  const auto sealed = core::base64url_decode(token);
  if (!sealed) return invalid_token();
  // The kind is in the associated data: a token of another kind fails authentication here.
  const auto plain = core::aead_open(key_, *sealed, associated_data(chat, expected));
  if (!plain || plain->size() < fixed_size) return invalid_token();
  const std::uint8_t* p = plain->data();
  if (p[0] != format_version || p[1] != static_cast<std::uint8_t>(expected) || p[2] > 1 || p[3] > 1)
    return invalid_token();

  cursor c;
  c.kind = expected;
  c.dir = p[2] == 1 ? domain::direction::newer : domain::direction::older;
  c.include_archived = p[3] == 1;
  const unsigned page_size = get_u16(p + 4);
  const unsigned content_page_size = get_u16(p + 6);
  if (!size_in_range(page_size) || !size_in_range(content_page_size)) return invalid_token();
  c.page_size = static_cast<int>(page_size);
  c.content_page_size = static_cast<int>(content_page_size);
  c.anchor.created_at = get_i64(p + 8);
  c.anchor.seq = get_i64(p + 16);

  if (expected != cursor_kind::search) {
    if (plain->size() != fixed_size) return invalid_token();
    return c;
  }
  if (plain->size() < fixed_size + 2) return invalid_token();
  const std::size_t n = get_u16(p + fixed_size);
  if (n > max_query_bytes || plain->size() != fixed_size + 2 + padded(n)) return invalid_token();
  const std::uint8_t* q = p + fixed_size + 2;
  for (std::size_t i = n; i < padded(n); ++i)
    if (q[i] != 0) return invalid_token();
  c.query.assign(reinterpret_cast<const char*>(q), n);
  return c;
}

}  // namespace carechat::api
