// UTF-8 validation and counting for untrusted text. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace carechat::core {

// Number of code points if `s` is well-formed UTF-8 (no overlongs, surrogates or values past
// U+10FFFF), nullopt otherwise.
std::optional<std::size_t> utf8_length(std::string_view s);

}  // namespace carechat::core
