// Launch states are single use and expire; SMART sessions end when idle and at their absolute end.
#include "domain/smart_launch.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "domain/access_policy.hpp"
#include "core/clock.hpp"

namespace carechat::domain {
namespace {

TEST(smart_launch, pkce_s256_matches_rfc7636_appendix_b) {
  EXPECT_EQ(pkce_s256_challenge("dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk"), "E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM");
}

// Taking a launch once, expiry and the cap are the store's (tests/unit/store/store_smart_launches_test.cpp).
TEST(smart_launch, each_launch_has_fresh_secrets_and_an_expiry) {
  core::openssl_random rng;
  auto a = new_pending_launch("http://ehr/fhir", false, 1000, std::chrono::milliseconds(600'000), rng);
  auto b = new_pending_launch("http://ehr/fhir", true, 1000, std::chrono::milliseconds(600'000), rng);
  EXPECT_NE(a.state, b.state);
  EXPECT_NE(a.nonce, b.nonce);
  EXPECT_NE(a.code_verifier, b.code_verifier);
  EXPECT_NE(a.state, a.nonce);
  EXPECT_GE(a.code_verifier.size(), 43u);
  EXPECT_EQ(a.iss, "http://ehr/fhir");
  EXPECT_FALSE(a.standalone);
  EXPECT_TRUE(b.standalone);
  EXPECT_EQ(a.expires_at, 1000 + 600'000);
}

principal staff_for(std::string patient) {
  principal p;
  p.role = role::user;
  p.tenant = "gh";
  p.instance = "sb";
  p.user_id = "dr-ada";
  p.display_name = "Ada Lovelace";
  p.patient_id = std::move(patient);
  return p;
}

TEST(smart_session, staff_sessions_keep_their_patient_and_expire_idle_then_absolutely) {
  core::openssl_random rng;
  core::manual_clock clk(1'000'000);
  smart_session_options opts;
  opts.idle = std::chrono::seconds(900);
  const core::unix_ms end = 1'000'000 + 1'200'000;
  auto s = issue_smart_session(staff_for("pat-A"), end, opts, rng, clk);
  ASSERT_TRUE(s.has_value()) << s.error().message;
  EXPECT_EQ(s->record.who.patient_id, "pat-A");
  EXPECT_EQ(*s->record.expires_at, 1'000'000 + 900'000);
  EXPECT_EQ(smart_session_end(s->record), end);
  clk.advance(600'000);  // renewed later: capped by the absolute end
  auto renewed = issue_smart_session(s->record.who, end, opts, rng, clk);
  ASSERT_TRUE(renewed.has_value());
  EXPECT_EQ(*renewed->record.expires_at, end);
  clk.advance(600'000);
  EXPECT_FALSE(issue_smart_session(s->record.who, end, opts, rng, clk).has_value());
  EXPECT_FALSE(issue_smart_session(staff_for(""), end + 10'000'000, opts, rng, clk).has_value());
  token_record cli;
  EXPECT_FALSE(smart_session_end(cli).has_value());
}

TEST(smart_session, a_bound_staff_session_reaches_its_patient_only) {
  const auto who = staff_for("pat-A");
  EXPECT_TRUE(authorize(who, chat_key{"gh", "sb", "pat-A"}, action::send_outbound).has_value());
  auto other = authorize(who, chat_key{"gh", "sb", "pat-B"}, action::read);
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, core::errc::forbidden);
  EXPECT_FALSE(authorize_instance(who, "gh", "sb", instance_action::list_unread).has_value());
  EXPECT_FALSE(authorize_instance(who, "gh", "sb", instance_action::subscribe).has_value());
  EXPECT_TRUE(authorize_instance(staff_for(""), "gh", "sb", instance_action::list_unread).has_value());
}

}  // namespace
}  // namespace carechat::domain
