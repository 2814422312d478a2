#include "domain/access_policy.hpp"

namespace carechat::domain {

std::string_view to_string(action a) noexcept {
  switch (a) {
    case action::read: return "read";
    case action::search: return "search";
    case action::send_inbound: return "send_inbound";
    case action::send_outbound: return "send_outbound";
    case action::archive: return "archive";
    case action::restore: return "restore";
  }
  return "read";
}

core::result<void> authorize(const principal& who, const chat_key& chat, action what) {
  using core::errc;
  if (who.tenant != chat.tenant || who.instance != chat.instance)
    return core::make_error(errc::forbidden, "this token is not valid for this tenant and instance");
  if (who.role == role::patient && who.patient_id != chat.patient)
    return core::make_error(errc::forbidden, "a patient token may only access that patient's own chat");

  bool allowed = false;
  switch (what) {
    case action::read:
    case action::search: allowed = true; break;
    case action::send_inbound: allowed = who.role == role::patient || who.role == role::client; break;
    case action::send_outbound: allowed = who.role == role::user || who.role == role::client; break;
    case action::archive:
    case action::restore: allowed = who.role == role::user; break;
  }
  if (!allowed)
    return core::make_error(errc::forbidden, "role '" + std::string(to_string(who.role)) + "' may not " +
                                                 std::string(to_string(what)) + " this chat");
  return {};
}

}  // namespace carechat::domain
