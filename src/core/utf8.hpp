// UTF-8 validation and counting for untrusted text. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace carechat::core {

// Number of code points if `s` is well-formed UTF-8 (no overlongs, surrogates or values past
// U+10FFFF), nullopt otherwise.
std::optional<std::size_t> utf8_length(std::string_view s);

// Whether `needle` occurs in `haystack` ignoring case: both are case-folded code point by code
// point (Unicode simple lowercase mapping, as the C.UTF-8 locale's towlower has it, so Ż matches ż
// and ÓŁ matches ół, not only ASCII). Ill-formed bytes compare as themselves. An empty needle
// occurs everywhere. The search scan's test: it agrees with the trigram index's case folding.
bool contains_ignoring_case(std::string_view haystack, std::string_view needle);

// contains_ignoring_case for one needle and many haystacks (a search scan tests every row of a
// chat against one query): the needle is folded once, and each haystack is folded into a buffer
// the calling thread reuses, so a test allocates nothing once the buffer has grown.
class folded_needle {
 public:
  explicit folded_needle(std::string_view needle);
  bool found_in(std::string_view haystack) const;

 private:
  std::u32string needle_;
};

}  // namespace carechat::core
