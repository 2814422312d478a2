// Contract: guarantees that hold with several writers at once, each with a store (and so a
// connection, and on a real deployment a process or node) of its own: the event log's ordering
// contract (docs/ARCHITECTURE.md, "Event log"), Idempotency-Key races and get-or-create races.
#include <algorithm>
#include <atomic>
#include <barrier>
#include <mutex>
#include <random>
#include <set>
#include <thread>

#include "core/crypto.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

class store_concurrency : public store_contract {
 protected:
  // Another writer on the same database, with a fault hook inside its write transactions.
  std::unique_ptr<domain::store> another_store(std::function<bool()> before_commit = {}) {
    auto s = backend_->open_with_fault(clock_, rng_, std::move(before_commit));
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  domain::send_command keyed(const std::string& text, const std::string& key, core::random_source& rng) {
    domain::send_input in{text, {}, key, core::sha256("POST inbound " + text), {}};
    auto cmd = domain::prepare_send(patient(), chat(), domain::message_kind::inbound, std::move(in), limits_, rng,
                                    clock_);
    EXPECT_TRUE(cmd.has_value());
    return std::move(cmd).value();
  }
};

// 8 writers, each its own store, apply batches of 1-4 sends with a random pause inside every
// transaction (after its positions are taken, before COMMIT) and roll ~10% of them back, while a
// tailer reads the log by position (`events_after(cursor)`, cursor = the last position seen), as
// a live client resuming does. Every committed event must reach the tailer exactly once, in
// order, and the positions must be consecutive.
//
// A log numbered by a sequence (BIGSERIAL, or nextval at insert) fails this: a writer that took
// position 10 and pauses lets another commit 11, the tailer reads 11 and moves its cursor past 10,
// and 10, committed a moment later, is never delivered. Tried once on PostgreSQL (positions from
// nextval, no counter-row lock): the tailer missed events in every run, and the rolled-back
// batches left holes in the numbering. The counter row locked until commit passes it: positions
// become visible in commit order and a rollback gives its positions back.
TEST_P(store_concurrency, concurrent_writers_and_a_tailer_see_every_position_once_in_order) {
  constexpr int writers = 8, batches_per_writer = 30;
  std::vector<std::unique_ptr<domain::store>> stores;
  std::atomic<int> rolled_back{0};
  for (int w = 0; w < writers; ++w) {
    auto rng = std::make_shared<std::mt19937>(static_cast<unsigned>(1000 + w));
    auto mutex = std::make_shared<std::mutex>();
    stores.push_back(another_store([rng, mutex, &rolled_back] {
      std::uniform_int_distribution<int> pause_us(0, 3000), percent(0, 99);
      int pause = 0;
      bool keep = true;
      {
        std::lock_guard lock(*mutex);
        pause = pause_us(*rng);
        keep = percent(*rng) >= 10;
      }
      std::this_thread::sleep_for(std::chrono::microseconds(pause));
      if (!keep) rolled_back.fetch_add(1);
      return keep;
    }));
    ASSERT_NE(stores.back(), nullptr);
  }

  std::mutex committed_mutex;
  std::set<std::int64_t> committed;  // guarded by committed_mutex
  std::atomic<int> writers_left{writers};
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w) {
    threads.emplace_back([&, w] {
      core::openssl_random rng;
      std::mt19937 sizes(static_cast<unsigned>(w));
      for (int b = 0; b < batches_per_writer; ++b) {
        std::vector<domain::write_command> batch;
        const int n = 1 + static_cast<int>(sizes() % 4);
        for (int i = 0; i < n; ++i) {
          auto cmd = domain::prepare_send(patient("p" + std::to_string(w % 3)), chat("p" + std::to_string(w % 3)),
                                          domain::message_kind::inbound,
                                          {"w" + std::to_string(w) + " b" + std::to_string(b), {}, {}, {}, {}}, limits_,
                                          rng, clock_);
          batch.push_back(std::move(cmd).value());
        }
        const auto outcomes = stores[static_cast<std::size_t>(w)]->apply(batch);
        std::lock_guard lock(committed_mutex);
        for (const auto& o : outcomes)
          if (o)
            if (const auto* e = domain::event_of(*o)) committed.insert(e->position);
      }
      writers_left.fetch_sub(1);
    });
  }

