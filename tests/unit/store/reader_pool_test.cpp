// reader_pool over the real SQLite store: reuse, the max_idle bound, concurrent leases.
#include "store/reader_pool.hpp"

#include <atomic>
#include <thread>

#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using store::reader_pool;

class reader_pool_test : public store_contract {};

TEST_P(reader_pool_test, reuses_idle_readers) {
  reader_pool pool(*store_, {.max_idle = 4});
  domain::store_reader* first = nullptr;
  {
    auto lease = pool.acquire();
    first = &*lease;
    EXPECT_EQ(pool.idle(), 0u);
  }
  EXPECT_EQ(pool.idle(), 1u);
  auto again = pool.acquire();
  EXPECT_EQ(&*again, first);
  EXPECT_EQ(pool.idle(), 0u);
}

TEST_P(reader_pool_test, keeps_at_most_max_idle) {
  reader_pool pool(*store_, {.max_idle = 2});
  {
    std::vector<reader_pool::lease> leases;
    for (int i = 0; i < 5; ++i) leases.push_back(pool.acquire());
  }
  EXPECT_EQ(pool.idle(), 2u);
}

TEST_P(reader_pool_test, moved_leases_return_once) {
  reader_pool pool(*store_, {});
  {
    auto a = pool.acquire();
    auto b = std::move(a);
    auto c = pool.acquire();
    c = std::move(b);  // c's own reader goes back now, b's when c ends
    EXPECT_EQ(pool.idle(), 1u);
  }
  EXPECT_EQ(pool.idle(), 2u);
}

TEST_P(reader_pool_test, leased_readers_read_concurrently) {
  send_all({"one", "two", "three"});
  reader_pool pool(*store_, {.max_idle = 8});
  std::atomic<int> good{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 50; ++i) {
        auto reader = pool.acquire();
        auto r = reader->messages(domain::page_query{chat(), false, {}, domain::direction::older, 10});
        if (r && r->size() == 3) ++good;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(good.load(), 300);
  EXPECT_LE(pool.idle(), 6u);
}

INSTANTIATE_TEST_SUITE_P(backends, reader_pool_test, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
