// core::utf8_length validates message text and search queries. Property: it agrees exactly with an
// independent validator written from the Unicode standard's table of well-formed byte sequences
// (Table 3-7), and counts one code point per non-continuation byte.
// core::contains_ignoring_case (the search scan's test) never crashes on any bytes, and finds
// every part of a text cut where no sequence is split, also with its ASCII letters upper-cased.
#include <optional>
#include <string>

#include "core/utf8.hpp"
#include "fuzz_support.hpp"

namespace {

// Table 3-7, row by row: the range of the first byte, the range of the second, the length; any
// later bytes are 80..BF.
struct well_formed {
  std::uint8_t first_lo, first_hi, second_lo, second_hi;
  std::size_t length;
};
constexpr well_formed table_3_7[] = {
    {0x00, 0x7F, 0x00, 0x00, 1}, {0xC2, 0xDF, 0x80, 0xBF, 2}, {0xE0, 0xE0, 0xA0, 0xBF, 3},
    {0xE1, 0xEC, 0x80, 0xBF, 3}, {0xED, 0xED, 0x80, 0x9F, 3}, {0xEE, 0xEF, 0x80, 0xBF, 3},
    {0xF0, 0xF0, 0x90, 0xBF, 4}, {0xF1, 0xF3, 0x80, 0xBF, 4}, {0xF4, 0xF4, 0x80, 0x8F, 4},
};

std::optional<std::size_t> reference_length(const std::uint8_t* p, std::size_t n) {
  std::size_t i = 0, count = 0;
  while (i < n) {
    const well_formed* row = nullptr;
    for (const well_formed& r : table_3_7)
      if (p[i] >= r.first_lo && p[i] <= r.first_hi) row = &r;
    if (!row || n - i < row->length) return std::nullopt;
    if (row->length > 1 && (p[i + 1] < row->second_lo || p[i + 1] > row->second_hi)) return std::nullopt;
    for (std::size_t k = 2; k < row->length; ++k)
      if (p[i + k] < 0x80 || p[i + k] > 0xBF) return std::nullopt;
    i += row->length;
    ++count;
  }
  return count;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const auto got = carechat::core::utf8_length(carechat::fuzz::as_text(data, size));
  const auto want = reference_length(data, size);
  FUZZ_CHECK(got == want);
  if (got) {
    std::size_t starts = 0;
    for (std::size_t i = 0; i < size; ++i) starts += (data[i] & 0xC0) != 0x80;
    FUZZ_CHECK(*got == starts);
  }

  using carechat::core::contains_ignoring_case;
  const std::string whole(carechat::fuzz::as_text(data, size));
  FUZZ_CHECK(contains_ignoring_case(whole, whole));
  FUZZ_CHECK(contains_ignoring_case(whole, ""));
  std::size_t cut = size == 0 ? 0 : data[0] % (size + 1);
  while (cut < size && (data[cut] & 0xC0) == 0x80) ++cut;  // never inside a sequence
  const std::string head = whole.substr(0, cut), tail = whole.substr(cut);
  FUZZ_CHECK(contains_ignoring_case(whole, head));
  FUZZ_CHECK(contains_ignoring_case(whole, tail));
  std::string shouted = tail;
  for (char& c : shouted)
    if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  FUZZ_CHECK(contains_ignoring_case(whole, shouted));
  return 0;
}
