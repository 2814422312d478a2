// SQLite's side of the row mapping (store/row_mapping): a statement's current row as the shared
// Row adapter, and the binding helpers the statements share. Thread-safety: pure functions over
// the given statement.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/events.hpp"
#include "domain/store.hpp"
#include "store/row_mapping.hpp"
#include "store/sqlite/statement.hpp"

namespace carechat::store::sqlite {

using store::to_column;

// The current row of a statement, as store/row_mapping reads rows.
struct row {
  static constexpr std::string_view backend = "sqlite";
  const statement& s;
  bool null(int col) const { return s.column_is_null(col); }
  std::string_view text(int col) const { return s.column_text(col); }
  std::int64_t int64(int col) const { return s.column_int64(col); }
  std::span<const std::uint8_t> blob(int col) const { return s.column_blob(col); }
};

// Binds an optional string as TEXT or NULL.
void bind_optional_text(statement& s, int index, const std::optional<std::string>& value);
// Binds ?1 tenant, ?2 instance, ?3 patient: the chat key every chat-scoped statement starts with.
void bind_chat_key(statement& s, const domain::chat_key& chat);

// The current row of a statement selecting the message columns (CARECHAT_MESSAGE_COLUMNS in
// queries.hpp), starting at column `first`.
inline core::result<domain::message> read_message(const statement& s, int first = 0) {
  return store::read_message(row{s}, first);
}
// The current row of queries::events_after_chat / events_after_instance.
inline core::result<domain::chat_event> read_event(const statement& s) { return store::read_event(row{s}); }
// The current row of a statement selecting the token columns (queries.hpp).
inline core::result<domain::token_record> read_token(const statement& s) { return store::read_token(row{s}); }
// The current row of a statement selecting the OAuth client columns (queries.hpp).
inline core::result<domain::oauth_client_record> read_oauth_client(const statement& s) {
  return store::read_oauth_client(row{s});
}
// The current row of queries::audit_for_patient.
inline core::result<domain::audit_row> read_audit(const statement& s) { return store::read_audit(row{s}); }
// The current row of a statement selecting CARECHAT_AUDIT_LINKED_COLUMNS (queries.hpp).
inline core::result<domain::audit_row> read_linked_audit(const statement& s) {
  return store::read_linked_audit(row{s});
}

}  // namespace carechat::store::sqlite
