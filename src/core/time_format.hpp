// ISO-8601 in and out. Output is always UTC with milliseconds ("2021-03-09T23:54:39.152Z"), as the
// reference API shows. Input accepts the common forms an integrator sends (see parse_iso8601).
// Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"

namespace carechat::core {

std::string format_iso8601_ms(unix_ms t);

// Accepts YYYY-MM-DDTHH:MM:SS[.f{1,9}](Z|+HH:MM|-HH:MM) and a bare date YYYY-MM-DD (midnight UTC).
// Fractions beyond milliseconds are truncated. Returns nullopt for anything else or impossible dates.
std::optional<unix_ms> parse_iso8601(std::string_view text);

}  // namespace carechat::core
