#include "domain/principal.hpp"

namespace carechat::domain {

std::string_view to_string(role r) noexcept {
  switch (r) {
    case role::patient: return "patient";
    case role::user: return "user";
    case role::client: return "client";
    case role::admin: return "admin";
  }
  return "client";
}

std::optional<role> role_from_string(std::string_view s) noexcept {
  if (s == "patient") return role::patient;
  if (s == "user") return role::user;
  if (s == "client") return role::client;
  if (s == "admin") return role::admin;
  return std::nullopt;
}

}  // namespace carechat::domain
