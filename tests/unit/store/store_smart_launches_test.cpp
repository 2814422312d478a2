// Contract: SMART launches in flight (domain/pending_launch.hpp) on every backend. A launch is
// taken at most once, only before it expires; of two takes of one state from two stores (two
// nodes) on one database exactly one succeeds; the cap refuses new launches until old ones
// expire; expired rows are pruned; the state itself is never stored, only its SHA-256.
#include <atomic>
#include <barrier>
#include <chrono>
#include <thread>

#include "core/crypto.hpp"
#include "domain/smart_launch.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

constexpr std::chrono::milliseconds ttl{10 * 60 * 1000};

class store_smart_launches : public store_contract {
 protected:
  domain::smart_launch_store& launches() {
    auto* l = store_->smart_launches();
    EXPECT_NE(l, nullptr);
    return *l;
  }
  domain::pending_launch fresh(core::unix_ms now, bool standalone = false) {
    return domain::new_pending_launch("https://ehr.example/fhir", standalone, now, ttl, rng_);
  }
  bool put(domain::smart_launch_store& to, const domain::pending_launch& p, core::unix_ms now,
           std::size_t cap = 10'000) {
    auto r = to.put_smart_launch(p, now, cap);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r && *r;
  }
  std::optional<domain::pending_launch> take(domain::smart_launch_store& from, const std::string& state,
                                             core::unix_ms now) {
    auto r = from.take_smart_launch(state, now);
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? *r : std::nullopt;
  }
};

TEST_P(store_smart_launches, a_launch_is_taken_once_with_all_it_carried) {
  const core::unix_ms now = start_ms;
  auto ehr = fresh(now);
  auto portal = fresh(now, true);
  ASSERT_TRUE(put(launches(), ehr, now));
  ASSERT_TRUE(put(launches(), portal, now));
  auto got = take(launches(), ehr.state, now + 1000);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->state, ehr.state);
  EXPECT_EQ(got->nonce, ehr.nonce);
  EXPECT_EQ(got->code_verifier, ehr.code_verifier);
  EXPECT_EQ(got->iss, "https://ehr.example/fhir");
  EXPECT_FALSE(got->standalone);
  EXPECT_EQ(got->expires_at, now + ttl.count());
  EXPECT_FALSE(take(launches(), ehr.state, now + 1000).has_value()) << "a replayed state finds nothing";
  EXPECT_FALSE(take(launches(), "forged-state", now + 1000).has_value());
  EXPECT_FALSE(take(launches(), "", now + 1000).has_value());
  // The other launch is untouched, and survives a restart (another node sees it).
  reopen();
  auto other = take(launches(), portal.state, now + 2000);
  ASSERT_TRUE(other.has_value());
  EXPECT_TRUE(other->standalone);
  EXPECT_EQ(other->nonce, portal.nonce);
}

