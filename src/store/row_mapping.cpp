#include "store/row_mapping.hpp"

namespace carechat::store {
namespace {

constexpr domain::event_type event_types[] = {domain::event_type::message_created, domain::event_type::messages_read,
                                              domain::event_type::chat_archived, domain::event_type::chat_restored};

}  // namespace

std::string_view to_column(domain::client_type t) noexcept {
  return t == domain::client_type::user ? "USER" : "PATIENT";
}

std::int64_t to_column(domain::message_kind k) noexcept { return k == domain::message_kind::inbound ? 0 : 1; }

// Spelled out here rather than taken from domain::to_string: the stored names are the schema's
// (events.type CHECK), and must not change when a wire name does.
std::string_view to_column(domain::event_type t) noexcept {
  switch (t) {
    case domain::event_type::message_created: return "message.created";
    case domain::event_type::messages_read: return "messages.read";
    case domain::event_type::chat_archived: return "chat.archived";
    case domain::event_type::chat_restored: return "chat.restored";
  }
  return "message.created";
}

std::optional<domain::client_type> client_type_from(std::string_view s) noexcept {
  if (s == "PATIENT") return domain::client_type::patient;
  if (s == "USER") return domain::client_type::user;
  return std::nullopt;
}

std::optional<domain::message_kind> kind_from(std::int64_t v) noexcept {
  if (v == 0) return domain::message_kind::inbound;
  if (v == 1) return domain::message_kind::outbound;
  return std::nullopt;
}

std::optional<domain::event_type> event_type_from(std::string_view s) noexcept {
  for (auto t : event_types)
    if (to_column(t) == s) return t;
  return std::nullopt;
}

core::error corrupt_column(std::string_view backend, std::string_view what) {
  return core::make_error(core::errc::internal,
                          std::string(backend) + ": unexpected value in column " + std::string(what));
}

}  // namespace carechat::store
