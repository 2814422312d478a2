// Pulls the bearer secret out of an Authorization header. Thread-safety: pure function.
#pragma once

#include <optional>
#include <string_view>

namespace carechat::net {

// "Bearer <token>" with a case-insensitive scheme; nullopt for anything else.
std::optional<std::string_view> bearer_token(std::string_view authorization_header);

}  // namespace carechat::net
