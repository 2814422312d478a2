#include "api/form_body.hpp"

#include "core/text.hpp"

namespace carechat::api {

bool is_form_media_type(std::string_view content_type) {
  const auto semi = content_type.find(';');
  if (!core::iequals_ascii(core::trim_ows(content_type.substr(0, semi)), "application/x-www-form-urlencoded")) return false;
  if (semi == std::string_view::npos) return true;
  // Parameters: only charset=utf-8 (quoted or not) is accepted.
  std::string_view rest = content_type.substr(semi + 1);
  while (!rest.empty()) {
    const auto next = rest.find(';');
    const auto param = core::trim_ows(rest.substr(0, next));
    if (!param.empty()) {
      const auto eq = param.find('=');
      if (eq == std::string_view::npos || !core::iequals_ascii(core::trim_ows(param.substr(0, eq)), "charset")) return false;
      auto value = core::trim_ows(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      if (!core::iequals_ascii(value, "utf-8")) return false;
    }
    if (next == std::string_view::npos) break;
    rest.remove_prefix(next + 1);
  }
  return true;
}

std::optional<std::string> form_decode(std::string_view text) { return core::percent_decode(text, true); }

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
