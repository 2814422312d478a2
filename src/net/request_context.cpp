#include "net/request_context.hpp"

#include <algorithm>
#include <cstdint>

namespace carechat::net {

bool request_id::is_sane(std::string_view text) {
  if (text.empty() || text.size() > max_length) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == '-';
  });
}

request_id request_id::from_header(std::optional<std::string_view> given, core::random_source& rng) {
  request_id id;
  if (given && is_sane(*given)) {
    std::copy(given->begin(), given->end(), id.chars_.begin());
    id.length_ = given->size();
    return id;
  }
  // 128 random bits: unique across nodes and restarts without coordination.
  std::array<std::uint8_t, 16> bytes{};
  rng.fill(bytes);
  static constexpr char hex[] = "0123456789abcdef";
  for (std::size_t i = 0; i < bytes.size(); ++i) {
    id.chars_[2 * i] = hex[bytes[i] >> 4];
    id.chars_[2 * i + 1] = hex[bytes[i] & 0xf];
  }
  id.length_ = 2 * bytes.size();
  return id;
}

}  // namespace carechat::net
