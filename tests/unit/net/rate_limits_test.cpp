#include "net/rate_limits.hpp"

#include <gtest/gtest.h>

namespace carechat::net {
namespace {

rate_limit_options options() {
  rate_limit_options o;
  o.per_token[static_cast<std::size_t>(rate_limit::sends)] = {2, 60};  // 2 at once, 1 a second
  o.per_address[static_cast<std::size_t>(rate_limit::sends)] = {3, 60};
  o.per_address[static_cast<std::size_t>(rate_limit::auth_failures)] = {2, 30};  // one per 2 s
  return o;
}

TEST(rate_limits, per_token_and_per_address_are_separate_buckets_and_counted) {
  rate_limiter l(options());
  EXPECT_TRUE(l.take_token(rate_limit::sends, "tk_a", 0).allowed);
  EXPECT_TRUE(l.take_token(rate_limit::sends, "tk_a", 0).allowed);
  const auto refused = l.take_token(rate_limit::sends, "tk_a", 0);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after.count(), 1);
  EXPECT_TRUE(l.take_token(rate_limit::sends, "tk_b", 0).allowed);      // another token: its own bucket
  EXPECT_TRUE(l.take_address(rate_limit::sends, "tk_a", 0).allowed);    // the address map is apart
  EXPECT_TRUE(l.take_token(rate_limit::sends, "tk_a", 1'000).allowed);  // refilled
  EXPECT_EQ(l.refused(rate_limit::sends, true), 1u);
  EXPECT_EQ(l.refused(rate_limit::sends, false), 0u);
}

TEST(rate_limits, an_off_limit_allows_everything) {
  rate_limiter l(options());
  for (int i = 0; i < 1000; ++i) {
    EXPECT_TRUE(l.take_token(rate_limit::searches, "tk_a", 0).allowed);
    EXPECT_TRUE(l.take_address(rate_limit::uploads, "192.0.2.1", 0).allowed);
  }
  EXPECT_EQ(l.refused(rate_limit::searches, true), 0u);
}

TEST(rate_limits, failed_authentications_lock_an_address_and_its_audit_is_bounded) {
  rate_limiter l(options());
  EXPECT_TRUE(l.auth_locked("192.0.2.1", 0).allowed);
  EXPECT_TRUE(l.note_auth_failure("192.0.2.1", 0));
  EXPECT_TRUE(l.note_auth_failure("192.0.2.1", 0));
  const auto locked = l.auth_locked("192.0.2.1", 0);
  EXPECT_FALSE(locked.allowed);
  EXPECT_EQ(locked.retry_after.count(), 2);
  EXPECT_TRUE(l.auth_locked("192.0.2.2", 0).allowed);  // another address
  // Refusals of a locked address: one audit row a minute.
  EXPECT_TRUE(l.audit_lockout("192.0.2.1", 0));
  EXPECT_FALSE(l.audit_lockout("192.0.2.1", 1'000));
  EXPECT_FALSE(l.audit_lockout("192.0.2.1", 59'000));
  EXPECT_TRUE(l.audit_lockout("192.0.2.1", 60'000));
  EXPECT_EQ(l.refused(rate_limit::auth_failures, false), 4u);
  EXPECT_TRUE(l.auth_locked("192.0.2.1", 2'000).allowed);  // refilled
}

TEST(rate_limits, metric_labels_name_each_limit) {
  EXPECT_EQ(to_string(rate_limit::sends, true), "sends_per_token");
  EXPECT_EQ(to_string(rate_limit::live_connects, false), "live_connects_per_address");
  EXPECT_EQ(to_string(rate_limit::auth_failures, false), "auth_failures_per_address");
  rate_limiter l(options());
  (void)l.take_token(rate_limit::sends, "tk", 0);
  (void)l.take_token(rate_limit::sends, "tk", 0);
  (void)l.take_token(rate_limit::sends, "tk", 0);
  core::metrics::registry reg;
  register_rate_limit_metrics(reg, l);
  const auto text = reg.render();
  EXPECT_NE(text.find("carechat_rate_limited_total{limit=\"sends_per_token\"} 1"), std::string::npos) << text;
  EXPECT_NE(text.find("carechat_rate_limited_total{limit=\"auth_failures_per_address\"} 0"), std::string::npos);
  EXPECT_EQ(text.find("auth_failures_per_token"), std::string::npos);
}

}  // namespace
}  // namespace carechat::net
