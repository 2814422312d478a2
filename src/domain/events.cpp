#include "domain/events.hpp"

namespace carechat::domain {

std::string_view to_string(event_type t) noexcept {
  switch (t) {
    case event_type::message_created: return "message.created";
    case event_type::messages_read: return "messages.read";
    case event_type::chat_archived: return "chat.archived";
    case event_type::chat_restored: return "chat.restored";
  }
  return "message.created";
}

}  // namespace carechat::domain
