// The Content-Disposition header of a download (RFC 6266, with the RFC 8187/5987 filename* form):
// browsers that read filename* get the exact UTF-8 name; older ones get an ASCII stand-in. The
// name is expected already cleaned (domain::sanitize_attachment_name: no controls, no quotes are
// trusted here either). Thread-safety: pure.
#pragma once

#include <string>
#include <string_view>

namespace carechat::api {

enum class disposition { attachment, inline_ };

// `attachment; filename="ascii"; filename*=UTF-8''pct-encoded`. In the ASCII stand-in every byte
// outside printable ASCII, and '"', '\' and '%' (which some browsers decode), becomes '_'.
std::string content_disposition(disposition d, std::string_view utf8_name);

}  // namespace carechat::api
