// api/jose reads tokens and key sets from outside: client assertions now, id_tokens and EHR key
// sets later. Properties: no input crashes or verifies without the key set's key; a compact JWS
// that parses re-parses to the same header and claims; a key set that parses holds 1..max keys.
#include "api/jose/client_assertion.hpp"
#include "api/jose/jwk.hpp"
#include "api/jose/jws.hpp"
#include "fuzz_support.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace jose = carechat::api::jose;
  const std::string_view text = carechat::fuzz::as_text(data, size);
  if (auto parsed = jose::parse_compact(text)) {
    auto again = jose::parse_compact(text);
    FUZZ_CHECK(again.has_value() && again->header == parsed->header && again->claims == parsed->claims);
    // The empty set verifies nothing.
    FUZZ_CHECK(!jose::verify(*parsed, jose::jwks(), jose::all_algs).has_value());
  }
  if (auto keys = jose::jwks::parse(text)) FUZZ_CHECK(!keys->empty() && keys->keys().size() <= jose::max_jwks_keys);
  (void)jose::parse_jwk_text(text, true);
  (void)jose::assertion_client_id(text);
  return 0;
}
