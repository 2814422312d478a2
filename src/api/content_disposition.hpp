// The Content-Disposition header of a download (RFC 6266, with the RFC 8187/5987 filename* form):
// browsers that read filename* get the exact UTF-8 name; older ones get an ASCII stand-in. The
// name is expected already cleaned (domain::sanitize_attachment_name: no controls, no quotes are
// trusted here either). Thread-safety: pure.
#pragma once

#include <optional>

#include "core/result.hpp"

#include <string>
#include <string_view>

namespace carechat::api {

enum class disposition { attachment, inline_ };

// `attachment; filename="ascii"; filename*=UTF-8''pct-encoded`. In the ASCII stand-in every byte
// outside printable ASCII, and '"', '\' and '%' (which some browsers decode), becomes '_'.
std::string content_disposition(disposition d, std::string_view utf8_name);

// The file name a request's Content-Disposition gives (`attachment; filename*=UTF-8''...` or
// `filename="..."`; filename* wins, as RFC 6266 says), as raw bytes for the sanitizer; nullopt when
// the header names none. bad_request for a malformed header or filename* in another charset.
core::result<std::optional<std::string>> filename_of(std::string_view header);

}  // namespace carechat::api
