// core::base64url_decode opens every page token a client sends. Properties: decoding is canonical
// (whatever decodes re-encodes to the same text), and encode then decode returns the input bytes.
#include <algorithm>

#include "core/crypto.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace core = carechat::core;
  const std::string_view text = carechat::fuzz::as_text(data, size);
  if (const auto decoded = core::base64url_decode(text)) {
    FUZZ_CHECK(decoded->size() == size * 3 / 4);
    FUZZ_CHECK(core::base64url_encode(*decoded) == text);
  }

  const std::span<const std::uint8_t> raw(data, size);
  const std::string encoded = core::base64url_encode(raw);
  FUZZ_CHECK(encoded.size() == (size * 4 + 2) / 3);
  FUZZ_CHECK(encoded.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_") ==
             std::string::npos);
  const auto back = core::base64url_decode(encoded);
  FUZZ_CHECK(back.has_value());
  FUZZ_CHECK(std::equal(back->begin(), back->end(), raw.begin(), raw.end()));
  return 0;
}
