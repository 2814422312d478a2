#include "domain/blob_store.hpp"

#include <algorithm>

namespace carechat::domain {

bool valid_blob_key(std::string_view key) {
  if (key.empty() || key.size() > 128) return false;
  for (char c : key)
    if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
      return false;
  return true;
}

core::result<void> read_blob(blob_store& from, std::string_view key, std::uint64_t size, std::span<char> buffer,
                             const std::function<core::result<void>(std::string_view)>& sink) {
  for (std::uint64_t at = 0; at < size;) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(buffer.size(), size - at));
    for (std::size_t got = 0; got < want;) {
      auto n = from.read(key, at + got, buffer.subspan(got, want - got));
      if (!n) return std::move(n).error();
      if (*n == 0)
        return core::make_error(core::errc::internal, "blob " + std::string(key) + " is shorter than its size");
      got += *n;
    }
    if (auto ok = sink(std::string_view(buffer.data(), want)); !ok) return ok;
    at += want;
  }
  return {};
}

core::result<std::string> read_whole_blob(blob_store& from, std::string_view key) {
  auto size = from.size(key);
  if (!size) return std::move(size).error();
  std::string out(static_cast<std::size_t>(*size), '\0');
  auto ok = read_blob(from, key, *size, std::span<char>(out.data(), out.size()),
                      [](std::string_view) -> core::result<void> { return {}; });
  if (!ok) return std::move(ok).error();
  return out;
}

}  // namespace carechat::domain
