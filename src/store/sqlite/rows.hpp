// Mapping between SQLite rows and domain values, shared by the reader and the writer so both read
// a message the same way. Thread-safety: pure functions over the given statement.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/events.hpp"
#include "domain/store.hpp"
#include "store/sqlite/statement.hpp"

namespace carechat::store::sqlite {

// The stored spelling of a party type ('PATIENT' | 'USER', as the reference API writes it).
std::string_view to_column(domain::client_type t) noexcept;
// messages.kind and events.read_kind: 0 inbound, 1 outbound.
std::int64_t to_column(domain::message_kind k) noexcept;
// events.type ('message.created', 'messages.read', 'chat.archived', 'chat.restored').
std::string_view to_column(domain::event_type t) noexcept;

// Binds an optional string as TEXT or NULL.
void bind_optional_text(statement& s, int index, const std::optional<std::string>& value);
// Binds ?1 tenant, ?2 instance, ?3 patient: the chat key every chat-scoped statement starts with.
void bind_chat_key(statement& s, const domain::chat_key& chat);

// The current row of a statement selecting the message columns (CARECHAT_MESSAGE_COLUMNS in
// queries.hpp), starting at column `first`. A value the schema's CHECK constraints should have
// excluded is reported as errc::internal, not guessed at.
core::result<domain::message> read_message(const statement& s, int first = 0);
// The current row of queries::events_after_chat / events_after_instance.
core::result<domain::chat_event> read_event(const statement& s);
// The current row of a statement selecting the token columns (queries.hpp).
core::result<domain::token_record> read_token(const statement& s);
// The current row of queries::audit_for_patient.
core::result<domain::audit_row> read_audit(const statement& s);

}  // namespace carechat::store::sqlite
