// The `; name=value` parameter lists of HTTP header values (RFC 9110 section 5.6.6): a
// Content-Type's boundary, a Content-Disposition's filename. Thread-safety: pure.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carechat::api {

// One `; name=value` parameter list (value a token or a quoted-string with \-escapes), as pairs of
// lower-cased name and value (none for an empty list); nullopt if malformed.
std::optional<std::vector<std::pair<std::string, std::string>>> parameters(std::string_view s);

}  // namespace carechat::api