  // The tailer: one reader, its own connection, reading after its cursor until the writers are
  // done and one more read finds nothing new.
  std::vector<std::int64_t> delivered;
  auto tail = store_->open_reader();
  std::int64_t cursor = 0;
  for (bool last_round = false;;) {
    const bool done = writers_left.load() == 0;
    auto batch = tail->events_after(instance_scope(), cursor, 50);
    ASSERT_TRUE(batch.has_value()) << batch.error().message;
    for (const auto& e : *batch) {
      delivered.push_back(e.position);
      cursor = e.position;
    }
    if (batch->empty()) {
      if (last_round) break;
      if (done) last_round = true;
      std::this_thread::sleep_for(std::chrono::microseconds(200));
    }
  }
  for (auto& t : threads) t.join();

  ASSERT_FALSE(committed.empty());
  EXPECT_GT(rolled_back.load(), 0) << "the fault hook never rolled a batch back: the test proved less than it says";
  EXPECT_EQ(std::set<std::int64_t>(delivered.begin(), delivered.end()).size(), delivered.size()) << "a duplicate";
  EXPECT_TRUE(std::is_sorted(delivered.begin(), delivered.end()));
  EXPECT_EQ(std::vector<std::int64_t>(committed.begin(), committed.end()), delivered)
      << "the tailer missed or invented events";
  for (std::size_t i = 1; i < delivered.size(); ++i)
    ASSERT_EQ(delivered[i], delivered[i - 1] + 1) << "a hole in the numbering after " << delivered[i - 1];
  EXPECT_EQ(bounds().latest, delivered.back());
}

// Two writers (two processes, two nodes) handed the same request with the same Idempotency-Key at
// the same moment: one message is stored and both answer with it, one of them as a replay. Each
// prepared its own external id, as two servers would.
TEST_P(store_concurrency, racing_writers_store_one_message_per_idempotency_key) {
  auto slow = another_store([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
    return true;
  });
  auto fast = another_store();
  ASSERT_TRUE(slow && fast);
  constexpr int rounds = 20;
  for (int r = 0; r < rounds; ++r) {
    const std::string key = "race-" + std::to_string(r);
    core::openssl_random rng_a, rng_b;
    const domain::write_command a = keyed("same request " + std::to_string(r), key, rng_a);
    const domain::write_command b = keyed("same request " + std::to_string(r), key, rng_b);
    ASSERT_NE(std::get<domain::send_command>(a).external_id, std::get<domain::send_command>(b).external_id);
    std::barrier start(2);
    std::vector<domain::write_outcome> out_a, out_b;
    std::thread ta([&] {
      start.arrive_and_wait();
      out_a = slow->apply(std::span<const domain::write_command>(&a, 1));
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      out_b = fast->apply(std::span<const domain::write_command>(&b, 1));
    });
    ta.join();
    tb.join();
    ASSERT_TRUE(out_a.at(0).has_value()) << out_a[0].error().message;
    ASSERT_TRUE(out_b.at(0).has_value()) << out_b[0].error().message;
    const auto& ra = std::get<domain::send_receipt>(*out_a[0]);
    const auto& rb = std::get<domain::send_receipt>(*out_b[0]);
    EXPECT_EQ(ra.msg.external_id, rb.msg.external_id) << "round " << r;
    EXPECT_NE(ra.replayed, rb.replayed) << "exactly one is the replay, round " << r;
    EXPECT_EQ(ra.msg.text, rb.msg.text);
  }
  EXPECT_EQ(page({}, domain::direction::older, 100).size(), static_cast<std::size_t>(rounds))
      << "one message per key";
}

// Two writers sending the first message of a brand-new chat at once: one chat, both messages.
TEST_P(store_concurrency, racing_first_messages_make_one_chat) {
  auto a = another_store([] {
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    return true;
  });
  auto b = another_store();
  ASSERT_TRUE(a && b);
  for (int r = 0; r < 10; ++r) {
    const std::string who = "new-" + std::to_string(r);
    const domain::write_command ca = inbound("from a", who);
    const domain::write_command cb = inbound("from b", who);
    std::barrier start(2);
    std::vector<domain::write_outcome> oa, ob;
    std::thread ta([&] {
      start.arrive_and_wait();
      oa = a->apply(std::span<const domain::write_command>(&ca, 1));
    });
    std::thread tb([&] {
      start.arrive_and_wait();
      ob = b->apply(std::span<const domain::write_command>(&cb, 1));
    });
    ta.join();
    tb.join();
    ASSERT_TRUE(oa.at(0).has_value()) << oa[0].error().message;
    ASSERT_TRUE(ob.at(0).has_value()) << ob[0].error().message;
    EXPECT_EQ(texts(page({}, domain::direction::newer, 10, false, who)).size(), 2u) << who;
  }
}

INSTANTIATE_TEST_SUITE_P(backends, store_concurrency, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
