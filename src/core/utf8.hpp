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

// The code points of `s`, each ill-formed byte read as U+FFFD (for text that is cleaned, not
// refused: a file name a browser sent).
std::u32string utf8_decode_lossy(std::string_view s);
// Appends the UTF-8 form of a Unicode scalar value (not a surrogate, at most U+10FFFF).
void utf8_append(std::string& out, char32_t cp);

// What a text check needs to know of a string, read in one pass. The rules (shared by messages,
// titleName and search queries; docs/api/openapi.yaml "Text rules"):
// - blank: every code point is Unicode White_Space (PropList: U+0009-000D, U+0020, U+0085, U+00A0,
//   U+1680, U+2000-200A, U+2028, U+2029, U+202F, U+205F, U+3000) or an invisible format character
//   that renders as nothing (U+180E, U+200B-200D, U+2060, U+FEFF); true for the empty string;
// - control: a C0 control other than TAB, LF and CR, DEL (U+007F), or a C1 control (U+0080-009F,
//   NEL included): these break SMS gateways and EHR views downstream.
struct text_facts {
  bool well_formed = true;     // false: the other fields are not meaningful
  std::size_t code_points = 0;
  bool blank = true;
  bool has_control = false;
};
text_facts inspect_text(std::string_view s);

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
