#include "core/utf8.hpp"

#include <algorithm>
#include <clocale>
#include <cstdint>
#include <cwctype>
#include <string>

#include <locale.h>

#include "core/log.hpp"

namespace carechat::core {

namespace {

// The code point of the well-formed sequence at p[i] (no overlongs, surrogates or values past
// U+10FFFF), advancing i past it; nullopt, with i unchanged, if the bytes there are ill-formed.
std::optional<std::uint32_t> decode(const std::uint8_t* p, std::size_t n, std::size_t& i) {
  const std::uint8_t c = p[i];
  if (c < 0x80) {
    ++i;
    return c;
  }
  std::size_t extra;
  std::uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    extra = 1;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    extra = 2;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    extra = 3;
    cp = c & 0x07;
  } else {
    return std::nullopt;
  }
  for (std::size_t k = 1; k <= extra; ++k) {
    if (i + k >= n || (p[i + k] & 0xC0) != 0x80) return std::nullopt;
    cp = (cp << 6) | (p[i + k] & 0x3F);
  }
  static constexpr std::uint32_t min_for_length[] = {0, 0x80, 0x800, 0x10000};
  if (cp < min_for_length[extra] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return std::nullopt;
  i += extra + 1;
  return cp;
}

// The next code point at p[i], advancing i; an ill-formed byte is returned as 0x110000 + byte
// (outside Unicode, so it only ever equals the same byte) and skipped alone.
std::uint32_t next_code_point(const std::uint8_t* p, std::size_t n, std::size_t& i) {
  if (auto cp = decode(p, n, i)) return *cp;
  return 0x110000u + p[i++];
}

locale_t utf8_locale() {
  // Made once; never freed (it lives as long as the process). C.UTF-8 is built into glibc >= 2.35.
  static const locale_t loc = [] {
    const locale_t l = newlocale(LC_CTYPE_MASK, "C.UTF-8", static_cast<locale_t>(nullptr));
    // Not silently: searches would then fold ASCII letters only, unlike the trigram index.
    if (l == static_cast<locale_t>(nullptr))
      log_warn("text", "the C.UTF-8 locale is missing: case-insensitive search folds ASCII letters only");
    return l;
  }();
  return loc;
}

void fold_into(std::string_view s, std::u32string& out) {
  out.clear();
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  const locale_t loc = utf8_locale();
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = next_code_point(p, s.size(), i);
    if (cp < 0x80) {
      if (cp >= 'A' && cp <= 'Z') cp += 'a' - 'A';
    } else if (cp < 0x110000u && loc != static_cast<locale_t>(nullptr)) {
      cp = static_cast<std::uint32_t>(towlower_l(static_cast<wint_t>(cp), loc));
    }
    out.push_back(static_cast<char32_t>(cp));
  }
}

}  // namespace

std::u32string utf8_decode_lossy(std::string_view s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  std::u32string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    if (auto cp = decode(p, s.size(), i)) {
      out += static_cast<char32_t>(*cp);
    } else {
      out += U'\uFFFD';
      ++i;
    }
  }
  return out;
}

void utf8_append(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else if (cp < 0x10000) {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xF0 | (cp >> 18));
    out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

std::optional<std::size_t> utf8_length(std::string_view s) {
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size(); ++count)
    if (!decode(p, s.size(), i)) return std::nullopt;
  return count;
}

namespace {

bool is_white_space(std::uint32_t cp) {
  return (cp >= 0x09 && cp <= 0x0D) || cp == 0x20 || cp == 0x85 || cp == 0xA0 || cp == 0x1680 ||
         (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 || cp == 0x2029 || cp == 0x202F || cp == 0x205F ||
         cp == 0x3000;
}

bool is_invisible_format(std::uint32_t cp) {
  return cp == 0x180E || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
}

bool is_refused_control(std::uint32_t cp) {
  return (cp < 0x20 && cp != '\t' && cp != '\n' && cp != '\r') || (cp >= 0x7F && cp <= 0x9F);
}

}  // namespace

text_facts inspect_text(std::string_view s) {
  text_facts f;
  const auto* p = reinterpret_cast<const std::uint8_t*>(s.data());
  for (std::size_t i = 0; i < s.size(); ++f.code_points) {
    const auto cp = decode(p, s.size(), i);
    if (!cp) {
      f.well_formed = false;
      return f;
    }
    if (f.blank && !is_white_space(*cp) && !is_invisible_format(*cp)) f.blank = false;
    if (is_refused_control(*cp)) f.has_control = true;
  }
  return f;
}

folded_needle::folded_needle(std::string_view needle) { fold_into(needle, needle_); }

bool folded_needle::found_in(std::string_view haystack) const {
  if (needle_.empty()) return true;
  if (needle_.size() > haystack.size()) return false;  // a code point takes at least one byte
  thread_local std::u32string folded_haystack;
  fold_into(haystack, folded_haystack);
  return std::search(folded_haystack.begin(), folded_haystack.end(), needle_.begin(), needle_.end()) !=
         folded_haystack.end();
}

bool contains_ignoring_case(std::string_view haystack, std::string_view needle) {
  return folded_needle(needle).found_in(haystack);
}

}  // namespace carechat::core
