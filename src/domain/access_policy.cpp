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
    case action::mark_read: return "mark_read";
    case action::subscribe: return "subscribe";
    case action::upload_attachment: return "upload_attachment";
    case action::download_attachment: return "download_attachment";
  }
  return "read";
}

std::string_view to_string(instance_action a) noexcept {
  switch (a) {
    case instance_action::list_unread: return "list_unread";
    case instance_action::subscribe: return "subscribe_instance";
    case instance_action::configure_webhooks: return "configure_webhooks";
    case instance_action::bulk_export: return "bulk_export";
  }
  return "list_unread";
}

core::result<void> authorize(const principal& who, const chat_key& chat, action what) {
  using core::errc;
  if (who.tenant != chat.tenant || who.instance != chat.instance)
    return core::make_error(errc::forbidden, "this token is not valid for this tenant and instance");
  if (who.role == role::patient && who.patient_id != chat.patient)
    return core::make_error(errc::forbidden, "a patient token may only access that patient's own chat");
  if (is_bound_to_patient(who) && who.patient_id != chat.patient)
    return core::make_error(errc::forbidden, "this session was opened from another patient's chart");

  bool allowed = false;
  switch (what) {
    case action::read:
    case action::search:
    case action::mark_read:
    case action::subscribe:
    case action::upload_attachment:
    case action::download_attachment: allowed = true; break;
    case action::send_inbound: allowed = who.role == role::patient || who.role == role::client; break;
    case action::send_outbound: allowed = is_staff_member(who.role) || who.role == role::client; break;
    case action::archive:
    case action::restore: allowed = is_staff_member(who.role); break;
  }
  if (!allowed)
    return core::make_error(errc::forbidden, "role '" + std::string(to_string(who.role)) + "' may not " +
                                                 std::string(to_string(what)) + " this chat");
  return {};
}

core::result<void> authorize_instance(const principal& who, const std::string& tenant, const std::string& instance,
                                      instance_action what) {
  using core::errc;
  if (who.tenant != tenant || who.instance != instance)
    return core::make_error(errc::forbidden, "this token is not valid for this tenant and instance");
  if (who.role == role::patient)
    return core::make_error(errc::forbidden,
                            "role 'patient' may not " + std::string(to_string(what)) + " across patients' chats");
  if (is_bound_to_patient(who))
    return core::make_error(errc::forbidden, "a session opened from a patient's chart may not " +
                                                 std::string(to_string(what)) + " across patients' chats");
  if (what == instance_action::configure_webhooks && who.role != role::admin)
    return core::make_error(errc::forbidden, "role '" + std::string(to_string(who.role)) +
                                                 "' may not configure webhooks: that needs an admin token");
  return {};
}

}  // namespace carechat::domain
