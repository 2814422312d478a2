// Who may do what to which chat: the one place the role rules live. Every route calls authorize()
// before touching a chat. Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "core/result.hpp"
#include "domain/chat.hpp"
#include "domain/principal.hpp"

namespace carechat::domain {

enum class action {
  read,
  search,
  send_inbound,
  send_outbound,
  archive,
  restore,
  mark_read,
  subscribe,
  upload_attachment,    // store a file to send with a message (issue #14)
  download_attachment,  // read an attachment's bytes or its thumbnail
};

// Actions over every chat of a tenant's instance (the staff inbox and its live stream).
// bulk_export: FHIR Bulk Data $export of every chat of the instance (its kick-off, status, files).
enum class instance_action { list_unread, subscribe, configure_webhooks, bulk_export };

std::string_view to_string(action a) noexcept;

// Tenant/instance mismatch, a patient token on another patient's chat, or a staff session bound to
// one patient (a SMART launch from that patient's chart) on another chat: forbidden. Then:
//   read, search     patient (own chat), user, client
//   send_inbound     patient (own chat), client
// An admin may do everything a user may.
//   send_outbound    user, client (naming the sending staff user)
//   archive/restore  user only ("restricted from the API clients" in the reference)
//   mark_read        patient (own chat: read receipts), user, client
//   subscribe        as read: live events of this chat
//   upload_attachment   whoever may send in this chat: patient (own chat), user, client
//   download_attachment as read
core::result<void> authorize(const principal& who, const chat_key& chat, action what);

// Instance-wide actions are for staff not bound to one patient: user, admin and client, of that tenant and instance;
// configure_webhooks (endpoint, deliveries, redelivery) is for admin only.
core::result<void> authorize_instance(const principal& who, const std::string& tenant, const std::string& instance,
                                      instance_action what);

std::string_view to_string(instance_action a) noexcept;

}  // namespace carechat::domain
