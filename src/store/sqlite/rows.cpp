#include "store/sqlite/rows.hpp"

#include <algorithm>

namespace carechat::store::sqlite {
namespace {

core::error corrupt(std::string_view what) {
  return core::make_error(core::errc::internal, "sqlite: unexpected value in column " + std::string(what));
}

std::optional<domain::client_type> client_type_from(std::string_view s) {
  if (s == "PATIENT") return domain::client_type::patient;
  if (s == "USER") return domain::client_type::user;
  return std::nullopt;
}

std::optional<std::string> optional_text(const statement& s, int col) {
  if (s.column_is_null(col)) return std::nullopt;
  return std::string(s.column_text(col));
}

std::optional<domain::message_kind> kind_from(std::int64_t v) {
  if (v == 0) return domain::message_kind::inbound;
  if (v == 1) return domain::message_kind::outbound;
  return std::nullopt;
}

constexpr domain::event_type event_types[] = {domain::event_type::message_created, domain::event_type::messages_read,
                                              domain::event_type::chat_archived, domain::event_type::chat_restored};

std::optional<domain::event_type> event_type_from(std::string_view s) {
  for (auto t : event_types)
    if (to_column(t) == s) return t;
  return std::nullopt;
}

// A party stored as (type, id, name) columns from `col`; nullopt when the type is NULL.
core::result<std::optional<domain::party>> read_party(const statement& s, int col, std::string_view what) {
  if (s.column_is_null(col)) return std::optional<domain::party>();
  const auto type = client_type_from(s.column_text(col));
  if (!type) return corrupt(what);
  return std::optional<domain::party>(
      domain::party{*type, std::string(s.column_text(col + 1)), optional_text(s, col + 2)});
}

}  // namespace

std::string_view to_column(domain::client_type t) noexcept {
  return t == domain::client_type::user ? "USER" : "PATIENT";
}

std::int64_t to_column(domain::message_kind k) noexcept { return k == domain::message_kind::inbound ? 0 : 1; }

// Spelled out here rather than taken from domain::to_string: the stored names are the schema's
// (events.type CHECK), and must not change when a wire name does.
std::string_view to_column(domain::event_type t) noexcept {
  switch (t) {
    case domain::event_type::message_created:
      return "message.created";
    case domain::event_type::messages_read:
      return "messages.read";
    case domain::event_type::chat_archived:
      return "chat.archived";
    case domain::event_type::chat_restored:
      return "chat.restored";
  }
  return "message.created";
}

void bind_optional_text(statement& s, int index, const std::optional<std::string>& value) {
  if (!value) return s.bind_null(index);
  s.bind_text(index, *value);
}

void bind_chat_key(statement& s, const domain::chat_key& chat) {
  s.bind_text(1, chat.tenant);
  s.bind_text(2, chat.instance);
  s.bind_text(3, chat.patient);
}

core::result<domain::message> read_message(const statement& s, int first) {
  // Columns from `first`: seq, external_id, kind, sender_type, sender_id, sender_name,
  // receiver_type, receiver_id, receiver_name, body, created_at, archived, read_at, read_by_type,
  // read_by_id, read_by_name.
  const int c = first;
  domain::message m;
  m.seq = s.column_int64(c + 0);
  m.external_id = std::string(s.column_text(c + 1));
  const auto kind = kind_from(s.column_int64(c + 2));
  if (!kind) return corrupt("messages.kind");
  m.kind = *kind;
  const auto sender = read_party(s, c + 3, "messages.sender_type");
  if (!sender) return sender.error();
  if (!*sender) return corrupt("messages.sender_type");
  m.sender = **sender;
  auto receiver = read_party(s, c + 6, "messages.receiver_type");
  if (!receiver) return receiver.error();
  m.receiver = std::move(*receiver);
  m.text = std::string(s.column_text(c + 9));
  m.created_at = s.column_int64(c + 10);
  m.archived = s.column_int64(c + 11) != 0;
  if (!s.column_is_null(c + 12)) {
    m.read_at = s.column_int64(c + 12);
    auto reader = read_party(s, c + 13, "messages.read_by_type");
    if (!reader) return reader.error();
    if (!*reader) return corrupt("messages.read_by_type");
    m.read_by = std::move(*reader);
  }
  return m;
}

core::result<domain::chat_event> read_event(const statement& s) {
  // Columns: position, type, at, tenant, instance, patient, reader_type, reader_id, reader_name,
  // read_kind, up_to_external_id, count, archive_before, message_seq, then the message columns.
  domain::chat_event e;
  e.position = s.column_int64(0);
  const auto type = event_type_from(s.column_text(1));
  if (!type) return corrupt("events.type");
  e.type = *type;
  e.at = s.column_int64(2);
  e.chat =
      domain::chat_key{std::string(s.column_text(3)), std::string(s.column_text(4)), std::string(s.column_text(5))};
  auto reader = read_party(s, 6, "events.reader_type");
  if (!reader) return reader.error();
  e.reader = std::move(*reader);
  if (!s.column_is_null(9)) {
    const auto kind = kind_from(s.column_int64(9));
    if (!kind) return corrupt("events.read_kind");
    e.read_kind = *kind;
  }
  e.up_to_external_id = std::string(s.column_text(10));  // NULL reads as ""
  e.count = s.column_int64(11);                          // NULL reads as 0
  if (!s.column_is_null(12)) e.archive_before = s.column_int64(12);
  if (!s.column_is_null(13)) {
    // The LEFT JOIN found no row only if the schema's reference was broken.
    if (s.column_is_null(14)) return corrupt("events.message_seq");
    auto m = read_message(s, 14);
    if (!m) return std::move(m).error();
    e.msg = std::move(*m);
  }
  return e;
}

core::result<domain::token_record> read_token(const statement& s) {
  // Columns: id, hash, tenant, instance, role, patient_id, user_id, display_name, created_at, revoked_at.
  domain::token_record t;
  t.id = std::string(s.column_text(0));
  const auto hash = s.column_blob(1);
  if (hash.size() != t.hash.size()) return corrupt("tokens.hash");
  std::copy(hash.begin(), hash.end(), t.hash.begin());
  const auto role = domain::role_from_string(s.column_text(4));
  if (!role) return corrupt("tokens.role");
  t.who.token_id = t.id;
  t.who.role = *role;
  t.who.tenant = std::string(s.column_text(2));
  t.who.instance = std::string(s.column_text(3));
  t.who.patient_id = std::string(s.column_text(5));  // NULL reads as empty, the principal's "none"
  t.who.user_id = std::string(s.column_text(6));
  t.who.display_name = std::string(s.column_text(7));
  t.created_at = s.column_int64(8);
  if (!s.column_is_null(9)) t.revoked_at = s.column_int64(9);
  return t;
}

core::result<domain::audit_row> read_audit(const statement& s) {
  // Columns: id, at, token_id, role, actor_id, action, tenant, instance, patient, outcome.
  domain::audit_row r;
  r.id = s.column_int64(0);
  r.entry.at = s.column_int64(1);
  r.entry.token_id = std::string(s.column_text(2));
  const auto role = domain::role_from_string(s.column_text(3));
  if (!role) return corrupt("audit_log.role");
  r.entry.actor_role = *role;
  r.entry.actor_id = std::string(s.column_text(4));
  r.entry.action = std::string(s.column_text(5));
  r.entry.chat =
      domain::chat_key{std::string(s.column_text(6)), std::string(s.column_text(7)), std::string(s.column_text(8))};
  r.entry.outcome = std::string(s.column_text(9));
  return r;
}

}  // namespace carechat::store::sqlite
