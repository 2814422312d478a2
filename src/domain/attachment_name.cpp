#include "domain/attachment_name.hpp"

#include "core/utf8.hpp"

namespace carechat::domain {
namespace {

bool dropped(char32_t cp) {
  const bool control = cp < 0x20 || (cp >= 0x7F && cp <= 0x9F);
  const bool bidi = cp == 0x061C || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
                    (cp >= 0x2066 && cp <= 0x2069);
  const bool separator = cp == 0x2028 || cp == 0x2029;
  const bool invisible = cp == 0x180E || (cp >= 0x200B && cp <= 0x200D) || cp == 0x2060 || cp == 0xFEFF;
  return control || bidi || separator || invisible;
}

bool white_space(char32_t cp) {
  return cp == 0x20 || cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F ||
         cp == 0x205F || cp == 0x3000;
}

bool trimmed(char32_t cp) { return cp == U'.' || white_space(cp); }

std::size_t utf8_size(char32_t cp) { return cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4; }

std::string encode(const std::u32string& cps) {
  std::string out;
  for (char32_t cp : cps) core::utf8_append(out, cp);
  return out;
}

// The longest prefix of `cps` whose UTF-8 form fits in `bytes`.
std::u32string fit(const std::u32string& cps, std::size_t bytes) {
  std::size_t used = 0, n = 0;
  while (n < cps.size() && used + utf8_size(cps[n]) <= bytes) used += utf8_size(cps[n++]);
  return cps.substr(0, n);
}

}  // namespace

std::string sanitize_attachment_name(std::string_view raw) {
  std::u32string name;
  for (char32_t cp : core::utf8_decode_lossy(raw)) {
    if (dropped(cp)) continue;
    name += (cp == U'/' || cp == U'\\') ? U'_' : cp;
  }
  std::size_t first = 0, last = name.size();
  while (first < last && trimmed(name[first])) ++first;
  while (last > first && trimmed(name[last - 1])) --last;
  name = name.substr(first, last - first);
  if (name.empty()) return std::string(unnamed_attachment);

  std::string out = encode(name);
  if (out.size() <= max_attachment_name_bytes) return out;
  // Too long: keep the extension (".pdf") when there is a short one, and cut the stem.
  std::u32string ext;
  if (const auto dot = name.rfind(U'.'); dot != std::u32string::npos && dot > 0) {
    ext = name.substr(dot);
    if (encode(ext).size() > 16) ext.clear();
  }
  const std::u32string stem = name.substr(0, name.size() - ext.size());
  std::u32string cut = fit(stem, max_attachment_name_bytes - encode(ext).size());
  while (!cut.empty() && trimmed(cut.back())) cut.pop_back();  // the cut may end in a space or dot
  return cut.empty() ? std::string(unnamed_attachment) + encode(ext) : encode(cut) + encode(ext);
}

}  // namespace carechat::domain
