#include "domain/attachment.hpp"

#include "core/ids.hpp"

namespace carechat::domain {

std::string_view to_string(attachment_state s) noexcept {
  switch (s) {
    case attachment_state::pending: return "pending";
    case attachment_state::clean: return "clean";
    case attachment_state::refused: return "refused";
    case attachment_state::expired: return "expired";
  }
  return "pending";
}

std::optional<attachment_state> attachment_state_from(std::string_view s) noexcept {
  for (auto st : {attachment_state::pending, attachment_state::clean, attachment_state::refused,
                  attachment_state::expired})
    if (to_string(st) == s) return st;
  return std::nullopt;
}

std::string new_attachment_id(core::random_source& rng, core::unix_ms now) {
  // The same layout as a message's externalId, with its own prefix: time-ordered (the index takes
  // each new id at its right edge), 80 random bits (unguessable).
  std::string id = core::new_external_id(rng, now);
  id[0] = 'A';
  id[1] = 'T';
  return id;
}

bool is_attachment_id(std::string_view s) {
  if (s.size() != 34 || s.substr(0, 2) != "AT") return false;
  std::string as_message = "IM";
  as_message += s.substr(2);
  return core::is_external_id(as_message);
}

std::string thumbnail_key(std::string_view id) { return std::string(id) + "-thumb"; }

}  // namespace carechat::domain
