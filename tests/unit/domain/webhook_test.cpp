// Webhook signatures (Standard Webhooks), the retry schedule (manual clock, scripted randomness),
// Retry-After parsing and endpoint preparation.
#include "domain/webhook.hpp"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <deque>

#include "core/crypto.hpp"

namespace carechat::domain {
namespace {

// The published Standard Webhooks test vector.
constexpr std::string_view vector_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
constexpr std::string_view vector_id = "msg_p5jXN8AQM9LWM0D4loKWxJek";
constexpr std::int64_t vector_ts = 1614265330;
constexpr std::string_view vector_body = R"({"test": 2432232314})";
constexpr std::string_view vector_signature = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=";

// Computed here with OpenSSL directly, not through core's helpers.
std::string independent_signature(std::string_view secret, std::string_view id, std::int64_t ts,
                                  std::string_view body) {
  const std::string b64(secret.substr(6));
  std::vector<unsigned char> key(b64.size());
  int n = EVP_DecodeBlock(key.data(), reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  std::size_t pad = 0;
  for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) ++pad;
  key.resize(static_cast<std::size_t>(n) - pad);
  const std::string content = std::string(id) + "." + std::to_string(ts) + "." + std::string(body);
  unsigned char mac[32];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &mac_len);
  std::string out(4 * ((mac_len + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), mac, static_cast<int>(mac_len));
  return "v1," + out;
}

TEST(webhook_signature, matches_the_standard_webhooks_vector_and_an_independent_hmac) {
  const std::string sig = webhook_signature({std::string(vector_secret)}, vector_id, vector_ts, vector_body);
  EXPECT_EQ(sig, vector_signature);
  EXPECT_EQ(sig, independent_signature(vector_secret, vector_id, vector_ts, vector_body));
}

// The worked example of docs/webhooks.md: keep the two in step.
TEST(webhook_signature, the_documented_worked_example) {
  const std::string body =
      R"({"patientId":"cdb303e7-844f-40f8-b634-fe99bfccce28","patientUrl":"https://api.example.org/gh/sb-demo/patients/)"
      R"(cdb303e7-844f-40f8-b634-fe99bfccce28","tenantName":"gh","instanceName":"sb-demo","message":"Webhook test..."})";
  EXPECT_EQ(webhook_signature({std::string(vector_secret)}, "evt_5f0c8e2a9d4b4c1e8a7f3b2d6c9e0a14", 1763712000, body),
            "v1,xVRYlGkVoH+CfkakAdRCpjdpq/HBMTvlRwx1y1fdf1I=");
}

TEST(webhook_signature, a_tampered_body_id_or_timestamp_changes_it) {
  const std::string good = webhook_signature({std::string(vector_secret)}, vector_id, vector_ts, vector_body);
  EXPECT_NE(good, webhook_signature({std::string(vector_secret)}, vector_id, vector_ts, R"({"test": 2432232315})"));
  EXPECT_NE(good, webhook_signature({std::string(vector_secret)}, "msg_other", vector_ts, vector_body));
  EXPECT_NE(good, webhook_signature({std::string(vector_secret)}, vector_id, vector_ts + 1, vector_body));
}

TEST(webhook_signature, rotation_sends_both_signatures_space_separated_current_first) {
  core::manual_clock clk(0);
  struct fixed_random final : core::random_source {
    void fill(std::span<std::uint8_t> out) override {
      for (auto& b : out) b = 7;
    }
  } rng;
  const std::string next = new_signing_secret(rng);
  ASSERT_TRUE(signing_key(next).has_value());
  const std::string sig = webhook_signature({next, std::string(vector_secret)}, vector_id, vector_ts, vector_body);
  const auto space = sig.find(' ');
  ASSERT_NE(space, std::string::npos);
  EXPECT_EQ(sig.substr(0, space), independent_signature(next, vector_id, vector_ts, vector_body));
  EXPECT_EQ(sig.substr(space + 1), vector_signature);
}

TEST(webhook_signature, secrets_must_be_whsec_base64_of_at_least_16_bytes) {
  EXPECT_TRUE(signing_key(vector_secret));
  EXPECT_FALSE(signing_key("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"));
  EXPECT_FALSE(signing_key("whsec_"));
  EXPECT_FALSE(signing_key("whsec_c2hvcnQ="));  // "short"
  EXPECT_FALSE(signing_key("whsec_not base64!!"));
}

