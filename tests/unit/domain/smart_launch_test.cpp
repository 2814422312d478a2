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

TEST(smart_launch, a_state_is_taken_once_and_not_after_it_expires) {
  core::openssl_random rng;
  smart_launch_states states;
  auto a = new_pending_launch("http://ehr/fhir", false, 1000, std::chrono::milliseconds(600'000), rng);
  auto b = new_pending_launch("http://ehr/fhir", false, 1000, std::chrono::milliseconds(600'000), rng);
  EXPECT_NE(a.state, b.state);
  EXPECT_GE(a.code_verifier.size(), 43u);
  const auto sa = a.state, sb = b.state;
  ASSERT_TRUE(states.put(std::move(a), 1000));
  ASSERT_TRUE(states.put(std::move(b), 1000));
  auto taken = states.take(sa, 2000);
  ASSERT_TRUE(taken.has_value());
  EXPECT_EQ(taken->iss, "http://ehr/fhir");
  EXPECT_FALSE(states.take(sa, 2000).has_value());  // replayed
  EXPECT_FALSE(states.take("forged", 2000).has_value());
  EXPECT_FALSE(states.take(sb, 1000 + 600'000).has_value());  // expired
  EXPECT_EQ(states.size(), 0u);
}

TEST(smart_launch, a_full_table_refuses_new_launches_until_old_ones_expire) {
  core::openssl_random rng;
  smart_launch_states states(2);
  for (int i = 0; i < 2; ++i)
    ASSERT_TRUE(states.put(new_pending_launch("i", true, 0, std::chrono::milliseconds(100), rng), 0));
  EXPECT_FALSE(states.put(new_pending_launch("i", true, 0, std::chrono::milliseconds(100), rng), 50));
  EXPECT_TRUE(states.put(new_pending_launch("i", true, 100, std::chrono::milliseconds(100), rng), 100));
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
