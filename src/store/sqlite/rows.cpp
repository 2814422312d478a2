#include "store/sqlite/rows.hpp"

namespace carechat::store::sqlite {

void bind_optional_text(statement& s, int index, const std::optional<std::string>& value) {
  if (!value) return s.bind_null(index);
  s.bind_text(index, *value);
}

void bind_chat_key(statement& s, const domain::chat_key& chat) {
  s.bind_text(1, chat.tenant);
  s.bind_text(2, chat.instance);
  s.bind_text(3, chat.patient);
}

}  // namespace carechat::store::sqlite
