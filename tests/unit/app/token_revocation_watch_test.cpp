// The revocation watch over a real SQLite file: a revocation (here through the store, as
// `carechat token revoke` does from its own process) clears the server's token cache within a few
// polls; without one the cache is left alone. Also the periodic thread it runs on.
#include "app/token_revocation_watch.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "core/crypto.hpp"
#include "core/random.hpp"
#include "domain/authentication.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "unit/store/support/temp_dir.hpp"
#include "unit/support/principals.hpp"

namespace carechat::app {
namespace {

using namespace std::chrono_literals;

TEST(periodic_thread, runs_at_once_then_every_interval_until_stopped) {
  std::atomic<int> runs{0};
  periodic_thread t(10ms, [&] { ++runs; });
  const auto deadline = std::chrono::steady_clock::now() + 5s;
  while (runs < 3 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(1ms);
  EXPECT_GE(runs.load(), 3);
  t.stop();
  const int after_stop = runs;
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(runs.load(), after_stop);
  t.stop();  // twice is harmless
}

class token_revocation_watch_test : public ::testing::Test {
 protected:
  void SetUp() override {
    store::sqlite::sqlite_options opts;
    opts.path = (dir_.path() / "carechat.db").string();
    auto s = store::sqlite::sqlite_store::open(opts, clock_, rng_);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    store_ = std::move(*s);
    readers_ = std::make_unique<store::reader_pool>(*store_, store::reader_pool::options{});
    auto issued = domain::issue_token(test::test_staff(), rng_, clock_);
    ASSERT_TRUE(issued.has_value());
    issued_ = std::move(*issued);
    ASSERT_TRUE(store_->insert_token(issued_.record).has_value());
  }

  // Authenticates through the cache (as the server does), which leaves the token cached.
  void use_token() {
    auto lease = readers_->acquire();
    ASSERT_TRUE(domain::authenticate(*lease, issued_.secret, cache_, clock_.now_ms()).has_value());
    ASSERT_TRUE(domain::cached_principal(cache_, issued_.secret, clock_.now_ms()).has_value());
  }

  bool cached_within(std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (std::chrono::steady_clock::now() < deadline) {
      if (!domain::cached_principal(cache_, issued_.secret, clock_.now_ms())) return false;
      std::this_thread::sleep_for(2ms);
    }
    return true;
  }

  test::temp_dir dir_;
  core::manual_clock clock_{1'700'000'000'000};
  core::openssl_random rng_;
  std::unique_ptr<store::sqlite::sqlite_store> store_;
  std::unique_ptr<store::reader_pool> readers_;
  domain::token_cache cache_{{std::chrono::milliseconds(60'000), 100}};
  domain::issued_token issued_;
};

TEST_F(token_revocation_watch_test, a_revocation_clears_the_cache_and_nothing_else_does) {
  token_revocation_watch watch(*readers_, cache_, 10ms);
  use_token();
  EXPECT_TRUE(cached_within(100ms));  // ten polls, no revocation: the cache is kept
  ASSERT_TRUE(store_->revoke_token(issued_.record.id, clock_.now_ms()).value());
  EXPECT_FALSE(cached_within(5s));  // gone within a few polls (the test allows 5 s)
  // And the token no longer authenticates, cached or not.
  auto lease = readers_->acquire();
  EXPECT_FALSE(domain::authenticate(*lease, issued_.secret, cache_, clock_.now_ms()).has_value());
  EXPECT_FALSE(domain::cached_principal(cache_, issued_.secret, clock_.now_ms()).has_value());
  watch.stop();
}

}  // namespace
}  // namespace carechat::app
