// net::bearer_token pulls the secret out of the Authorization header. Property: it agrees with a
// plain restatement of its contract: "bearer" in any case, one space, then one space-free token
// with optional spaces around it; the result points into the header.
#include <optional>

#include "fuzz_support.hpp"
#include "net/handlers/bearer.hpp"

namespace {

std::optional<std::string_view> reference(std::string_view h) {
  constexpr std::string_view scheme = "bearer ";
  if (h.size() < scheme.size()) return std::nullopt;
  for (std::size_t i = 0; i < scheme.size(); ++i) {
    const char c = h[i] >= 'A' && h[i] <= 'Z' ? static_cast<char>(h[i] - 'A' + 'a') : h[i];
    if (c != scheme[i]) return std::nullopt;
  }
  std::string_view rest = h.substr(scheme.size());
  const std::size_t first = rest.find_first_not_of(' ');
  if (first == std::string_view::npos) return std::nullopt;
  rest = rest.substr(first, rest.find_last_not_of(' ') - first + 1);
  if (rest.find(' ') != std::string_view::npos) return std::nullopt;
  return rest;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header = carechat::fuzz::as_text(data, size);
  const auto got = carechat::net::bearer_token(header);
  const auto want = reference(header);
  FUZZ_CHECK(got.has_value() == want.has_value());
  if (got) {
    FUZZ_CHECK(*got == *want);
    FUZZ_CHECK(!got->empty());
    FUZZ_CHECK(got->data() >= header.data() && got->data() + got->size() <= header.data() + header.size());
  }
  return 0;
}
