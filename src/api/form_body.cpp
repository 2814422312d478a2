#include "api/form_body.hpp"

#include <boost/algorithm/string/predicate.hpp>

namespace carechat::api {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

}  // namespace

bool is_form_media_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  if (!boost::algorithm::iequals(trim(content_type.substr(0, semi)), "application/x-www-form-urlencoded")) return false;
  if (semi == std::string_view::npos) return true;
  // Parameters: only charset=utf-8 (quoted or not) is accepted.
  std::string_view rest = content_type.substr(semi + 1);
  while (!rest.empty()) {
    const auto next = rest.find(';');
    const auto param = trim(rest.substr(0, next));
    if (!param.empty()) {
      const auto eq = param.find('=');
      if (eq == std::string_view::npos || !boost::algorithm::iequals(trim(param.substr(0, eq)), "charset")) return false;
      auto value = trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (!boost::algorithm::iequals(value, "utf-8")) return false;
    }
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return true;
}

std::optional<std::string> form_decode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (c == '+') {
      out += ' ';
    } else if (c == '%') {
      if (i + 2 >= text.size()) return std::nullopt;  // "%" or "%4" at the end
      const int hi = hex_value(text[i + 1]);
      const int lo = hex_value(text[i + 2]);
      if (hi < 0 || lo < 0) return std::nullopt;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

core::result<form_params> parse_form(std::string_view body, std::size_t max_bytes, std::size_t max_params) {
  using core::errc;
  if (body.size() > max_bytes)
    return core::make_error(errc::bad_request, "the form body is larger than " + std::to_string(max_bytes) + " bytes");
  form_params out;
  while (!body.empty()) {
    const auto amp = body.find('&');
    const auto pair = body.substr(0, amp);
    body = amp == std::string_view::npos ? std::string_view() : body.substr(amp + 1);
    if (pair.empty()) continue;  // "a=1&&b=2"
    if (out.size() >= max_params)
      return core::make_error(errc::bad_request, "the form has more than " + std::to_string(max_params) + " parameters");
    const auto eq = pair.find('=');
    auto name = form_decode(pair.substr(0, eq));
    auto value = form_decode(eq == std::string_view::npos ? std::string_view() : pair.substr(eq + 1));
    if (!name || !value) return core::make_error(errc::bad_request, "the form has a malformed %-escape");
    if (name->empty()) return core::make_error(errc::bad_request, "the form has a parameter without a name");
    if (!out.emplace(std::move(*name), std::move(*value)).second)
      return core::make_error(errc::bad_request, "the form names a parameter more than once");
  }
  return out;
}

}  // namespace carechat::api
