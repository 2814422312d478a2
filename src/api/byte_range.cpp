#include "api/byte_range.hpp"

#include <charconv>

#include "core/text.hpp"

namespace carechat::api {
namespace {

std::optional<std::uint64_t> number(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::uint64_t v = 0;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return v;
}

}  // namespace

core::result<std::optional<byte_range>> parse_range(std::string_view header, std::uint64_t size) {
  using none = std::optional<byte_range>;
  header = core::trim_ows(header);
  if (header.substr(0, 6) != "bytes=") return none();
  const std::string_view spec = core::trim_ows(header.substr(6));
  if (spec.find(',') != std::string_view::npos) return none();
  const std::size_t dash = spec.find('-');
  if (dash == std::string_view::npos) return none();
  const std::string_view a = spec.substr(0, dash), b = spec.substr(dash + 1);
  const auto unsatisfiable = [] {
    return core::make_error(core::errc::range_not_satisfiable, "the range starts past the end of the file");
  };
  if (a.empty()) {  // "-N": the last N bytes
    const auto n = number(b);
    if (!n) return none();
    if (*n == 0 || size == 0) return unsatisfiable();
    const std::uint64_t len = std::min(*n, size);
    return none(byte_range{size - len, size - 1});
  }
  const auto first = number(a);
  if (!first) return none();
  std::uint64_t last = size == 0 ? 0 : size - 1;
  if (!b.empty()) {
    const auto l = number(b);
    if (!l || *l < *first) return none();
    last = std::min(*l, last);
  }
  if (*first >= size) return unsatisfiable();
  return none(byte_range{*first, last});
}

}  // namespace carechat::api
