#include "api/content_disposition.hpp"

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
