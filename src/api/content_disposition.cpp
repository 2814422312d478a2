#include "api/content_disposition.hpp"

#include "api/header_parameters.hpp"
#include "core/text.hpp"

namespace carechat::api {
namespace {

// RFC 8187 attr-char: what filename* may carry as it is.
bool attr_char(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '!' || c == '#' ||
         c == '$' || c == '&' || c == '+' || c == '-' || c == '.' || c == '^' || c == '_' || c == '`' || c == '|' ||
         c == '~';
}

}  // namespace

std::string content_disposition(disposition d, std::string_view utf8_name) {
  std::string ascii;
  bool in_multibyte = false;  // one '_' per non-ASCII character, not per byte
  for (unsigned char c : utf8_name) {
    if (c >= 0x80) {
      if ((c & 0xC0) != 0x80 || !in_multibyte) ascii += '_';
      in_multibyte = true;
    } else {
      in_multibyte = false;
      ascii += (c < 0x20 || c == 0x7F || c == '"' || c == '\\' || c == '%') ? '_' : static_cast<char>(c);
    }
  }
  return std::string(d == disposition::attachment ? "attachment" : "inline") + "; filename=\"" + ascii +
         "\"; filename*=UTF-8''" + core::percent_encode(utf8_name, attr_char);
}

}  // namespace carechat::api

namespace carechat::api {
namespace {

// RFC 8187 ext-value: charset'language'pct-encoded, UTF-8 only (what every browser and curl send).
std::optional<std::string> decode_ext_value(std::string_view v) {
  const std::size_t q1 = v.find('\'');
  if (q1 == std::string_view::npos) return std::nullopt;
  const std::size_t q2 = v.find('\'', q1 + 1);
  if (q2 == std::string_view::npos) return std::nullopt;
  if (!core::iequals_ascii(v.substr(0, q1), "UTF-8")) return std::nullopt;
  return core::percent_decode(v.substr(q2 + 1), false);
}

}  // namespace

core::result<std::optional<std::string>> filename_of(std::string_view header) {
  const std::size_t semi = header.find(';');
  const std::string_view type = core::trim_ows(header.substr(0, semi));
  if (!core::iequals_ascii(type, "attachment") && !core::iequals_ascii(type, "inline") &&
      !core::iequals_ascii(type, "form-data"))
    return core::make_error(core::errc::bad_request, "Content-Disposition must be attachment; filename=...");
  auto params = parameters(header.substr(std::min(semi, header.size())));
  if (!params) return core::make_error(core::errc::bad_request, "malformed Content-Disposition parameters");
  std::optional<std::string> plain, extended;
  for (auto& [name, value] : *params) {
    if (name == "filename*") {
      extended = decode_ext_value(value);
      if (!extended)
        return core::make_error(core::errc::bad_request, "Content-Disposition filename* must be UTF-8''<percent-encoded>");
    } else if (name == "filename") {
      plain = std::move(value);
    }
  }
  return extended ? extended : plain;
}

}  // namespace carechat::api
