// The latest-page cache: hits per variant until the chat changes or the entry ages out, and the
// snapshot handshake that keeps a read racing a write from caching the page from before it.
#include "net/page_cache.hpp"

#include <gtest/gtest.h>

namespace carechat::net {
namespace {

const domain::chat_key p1{"gh", "sb-demo", "p1"};
const domain::chat_key p2{"gh", "sb-demo", "p2"};
const page_cache::variant staff20{api::viewer::staff, 20, false};

domain::chat_event event_in(const domain::chat_key& c) {
  domain::chat_event e;
  e.chat = c;
  return e;
}

TEST(page_cache, hits_per_variant_until_the_entry_ages_out) {
  page_cache cache({std::chrono::milliseconds(1000), 100});
  cache.insert(p1, staff20, "page", cache.snapshot(), 10'000);
  ASSERT_NE(cache.find(p1, staff20, 10'999), nullptr);
  EXPECT_EQ(*cache.find(p1, staff20, 10'999), "page");
  EXPECT_EQ(cache.find(p1, staff20, 11'000), nullptr);
  EXPECT_EQ(cache.find(p1, {api::viewer::patient, 20, false}, 10'500), nullptr);
  EXPECT_EQ(cache.find(p1, {api::viewer::staff, 21, false}, 10'500), nullptr);
  EXPECT_EQ(cache.find(p1, {api::viewer::staff, 20, true}, 10'500), nullptr);
  EXPECT_EQ(cache.find(p2, staff20, 10'500), nullptr);
}

TEST(page_cache, an_event_drops_its_chats_pages_only) {
  page_cache cache({std::chrono::milliseconds(60'000), 100});
  cache.insert(p1, staff20, "p1 page", cache.snapshot(), 0);
  cache.insert(p2, staff20, "p2 page", cache.snapshot(), 0);
  const std::vector<domain::chat_event> events{event_in(p1)};
  cache.publish(events);
  EXPECT_EQ(cache.find(p1, staff20, 1), nullptr);
  EXPECT_NE(cache.find(p2, staff20, 1), nullptr);
  EXPECT_EQ(cache.size(), 1u);
}

TEST(page_cache, a_read_that_raced_a_write_is_not_stored) {
  page_cache cache({std::chrono::milliseconds(60'000), 100});
  const auto before = cache.snapshot();  // a read starts...
  const std::vector<domain::chat_event> events{event_in(p1)};
  cache.publish(events);                             // ...a write to its chat commits...
  cache.insert(p1, staff20, "stale", before, 1);     // ...so its page may be from before it
  EXPECT_EQ(cache.find(p1, staff20, 2), nullptr);
  cache.insert(p2, staff20, "other chat", before, 1);  // another chat's read is unaffected
  EXPECT_NE(cache.find(p2, staff20, 2), nullptr);
  cache.insert(p1, staff20, "fresh", cache.snapshot(), 3);
  EXPECT_EQ(*cache.find(p1, staff20, 4), "fresh");
}

TEST(page_cache, starting_over_keeps_refusing_reads_from_before_it) {
  page_cache cache({std::chrono::milliseconds(60'000), 2});
  const auto before = cache.snapshot();
  const std::vector<domain::chat_event> events{event_in(p1)};
  cache.publish(events);
  // Fill past the bound: the cache starts over and forgets that p1 changed...
  cache.insert(p2, staff20, "a", cache.snapshot(), 0);
  cache.insert(p2, {api::viewer::patient, 20, false}, "b", cache.snapshot(), 0);
  cache.insert({"gh", "sb-demo", "p3"}, staff20, "c", cache.snapshot(), 0);
  EXPECT_LE(cache.size(), 2u);
  // ...but a read that began before that change is still refused.
  cache.insert(p1, staff20, "stale", before, 1);
  EXPECT_EQ(cache.find(p1, staff20, 2), nullptr);
}

TEST(page_cache, a_zero_max_age_caches_nothing) {
  page_cache cache({std::chrono::milliseconds(0), 100});
  cache.insert(p1, staff20, "page", cache.snapshot(), 0);
  EXPECT_EQ(cache.find(p1, staff20, 0), nullptr);
}

}  // namespace
}  // namespace carechat::net
