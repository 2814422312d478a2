// Small text helpers for header and config values. Thread-safety: pure functions.
#pragma once

#include <charconv>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace carechat::core {

// `s` without the spaces and tabs around it (HTTP's optional whitespace).
std::string_view trim_ows(std::string_view s);
// Equal ignoring the case of ASCII letters (header values, media types, keywords).
bool iequals_ascii(std::string_view a, std::string_view b);

// Splits on `sep`, trims spaces and tabs around each item, drops empty items. The views point into
// `text`.
std::vector<std::string_view> split_list(std::string_view text, char sep = ',');
// A whole string of decimal digits (no sign, space or prefix) that fits in T; none otherwise.
template <class T>
std::optional<T> parse_decimal(std::string_view text) {
  if (text.empty()) return std::nullopt;
  for (char c : text)
    if (c < '0' || c > '9') return std::nullopt;
  T v{};
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (ec != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return v;
}

// split_list's items as owned strings.
std::vector<std::string> split_list_copy(std::string_view text, char sep = ',');
// The items joined with `sep` (the inverse of split_list for items without `sep` or edge spaces).
std::string join_list(const std::vector<std::string>& items, char sep = ',');

// RFC 3986 unreserved characters: A-Z a-z 0-9 - . _ ~
bool is_unreserved(unsigned char c);
// Each byte of `text` for which keep() is false as %XX (upper-case hex), the others as they are:
// the one percent-encoder behind URLs, S3 signatures and RFC 8187 header parameters, each of
// which only differs in what it keeps.
std::string percent_encode(std::string_view text, bool (*keep)(unsigned char));
// The inverse: each %XX as its byte, and with `plus_as_space` each '+' as a space (form bodies);
// nullopt for a '%' not followed by two hex digits. The one decoder behind form bodies and RFC
// 8187 header parameters.
std::optional<std::string> percent_decode(std::string_view text, bool plus_as_space);

}  // namespace carechat::core
