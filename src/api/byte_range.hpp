// The Range header of a download (RFC 9110 section 14): one range of bytes. Several ranges are
// served as the whole file (a server may ignore Range), which keeps answers single-part.
// Thread-safety: pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

#include "core/result.hpp"

namespace carechat::api {

struct byte_range {
  std::uint64_t first = 0;
  std::uint64_t last = 0;  // inclusive
  std::uint64_t length() const { return last - first + 1; }
};

// For a file of `size` bytes: the range asked for (clamped to the file), nullopt when the header
// is to be ignored (not "bytes=", several ranges, malformed: the whole file is sent), or
// range_not_satisfiable when it starts past the end (the answer is 416).
core::result<std::optional<byte_range>> parse_range(std::string_view header, std::uint64_t size);

}  // namespace carechat::api
