// Untrusted webhook inputs: the PUT .../webhook body an admin sends (api::parse_webhook_config, then
// domain::prepare_webhook_endpoint), and the Retry-After header a receiver answers with
// (domain::parse_retry_after). Properties: no crash (duplicate keys and depth included); a parsed Retry-After is never negative; an
// accepted configuration has a usable signing secret and only known event types.
#include "api/webhook_json.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/webhook.hpp"
#include "fuzz_support.hpp"

namespace {

class zero_random final : public carechat::core::random_source {
 public:
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = 0x5a;
  }
};

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  namespace domain = carechat::domain;
  const std::string_view text = carechat::fuzz::as_text(data, size);

  if (const auto delay = domain::parse_retry_after(text, 1'700'000'000'000)) FUZZ_CHECK(delay->count() >= 0);

  if (auto in = carechat::api::parse_webhook_config(text, "application/json")) {
    zero_random rng;
    carechat::core::manual_clock clk(1'700'000'000'000);
    if (auto ep = domain::prepare_webhook_endpoint("gh", "sb-demo", std::nullopt, std::move(*in), rng, clk)) {
      FUZZ_CHECK(domain::signing_key(ep->endpoint.signing_secret).has_value());
      for (const auto& t : ep->endpoint.event_types) FUZZ_CHECK(domain::is_webhook_event_type(t));
      FUZZ_CHECK(!domain::webhook_signature({ep->endpoint.signing_secret}, "evt_x", 1, text).empty());
    }
  }
  return 0;
}