// Returns scripted 64-bit values (big-endian bytes), so the jitter is known.
class scripted_random final : public core::random_source {
 public:
  std::deque<std::uint64_t> values;
  void fill(std::span<std::uint8_t> out) override {
    std::uint64_t v = values.empty() ? 0 : values.front();
    if (!values.empty()) values.pop_front();
    for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(v >> (8 * (out.size() - 1 - i)));
  }
};

TEST(webhook_retry, ceilings_double_from_base_up_to_the_cap_and_jitter_stays_within_them) {
  webhook_retry_policy p;
  p.base = std::chrono::milliseconds(5'000);
  p.max_delay = std::chrono::milliseconds(60'000);
  p.max_attempts = 10;
  core::manual_clock clk(1'700'000'000'000);
  scripted_random rng;
  // The largest draw hits the ceiling exactly: 5 s, 10 s, 20 s, 40 s, then the 60 s cap.
  const std::int64_t expected[] = {5'000, 10'000, 20'000, 40'000, 60'000, 60'000};
  for (int n = 1; n <= 6; ++n) {
    const std::int64_t ceiling = expected[n - 1];
    rng.values = {static_cast<std::uint64_t>(ceiling)};  // v % (ceiling + 1) == ceiling
    auto at = next_webhook_attempt(p, n, std::nullopt, clk.now_ms(), rng);
    ASSERT_TRUE(at);
    EXPECT_EQ(*at - clk.now_ms(), ceiling) << "after attempt " << n;
    // The smallest draw is floored at the base delay (no hot retry loop).
    rng.values = {0};
    at = next_webhook_attempt(p, n, std::nullopt, clk.now_ms(), rng);
    EXPECT_EQ(*at - clk.now_ms(), 5'000);
    clk.advance(1'000);
  }
}

TEST(webhook_retry, full_jitter_is_uniform_within_bounds) {
  webhook_retry_policy p;  // defaults: 5 s base, 24 h cap, 15 attempts
  core::openssl_random rng;
  core::manual_clock clk(0);
  for (int n = 1; n <= 14; ++n) {
    const std::int64_t ceiling = std::min<std::int64_t>(5'000LL << (n - 1), 86'400'000);
    std::int64_t lo = ceiling, hi = 0;
    for (int i = 0; i < 200; ++i) {
      const auto d = *next_webhook_attempt(p, n, std::nullopt, 0, rng);
      ASSERT_GE(d, 5'000);
      ASSERT_LE(d, ceiling);
      lo = std::min(lo, d);
      hi = std::max(hi, d);
    }
    if (n >= 4) {
      EXPECT_LT(lo, ceiling / 2) << "jitter spreads delays for attempt " << n;
    }
    if (n >= 2) {
      EXPECT_GT(hi, ceiling / 2) << "jitter reaches high delays for attempt " << n;
    }
  }
}

TEST(webhook_retry, after_the_last_attempt_there_is_none) {
  webhook_retry_policy p;
  p.max_attempts = 3;
  scripted_random rng;
  EXPECT_TRUE(next_webhook_attempt(p, 2, std::nullopt, 0, rng));
  EXPECT_FALSE(next_webhook_attempt(p, 3, std::nullopt, 0, rng));
  EXPECT_FALSE(next_webhook_attempt(p, 4, std::chrono::milliseconds(1'000), 0, rng));
}

TEST(webhook_retry, retry_after_replaces_the_backoff_and_is_capped) {
  webhook_retry_policy p;
  p.max_delay = std::chrono::milliseconds(3'600'000);
  scripted_random rng;
  const core::unix_ms now = 1'700'000'000'000;
  EXPECT_EQ(*next_webhook_attempt(p, 1, std::chrono::milliseconds(120'000), now, rng), now + 120'000);
  EXPECT_EQ(*next_webhook_attempt(p, 1, std::chrono::milliseconds(99'999'999), now, rng), now + 3'600'000);
  EXPECT_EQ(*next_webhook_attempt(p, 1, std::chrono::milliseconds(0), now, rng), now);
}

TEST(webhook_retry, parse_retry_after_seconds_and_http_dates) {
  // 1994-11-06T08:49:37Z = 784111777 s.
  const core::unix_ms now = 784'111'777'000 - 30'000;
  EXPECT_EQ(parse_retry_after("120", now), std::chrono::milliseconds(120'000));
  EXPECT_EQ(parse_retry_after(" 0 ", now), std::chrono::milliseconds(0));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), std::chrono::milliseconds(30'000));
  EXPECT_EQ(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now + 60'000), std::chrono::milliseconds(0));
  EXPECT_EQ(parse_retry_after("Thu, 01 Jan 1970 00:00:00 GMT", 0), std::chrono::milliseconds(0));
  EXPECT_EQ(parse_retry_after("Sat, 01 Mar 2025 12:00:00 GMT", 1'740'830'400'000 - 5'000),
            std::chrono::milliseconds(5'000));
  EXPECT_FALSE(parse_retry_after("", now));
  EXPECT_FALSE(parse_retry_after("-5", now));
  EXPECT_FALSE(parse_retry_after("1.5", now));
  EXPECT_FALSE(parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now));
  EXPECT_FALSE(parse_retry_after("Sun, 06 Foo 1994 08:49:37 GMT", now));
  EXPECT_FALSE(parse_retry_after("Mon, 31 Feb 2025 08:49:37 GMT", now));  // no such day
  EXPECT_FALSE(parse_retry_after("Sun, 06 Nov 1994 25:49:37 GMT", now));
  EXPECT_FALSE(parse_retry_after("Sun, 0x Nov 1994 08:49:37 GMT", now));
}

TEST(webhook_endpoint_prep, defaults_generation_rotation_and_validation) {
  core::manual_clock clk(1'000);
  core::openssl_random rng;
  webhook_config_input in{"https://example.com/hook", "key-1", "secret-1", std::nullopt, false, std::nullopt};
  auto first = prepare_webhook_endpoint("gh", "sb-demo", std::nullopt, in, rng, clk);
  ASSERT_TRUE(first) << first.error().message;
  EXPECT_TRUE(first->generated_secret);
  EXPECT_TRUE(signing_key(first->endpoint.signing_secret));
  EXPECT_EQ(first->endpoint.event_types, std::vector<std::string>{"message.outbound"});
  EXPECT_TRUE(first->endpoint.enabled);

  in.rotate = true;
  clk.advance(5);
  auto rotated = prepare_webhook_endpoint("gh", "sb-demo", first->endpoint, in, rng, clk);
  ASSERT_TRUE(rotated);
  EXPECT_EQ(rotated->endpoint.previous_signing_secret, first->endpoint.signing_secret);
  EXPECT_NE(rotated->endpoint.signing_secret, first->endpoint.signing_secret);
  EXPECT_EQ(rotated->endpoint.created_at, 1'000);
  EXPECT_EQ(rotated->endpoint.updated_at, 1'005);

  in.rotate = false;
  in.signing_secret = std::string(vector_secret);
  auto replaced = prepare_webhook_endpoint("gh", "sb-demo", rotated->endpoint, in, rng, clk);
  ASSERT_TRUE(replaced);
  EXPECT_FALSE(replaced->generated_secret);
  EXPECT_EQ(replaced->endpoint.signing_secret, vector_secret);
  EXPECT_FALSE(replaced->endpoint.previous_signing_secret);

  auto bad = in;
  bad.event_types = std::vector<std::string>{"message.deleted"};
  EXPECT_FALSE(prepare_webhook_endpoint("gh", "sb-demo", std::nullopt, bad, rng, clk));
  bad = in;
  bad.api_key = "";
  EXPECT_FALSE(prepare_webhook_endpoint("gh", "sb-demo", std::nullopt, bad, rng, clk));
  bad = in;
  bad.api_secret = "line\nbreak";
  EXPECT_FALSE(prepare_webhook_endpoint("gh", "sb-demo", std::nullopt, bad, rng, clk));
  bad = in;
  bad.signing_secret = "plain";
  EXPECT_FALSE(prepare_webhook_endpoint("gh", "sb-demo", std::nullopt, bad, rng, clk));
  bad = in;
  bad.rotate = true;
  bad.signing_secret.reset();
  EXPECT_FALSE(prepare_webhook_endpoint("gh", "sb-demo", std::nullopt, bad, rng, clk));  // nothing to rotate
}

TEST(webhook_mask, never_shows_a_secret_in_full) {
  EXPECT_EQ(mask_secret("short"), "****");
  EXPECT_EQ(mask_secret("0123456789abcdefghij"), "****");  // under 24 characters: nothing shown
  // Non-ASCII secrets are never cut (a byte cut could split a character into invalid UTF-8).
  EXPECT_EQ(mask_secret("\xC3\xA9\xC3\xA9\xC3\xA9-abcdefghijklmnopqrstuvwxyz"), "****");
  EXPECT_EQ(mask_secret("abcdefghijklmnopqrstuvwxyz"), "abcd\u2026wxyz");
  const std::string s(vector_secret);
  EXPECT_EQ(mask_secret(s).find(s.substr(6, 10)), std::string::npos);
}

}  // namespace
}  // namespace carechat::domain
