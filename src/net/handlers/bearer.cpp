#include "net/handlers/bearer.hpp"

#include <boost/beast/core/string.hpp>

namespace carechat::net {

std::optional<std::string_view> bearer_token(std::string_view h) {
  constexpr std::string_view scheme = "bearer";
  if (h.size() <= scheme.size() + 1 || !boost::beast::iequals(h.substr(0, scheme.size()), scheme) ||
      h[scheme.size()] != ' ')
    return std::nullopt;
  std::string_view token = h.substr(scheme.size() + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  if (token.empty() || token.find(' ') != std::string_view::npos) return std::nullopt;
  return token;
}

}  // namespace carechat::net
