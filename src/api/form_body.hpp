// application/x-www-form-urlencoded bodies (the OAuth token endpoint, RFC 6749 appendix B): names
// and values percent-decoded, '+' read as a space. Refused: a malformed escape, a parameter named
// twice (RFC 6749 section 3.2: "parameters MUST NOT be included more than once"), more than
// `max_params` parameters, or a body over `max_bytes`. Thread-safety: pure functions.
#pragma once

#include <cstddef>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace carechat::api {

using form_params = std::map<std::string, std::string, std::less<>>;

// Whether `content_type` is application/x-www-form-urlencoded (any case; parameters allowed; a
// charset only if UTF-8).
bool is_form_media_type(std::string_view content_type);

// errc::bad_request naming what is wrong.
core::result<form_params> parse_form(std::string_view body, std::size_t max_bytes = 64 * 1024,
                                     std::size_t max_params = 32);

// Percent-decodes one form component ('+' is a space); nullopt for a malformed escape.
std::optional<std::string> form_decode(std::string_view text);

}  // namespace carechat::api
