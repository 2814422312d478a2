// The keyed token bucket: bursts, refill, independence of keys and bounded memory.
#include "core/token_bucket.hpp"

#include <gtest/gtest.h>

namespace carechat::core {
namespace {

keyed_token_bucket::options opts(double capacity, double per_second, std::size_t max_keys = 100) {
  keyed_token_bucket::options o;
  o.capacity = capacity;
  o.refill_per_second = per_second;
  o.max_keys = max_keys;
  return o;
}

TEST(token_bucket, allows_a_burst_then_refuses_with_retry_after) {
  keyed_token_bucket b(opts(3, 0.5));
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(b.take("a", 1000).allowed);
  const auto refused = b.take("a", 1000);
  EXPECT_FALSE(refused.allowed);
  EXPECT_EQ(refused.retry_after, std::chrono::seconds(2));  // one event per 2 s
  EXPECT_FALSE(b.check("a", 1000).allowed);
}

TEST(token_bucket, refills_over_time) {
  keyed_token_bucket b(opts(2, 1));
  EXPECT_TRUE(b.take("a", 0).allowed);
  EXPECT_TRUE(b.take("a", 0).allowed);
  EXPECT_FALSE(b.check("a", 500).allowed);
  EXPECT_TRUE(b.check("a", 1000).allowed);
  EXPECT_TRUE(b.take("a", 1000).allowed);
  EXPECT_FALSE(b.take("a", 1000).allowed);
  // Never more than the capacity, however long it waited.
  EXPECT_TRUE(b.take("a", 100'000).allowed);
  EXPECT_TRUE(b.take("a", 100'000).allowed);
  EXPECT_FALSE(b.take("a", 100'000).allowed);
}

TEST(token_bucket, keys_are_independent_and_check_takes_nothing) {
  keyed_token_bucket b(opts(1, 0.01));
  EXPECT_TRUE(b.check("a", 0).allowed);
  EXPECT_TRUE(b.check("a", 0).allowed);
  EXPECT_TRUE(b.take("a", 0).allowed);
  EXPECT_FALSE(b.take("a", 0).allowed);
  EXPECT_TRUE(b.take("b", 0).allowed);
}

TEST(token_bucket, memory_is_bounded_idle_keys_go_first) {
  keyed_token_bucket b(opts(1, 1, 3));
  EXPECT_TRUE(b.take("limited", 0).allowed);  // empty until t=1000
  EXPECT_TRUE(b.take("x", 0).allowed);
  EXPECT_TRUE(b.take("y", 0).allowed);
  EXPECT_EQ(b.size(), 3u);
  // At t=5000 all three refilled: idle, dropped to make room.
  EXPECT_TRUE(b.take("z", 5000).allowed);
  EXPECT_LE(b.size(), 3u);
  // Full of limited keys: the least recently used is forgotten, the size stays bounded.
  for (int i = 0; i < 50; ++i) b.take("k" + std::to_string(i), 6000);
  EXPECT_EQ(b.size(), 3u);
  EXPECT_FALSE(b.take("k49", 6000).allowed);
}

TEST(token_bucket, nonsense_options_are_refused) {
  EXPECT_THROW(keyed_token_bucket(opts(0, 1)), std::invalid_argument);
  EXPECT_THROW(keyed_token_bucket(opts(1, 0)), std::invalid_argument);
  EXPECT_THROW(keyed_token_bucket(opts(1, 1, 0)), std::invalid_argument);
}

}  // namespace
}  // namespace carechat::core
