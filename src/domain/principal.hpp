// Who is calling: the identity a bearer token resolves to. Thread-safety: plain values.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace carechat::domain {

enum class role {
  patient,  // the patient's own apps: their chat only
  user,     // a member of the care team (staff)
  client,   // an integration's API client for the tenant/instance
  admin,    // the operator of a tenant/instance: everything a user may do, plus webhook configuration
};

// Staff who act as a named care-team member (a user, or an admin, who is one too).
constexpr bool is_staff_member(role r) noexcept { return r == role::user || r == role::admin; }

std::string_view to_string(role r) noexcept;
std::optional<role> role_from_string(std::string_view s) noexcept;

struct principal {
  std::string token_id;  // public id of the token, for audit and revocation; never the secret
  domain::role role = domain::role::client;
  std::string tenant;
  std::string instance;
  // Role patient: whose token it is. Roles user and admin: empty, or the one patient a SMART
  // session from that patient's chart is bound to (domain/smart_launch).
  std::string patient_id;
  std::string user_id;       // roles user and admin only
  std::string display_name;  // roles user and admin only: "First Last"

  // The id written to the audit trail as "who".
  const std::string& actor_id() const {
    return role == role::patient ? patient_id : is_staff_member(role) ? user_id : token_id;
  }
};

// A staff member whose session may reach one patient's chat only (least privilege for an EHR launch).
inline bool is_bound_to_patient(const principal& who) { return is_staff_member(who.role) && !who.patient_id.empty(); }

}  // namespace carechat::domain
