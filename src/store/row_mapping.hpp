// The mapping between stored rows and domain values that every backend shares: the stored
// spelling of enums, and how a message, an event, a token, an OAuth client and an audit row are read from their
// columns, so SQLite and PostgreSQL read them the same way. A backend supplies a Row adapter with
//   bool null(int col); std::string_view text(int col); std::int64_t int64(int col);
//   std::span<const std::uint8_t> blob(int col);  static constexpr std::string_view backend;
// (NULL reads as "" and 0). A value the schema's CHECK constraints should have excluded is
// reported as errc::internal, not guessed at. Thread-safety: pure functions.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/events.hpp"
#include "domain/principal.hpp"
#include "domain/store.hpp"

namespace carechat::store {

// The stored spelling of a party type ('PATIENT' | 'USER', as the reference API writes it).
std::string_view to_column(domain::client_type t) noexcept;
// messages.kind and events.read_kind: 0 inbound, 1 outbound.
std::int64_t to_column(domain::message_kind k) noexcept;
// events.type ('message.created', 'messages.read', 'chat.archived', 'chat.restored').
std::string_view to_column(domain::event_type t) noexcept;

std::optional<domain::client_type> client_type_from(std::string_view s) noexcept;
std::optional<domain::message_kind> kind_from(std::int64_t v) noexcept;
std::optional<domain::event_type> event_type_from(std::string_view s) noexcept;

core::error corrupt_column(std::string_view backend, std::string_view what);

// A party stored as (type, id, name) columns from `col`; nullopt when the type is NULL.
template <class Row>
core::result<std::optional<domain::party>> read_party(const Row& r, int col, std::string_view what) {
  if (r.null(col)) return std::optional<domain::party>();
  const auto type = client_type_from(r.text(col));
  if (!type) return corrupt_column(Row::backend, what);
  std::optional<std::string> name;
  if (!r.null(col + 2)) name = std::string(r.text(col + 2));
  return std::optional<domain::party>(domain::party{*type, std::string(r.text(col + 1)), std::move(name)});
}

// Columns from `first`: seq, external_id, kind, sender_type, sender_id, sender_name,
// receiver_type, receiver_id, receiver_name, body, created_at, archived, read_at, read_by_type,
// read_by_id, read_by_name, attachment_count (archived: 0/1 or a boolean, read through Row::int64).
// The attachments themselves are the backend's second lookup (only when the count is not 0).
template <class Row>
core::result<domain::message> read_message(const Row& r, int first = 0) {
  const int c = first;
  domain::message m;
  m.seq = r.int64(c + 0);
  m.external_id = std::string(r.text(c + 1));
  const auto kind = kind_from(r.int64(c + 2));
  if (!kind) return corrupt_column(Row::backend, "messages.kind");
  m.kind = *kind;
  const auto sender = read_party(r, c + 3, "messages.sender_type");
  if (!sender) return sender.error();
  if (!*sender) return corrupt_column(Row::backend, "messages.sender_type");
  m.sender = **sender;
  auto receiver = read_party(r, c + 6, "messages.receiver_type");
  if (!receiver) return receiver.error();
  m.receiver = std::move(*receiver);
  m.text = std::string(r.text(c + 9));
  m.created_at = r.int64(c + 10);
  m.archived = r.int64(c + 11) != 0;
  if (!r.null(c + 12)) {
    m.read_at = r.int64(c + 12);
    auto reader = read_party(r, c + 13, "messages.read_by_type");
    if (!reader) return reader.error();
    if (!*reader) return corrupt_column(Row::backend, "messages.read_by_type");
    m.read_by = std::move(*reader);
  }
  m.attachment_count = static_cast<std::int32_t>(r.int64(c + 16));
  return m;
}

// Columns: position, type, at, tenant, instance, patient, reader_type, reader_id, reader_name,
// read_kind, up_to_external_id, count, archive_before, message_seq, then the message columns
// (NULL unless message_seq is set).
template <class Row>
core::result<domain::chat_event> read_event(const Row& r) {
  domain::chat_event e;
  e.position = r.int64(0);
  const auto type = event_type_from(r.text(1));
  if (!type) return corrupt_column(Row::backend, "events.type");
  e.type = *type;
  e.at = r.int64(2);
  e.chat = domain::chat_key{std::string(r.text(3)), std::string(r.text(4)), std::string(r.text(5))};
  auto reader = read_party(r, 6, "events.reader_type");
  if (!reader) return reader.error();
  e.reader = std::move(*reader);
  if (!r.null(9)) {
    const auto kind = kind_from(r.int64(9));
    if (!kind) return corrupt_column(Row::backend, "events.read_kind");
    e.read_kind = *kind;
  }
  e.up_to_external_id = std::string(r.text(10));  // NULL reads as ""
  e.count = r.int64(11);                          // NULL reads as 0
  if (!r.null(12)) e.archive_before = r.int64(12);
  if (!r.null(13)) {
    // The LEFT JOIN found no row only if the schema's reference was broken.
    if (r.null(14)) return corrupt_column(Row::backend, "events.message_seq");
    auto m = read_message(r, 14);
    if (!m) return std::move(m).error();
    e.msg = std::move(*m);
  }
  return e;
}

// Columns from `first`: id, name, content_type, size, sha256, thumbnail (0/1 or a boolean).
template <class Row>
domain::attachment_info read_attachment_info(const Row& r, int first = 0) {
  domain::attachment_info a;
  a.id = std::string(r.text(first + 0));
  a.name = std::string(r.text(first + 1));
  a.content_type = std::string(r.text(first + 2));
  a.size = static_cast<std::uint64_t>(r.int64(first + 3));
  a.sha256 = std::string(r.text(first + 4));
  a.thumbnail = r.int64(first + 5) != 0;
  return a;
}

// Columns: id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at,
// expires_at, client_id.
template <class Row>
core::result<domain::token_record> read_token(const Row& r) {
  domain::token_record t;
  t.id = std::string(r.text(0));
  const auto hash = r.blob(1);
  if (hash.size() != t.hash.size()) return corrupt_column(Row::backend, "tokens.hash");
  std::copy(hash.begin(), hash.end(), t.hash.begin());
  const auto role = domain::role_from_string(r.text(4));
  if (!role) return corrupt_column(Row::backend, "tokens.role");
  t.who.token_id = t.id;
  t.who.role = *role;
  t.who.tenant = std::string(r.text(2));
  t.who.instance = std::string(r.text(3));
  t.who.patient_id = std::string(r.text(5));  // NULL reads as empty, the principal's "none"
  t.who.user_id = std::string(r.text(6));
  t.who.display_name = std::string(r.text(7));
  t.created_at = r.int64(8);
  if (!r.null(9)) t.revoked_at = r.int64(9);
  if (!r.null(10)) t.expires_at = r.int64(10);
  t.client_id = std::string(r.text(11));
  return t;
}

// Columns: id, tenant, instance, name, secret_hash, jwks, created_at, revoked_at.
template <class Row>
core::result<domain::oauth_client_record> read_oauth_client(const Row& r) {
  domain::oauth_client_record c;
  c.id = std::string(r.text(0));
  c.tenant = std::string(r.text(1));
  c.instance = std::string(r.text(2));
  c.name = std::string(r.text(3));
  if (!r.null(4)) {
    const auto hash = r.blob(4);
    core::sha256_digest d{};
    if (hash.size() != d.size()) return corrupt_column(Row::backend, "oauth_clients.secret_hash");
    std::copy(hash.begin(), hash.end(), d.begin());
    c.secret_hash = d;
  }
  c.jwks = std::string(r.text(5));
  if (!c.secret_hash && c.jwks.empty()) return corrupt_column(Row::backend, "oauth_clients.jwks");
  c.created_at = r.int64(6);
  if (!r.null(7)) c.revoked_at = r.int64(7);
  return c;
}

// Columns: id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome, request_id.
template <class Row>
core::result<domain::audit_row> read_audit(const Row& r) {
  domain::audit_row a;
  a.id = r.int64(0);
  a.entry.at = r.int64(1);
  a.entry.token_id = std::string(r.text(2));
  const auto role = domain::role_from_string(r.text(3));
  if (!role) return corrupt_column(Row::backend, "audit_log.role");
  a.entry.actor_role = *role;
  a.entry.actor_id = std::string(r.text(4));
  a.entry.action = std::string(r.text(5));
  a.entry.chat = domain::chat_key{std::string(r.text(6)), std::string(r.text(7)), std::string(r.text(8))};
  a.entry.outcome = std::string(r.text(9));
  if (!r.null(10)) a.entry.request_id = std::string(r.text(10));
  return a;
}

// Columns: those of read_audit, then chain_seq, prev_hash, row_hash (all NULL: an unchained row).
template <class Row>
core::result<domain::audit_row> read_linked_audit(const Row& r) {
  auto a = read_audit(r);
  if (!a) return a;
  if (r.null(11)) return a;
  domain::audit_link l;
  l.seq = r.int64(11);
  const auto prev = r.blob(12);
  if (prev.size() != l.prev_hash.size()) return corrupt_column(Row::backend, "audit_log.prev_hash of row id " + std::to_string(a->id));
  std::copy(prev.begin(), prev.end(), l.prev_hash.begin());
  const auto hash = r.blob(13);
  if (hash.size() != l.row_hash.size()) return corrupt_column(Row::backend, "audit_log.row_hash of row id " + std::to_string(a->id));
  std::copy(hash.begin(), hash.end(), l.row_hash.begin());
  a->link = l;
  return a;
}

}  // namespace carechat::store
