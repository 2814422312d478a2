#include "core/clock.hpp"

#include <gtest/gtest.h>

namespace carechat::core {
namespace {

TEST(manual_clock, set_and_advance) {
  manual_clock c(1000);
  EXPECT_EQ(c.now_ms(), 1000);
  c.advance(250);
  EXPECT_EQ(c.now_ms(), 1250);
  c.set(-5);
  EXPECT_EQ(c.now_ms(), -5);
  const clock& as_base = c;
  EXPECT_EQ(as_base.now_ms(), -5);
}

TEST(system_clock, is_after_2020_and_monotone_enough) {
  system_clock c;
  const unix_ms a = c.now_ms();
  EXPECT_GT(a, 1'577'836'800'000);  // 2020-01-01
  EXPECT_GE(c.now_ms(), a);
}

}  // namespace
}  // namespace carechat::core
