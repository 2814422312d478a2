// core::parse_iso8601 reads archiveDate from the query string. Properties: whatever it accepts and
// lies within years 0000-9999 formats (format_iso8601_ms) to text that parses back to the same
// instant; and the formatter, fed any int64 from the input, round-trips the same way.
#include <cstring>

#include "core/time_format.hpp"
#include "fuzz_support.hpp"

namespace {

using carechat::core::unix_ms;

constexpr unix_ms first_ms = -62'167'219'200'000;  // 0000-01-01T00:00:00.000Z
constexpr unix_ms last_ms = 253'402'300'799'999;   // 9999-12-31T23:59:59.999Z

void check_round_trip(unix_ms t) {
  const std::string text = carechat::core::format_iso8601_ms(t);
  if (t < first_ms || t > last_ms) return;  // years outside 4 digits are not ISO-8601 basic form
  FUZZ_CHECK(text.size() == 24);
  const auto back = carechat::core::parse_iso8601(text);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(*back == t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (const auto t = carechat::core::parse_iso8601(carechat::fuzz::as_text(data, size))) check_round_trip(*t);
  if (size >= sizeof(unix_ms)) {
    unix_ms raw;
    std::memcpy(&raw, data, sizeof raw);
    check_round_trip(raw);
  }
  return 0;
}
