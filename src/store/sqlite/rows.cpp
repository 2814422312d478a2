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

}  // namespace

std::string_view to_column(domain::client_type t) noexcept {
  return t == domain::client_type::user ? "USER" : "PATIENT";
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

core::result<domain::message> read_message(const statement& s) {
  // Columns: seq, external_id, kind, sender_type, sender_id, sender_name, receiver_type,
  // receiver_id, receiver_name, body, created_at, archived.
  domain::message m;
  m.seq = s.column_int64(0);
  m.external_id = std::string(s.column_text(1));
  const auto kind = s.column_int64(2);
  if (kind != 0 && kind != 1) return corrupt("messages.kind");
  m.kind = kind == 0 ? domain::message_kind::inbound : domain::message_kind::outbound;
  const auto sender_type = client_type_from(s.column_text(3));
  if (!sender_type) return corrupt("messages.sender_type");
  m.sender = domain::party{*sender_type, std::string(s.column_text(4)), optional_text(s, 5)};
  if (!s.column_is_null(6)) {
    const auto receiver_type = client_type_from(s.column_text(6));
    if (!receiver_type) return corrupt("messages.receiver_type");
    m.receiver = domain::party{*receiver_type, std::string(s.column_text(7)), optional_text(s, 8)};
  }
  m.text = std::string(s.column_text(9));
  m.created_at = s.column_int64(10);
  m.archived = s.column_int64(11) != 0;
  return m;
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