TEST_P(store_smart_launches, an_expired_launch_cannot_be_taken_and_is_pruned) {
  const core::unix_ms now = start_ms;
  auto a = fresh(now), b = fresh(now), c = fresh(now + 60'000);
  ASSERT_TRUE(put(launches(), a, now));
  ASSERT_TRUE(put(launches(), b, now));
  ASSERT_TRUE(put(launches(), c, now + 60'000));
  const core::unix_ms expired = now + ttl.count();  // expires_at is the first instant it is no longer valid
  EXPECT_FALSE(take(launches(), a.state, expired).has_value());
  EXPECT_TRUE(take(launches(), b.state, expired - 1).has_value());
  auto pruned = launches().prune_smart_launches(expired);
  ASSERT_TRUE(pruned.has_value()) << pruned.error().message;
  EXPECT_EQ(*pruned, 1) << "a, left behind by its expired take; b was taken, c is still valid";
  auto again = launches().prune_smart_launches(expired);
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(*again, 0);
  EXPECT_TRUE(take(launches(), c.state, expired).has_value());
}

TEST_P(store_smart_launches, the_cap_refuses_new_launches_until_old_ones_expire) {
  const core::unix_ms now = start_ms;
  auto a = fresh(now), b = fresh(now);
  ASSERT_TRUE(put(launches(), a, now, 2));
  ASSERT_TRUE(put(launches(), b, now, 2));
  auto over = fresh(now + 10);
  EXPECT_FALSE(put(launches(), over, now + 10, 2)) << "full: fail closed";
  EXPECT_FALSE(take(launches(), over.state, now + 20).has_value()) << "a refused launch is not recorded";
  // A taken launch frees its place.
  ASSERT_TRUE(take(launches(), a.state, now + 20).has_value());
  auto next = fresh(now + 30);
  EXPECT_TRUE(put(launches(), next, now + 30, 2));
  auto full_again = fresh(now + 40);
  EXPECT_FALSE(put(launches(), full_again, now + 40, 2));
  // Once b expired, the put prunes it and has room.
  const core::unix_ms later = now + ttl.count();
  auto after = fresh(later);
  EXPECT_TRUE(put(launches(), after, later, 2));
  auto pruned = launches().prune_smart_launches(later);
  ASSERT_TRUE(pruned.has_value());
  EXPECT_EQ(*pruned, 0) << "the put pruned b already";
}

// Tokens are kept hashed; so are launch states: a copy of the database cannot finish a launch.
TEST_P(store_smart_launches, the_state_itself_is_never_stored) {
  auto p = fresh(start_ms);
  ASSERT_TRUE(put(launches(), p, start_ms));
  store_.reset();  // flushed and closed
  reader_.reset();
  EXPECT_FALSE(backend_->file_contains(p.state));
  EXPECT_TRUE(backend_->file_contains(p.code_verifier)) << "the probe sees the row";
}

// Two nodes (two stores, each with its own connections) get the callback for one state at the same
// moment: exactly one takes the launch, every round.
TEST_P(store_smart_launches, two_stores_racing_for_one_state_take_it_once) {
  auto node1 = backend_->open(clock_, rng_);
  auto node2 = backend_->open(clock_, rng_);
  ASSERT_TRUE(node1.has_value() && node2.has_value());
  auto* l1 = (*node1)->smart_launches();
  auto* l2 = (*node2)->smart_launches();
  ASSERT_TRUE(l1 != nullptr && l2 != nullptr);
  constexpr int rounds = 25;
  const core::unix_ms now = start_ms;
  for (int r = 0; r < rounds; ++r) {
    auto p = fresh(now);
    ASSERT_TRUE(put(*l1, p, now));  // the launch reached node 1
    std::barrier start(2);
    core::result<std::optional<domain::pending_launch>> got1 = std::optional<domain::pending_launch>(),
                                                        got2 = std::optional<domain::pending_launch>();
    std::thread t1([&] {
      start.arrive_and_wait();
      got1 = l1->take_smart_launch(p.state, now + 1);
    });
    std::thread t2([&] {
      start.arrive_and_wait();
      got2 = l2->take_smart_launch(p.state, now + 1);
    });
    t1.join();
    t2.join();
    ASSERT_TRUE(got1.has_value()) << got1.error().message;
    ASSERT_TRUE(got2.has_value()) << got2.error().message;
    EXPECT_NE(got1->has_value(), got2->has_value()) << "exactly one callback wins, round " << r;
    const auto& winner = got1->has_value() ? **got1 : **got2;
    EXPECT_EQ(winner.code_verifier, p.code_verifier);
  }
  // The callback on node 2 of a launch that reached node 1, one at a time.
  auto p = fresh(now);
  ASSERT_TRUE(put(*l1, p, now));
  EXPECT_TRUE(take(*l2, p.state, now + 1).has_value());
  EXPECT_FALSE(take(*l1, p.state, now + 1).has_value());
}

INSTANTIATE_TEST_SUITE_P(backends, store_smart_launches, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
