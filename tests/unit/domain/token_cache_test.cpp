// The token cache: hits within the TTL, misses after it, start-over on clear(), and the
// generation handshake that keeps a lookup racing a clear() from caching a revoked token.
#include "domain/token_cache.hpp"

#include <gtest/gtest.h>

#include "core/crypto.hpp"
#include "unit/support/principals.hpp"

namespace carechat::domain {
namespace {

principal staff() { return test::test_staff(); }

TEST(token_cache, hits_within_the_ttl_only) {
  token_cache cache({std::chrono::milliseconds(1000), 100});
  const auto h = core::sha256("cc_secret");
  EXPECT_FALSE(cache.find(h, 0).has_value());
  cache.insert(h, staff(), cache.generation(), 10'000);
  ASSERT_TRUE(cache.find(h, 10'999).has_value());
  EXPECT_EQ(cache.find(h, 10'999)->user_id, "u1");
  EXPECT_FALSE(cache.find(h, 11'000).has_value());  // aged out
  EXPECT_FALSE(cache.find(h, 9'999).has_value());   // a clock that went back: not trusted
  EXPECT_FALSE(cache.find(core::sha256("cc_other"), 10'500).has_value());
}

TEST(token_cache, clear_forgets_and_refuses_inserts_read_before_it) {
  token_cache cache({std::chrono::milliseconds(60'000), 100});
  const auto h = core::sha256("cc_secret");
  cache.insert(h, staff(), cache.generation(), 0);
  const auto before = cache.generation();  // a lookup starts reading the store...
  cache.clear();                            // ...a revocation is noticed meanwhile...
  cache.insert(h, staff(), before, 1);      // ...so what it read must not be cached
  EXPECT_FALSE(cache.find(h, 2).has_value());
  cache.insert(h, staff(), cache.generation(), 3);  // a lookup after the clear is fine
  EXPECT_TRUE(cache.find(h, 4).has_value());
}

TEST(token_cache, a_zero_ttl_caches_nothing_and_the_size_is_bounded) {
  token_cache off({std::chrono::milliseconds(0), 100});
  off.insert(core::sha256("cc_a"), staff(), off.generation(), 0);
  EXPECT_EQ(off.size(), 0u);
  token_cache small({std::chrono::milliseconds(60'000), 3});
  for (int i = 0; i < 10; ++i) small.insert(core::sha256("cc_" + std::to_string(i)), staff(), small.generation(), 0);
  EXPECT_LE(small.size(), 3u);
  EXPECT_TRUE(small.find(core::sha256("cc_9"), 1).has_value());  // the newest survives a start-over
}

}  // namespace
}  // namespace carechat::domain

namespace carechat::domain {
namespace {

TEST(token_cache, an_expiring_token_is_never_served_past_its_expiry) {
  token_cache cache({std::chrono::milliseconds(60'000), 100});
  const auto h = core::sha256("cc_oauth");
  cache.insert(h, test::test_staff(), cache.generation(), 1'000, 5'000);
  EXPECT_TRUE(cache.find(h, 4'999).has_value());
  EXPECT_FALSE(cache.find(h, 5'000).has_value());  // well within the cache's own 60 s
}

}  // namespace
}  // namespace carechat::domain
