#include "core/ids.hpp"

#include <vector>

#include "core/crypto.hpp"

namespace carechat::core {

std::string random_hex(random_source& rng, std::size_t bytes) {
  std::vector<std::uint8_t> buf(bytes);
  rng.fill(buf);
  return to_hex(buf);
}

std::string new_external_id(random_source& rng, unix_ms now) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string id = "IM";
  id.reserve(34);
  const auto t = static_cast<std::uint64_t>(now < 0 ? 0 : now);
  for (int shift = 44; shift >= 0; shift -= 4) id += digits[(t >> shift) & 0xF];
  id += random_hex(rng, 10);
  return id;
}

bool is_external_id(std::string_view s) {
  if (s.size() != 34 || s.substr(0, 2) != "IM") return false;
  for (char c : s.substr(2))
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  return true;
}

bool is_path_id(std::string_view s) {
  if (s.empty() || s.size() > 64 || s == "." || s == "..") return false;
  for (char c : s) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
                    c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

}  // namespace carechat::core
