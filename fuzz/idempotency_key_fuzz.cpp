// api::parse_idempotency_key reads the Idempotency-Key header. Property: it accepts exactly 1-255
// bytes of 0x21-0x7E and returns the key unchanged.
#include "api/request_parsing.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view header = carechat::fuzz::as_text(data, size);
  bool valid = size >= 1 && size <= 255;
  for (char c : header) valid = valid && c >= 0x21 && c <= 0x7E;

  const auto r = carechat::api::parse_idempotency_key(header);
  FUZZ_CHECK(r.has_value() == valid);
  if (r) {
    FUZZ_CHECK(r->has_value() && **r == header);
  } else {
    FUZZ_CHECK(r.error().code == carechat::core::errc::bad_request);
  }
  return 0;
}
