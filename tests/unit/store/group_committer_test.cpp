// group_committer over the real SQLite store (wrapped only to inject faults): batching, exactly-once
// completions, draining on stop, refusal when stopped or full, survival of a throwing store.
#include "store/group_committer.hpp"

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <thread>

#include "core/crypto.hpp"
#include "domain/event_hub.hpp"
#include "unit/store/support/faulty_store.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using namespace std::chrono_literals;
using store::group_committer;

// Records what the committer publishes and how many completions had run by then; can throw.
class recording_hub final : public domain::event_hub {
 public:
  explicit recording_hub(const std::atomic<int>& completions) : completions_(completions) {}

  void publish(std::span<const domain::chat_event> events) override {
    std::lock_guard lock(mutex_);
    std::vector<std::int64_t> positions;
    for (const auto& e : events) positions.push_back(e.position);
    published_.push_back(std::move(positions));
    completions_seen_.push_back(completions_.load());
    if (throws_left_ > 0) {
      --throws_left_;
      throw std::runtime_error("hub failure");
    }
  }

  void throw_on_next_publishes(int n) {
    std::lock_guard lock(mutex_);
    throws_left_ = n;
  }
  std::vector<std::vector<std::int64_t>> published() {
    std::lock_guard lock(mutex_);
    return published_;
  }
  std::vector<int> completions_seen() {
    std::lock_guard lock(mutex_);
    return completions_seen_;
  }

 private:
  const std::atomic<int>& completions_;
  std::mutex mutex_;
  std::vector<std::vector<std::int64_t>> published_;
  std::vector<int> completions_seen_;
  int throws_left_ = 0;
};

class group_committer_test : public store_contract {
 protected:
  void SetUp() override {
    store_contract::SetUp();
    faulty_ = std::make_unique<faulty_store>(*store_);
  }
  void TearDown() override {
    faulty_->resume();  // never leave a writer thread stalled behind a failed assertion
  }

  std::size_t stored_messages() {
    auto r = reader_->messages(domain::page_query{chat(), true, {}, domain::direction::older, 100000});
    EXPECT_TRUE(r.has_value());
    return r ? r->size() : 0;
  }

  // Options whose fire-and-forget rows may wait an hour for company: only what ends the wait
  // (a waited-for command, a full batch, stop) gets them committed within a test.
  static group_committer::options waiting_an_hour(std::size_t max_batch = 512) {
    return {.max_batch = max_batch, .max_queue = 100, .background_delay = 1h};
  }

  // `n` read-audit rows: fire-and-forget, as a server queues them.
  void submit_reads(group_committer& committer, int n) {
    const auto row = domain::make_audit(patient(), chat(), domain::action::read, clock_);
    for (int i = 0; i < n; ++i) ASSERT_TRUE(committer.submit(row, {}));
  }

  std::unique_ptr<faulty_store> faulty_;
};

TEST_P(group_committer_test, concurrent_submits_share_batches_and_complete_exactly_once) {
  constexpr int threads = 8;
  constexpr int per_thread = 50;
  constexpr int total = threads * per_thread;
  std::vector<domain::send_command> cmds;
  for (int i = 0; i < total; ++i) cmds.push_back(inbound("m" + std::to_string(i)));

  group_committer committer(*faulty_, {.max_batch = 64, .max_queue = 10000});
  std::vector<std::atomic<int>> calls(total);
  std::atomic<int> failures{0};

  // A slow disk for the first batch, so the others pile up behind it whatever the scheduling.
  faulty_->stall();
  ASSERT_TRUE(committer.submit(inbound("first"), {}));
  ASSERT_TRUE(faulty_->wait_until_stalled(10s));

  std::vector<std::thread> submitters;
  for (int t = 0; t < threads; ++t)
    submitters.emplace_back([&, t] {
      for (int i = t * per_thread; i < (t + 1) * per_thread; ++i)
        if (!committer.submit(cmds[static_cast<std::size_t>(i)], [&, i](domain::write_outcome o) {
              calls[static_cast<std::size_t>(i)].fetch_add(1);
              if (!o) failures.fetch_add(1);
            }))
          failures.fetch_add(1);
    });
  for (auto& s : submitters) s.join();
  faulty_->resume();
  committer.stop();

  for (int i = 0; i < total; ++i) EXPECT_EQ(calls[static_cast<std::size_t>(i)].load(), 1) << "command " << i;
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(committer.commands(), static_cast<std::uint64_t>(total + 1));
  // One stalled batch, then the 400 waiting commands in batches of at most 64: at most 1 + 7.
  EXPECT_LE(committer.batches(), 8u);
  EXPECT_LT(committer.batches(), committer.commands());
  EXPECT_EQ(stored_messages(), static_cast<std::size_t>(total + 1));
}

TEST_P(group_committer_test, outcomes_reach_the_right_callers) {
  group_committer committer(*faulty_, {});
  auto claimed = inbound("claimed");
  claimed.idempotency = domain::idempotency_claim{"tk", "k", core::sha256("a")};
  auto conflicting = inbound("conflicting");
  conflicting.idempotency = domain::idempotency_claim{"tk", "k", core::sha256("b")};

  faulty_->stall();  // both land in one batch
  ASSERT_TRUE(committer.submit(inbound("warm-up"), {}));
  ASSERT_TRUE(faulty_->wait_until_stalled(10s));
  std::promise<domain::write_outcome> first, second;
  ASSERT_TRUE(committer.submit(claimed, [&](domain::write_outcome o) { first.set_value(std::move(o)); }));
  ASSERT_TRUE(committer.submit(conflicting, [&](domain::write_outcome o) { second.set_value(std::move(o)); }));
  faulty_->resume();

  auto a = first.get_future().get();
  auto b = second.get_future().get();
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(std::get<domain::send_receipt>(*a).msg.text, "claimed");
  ASSERT_FALSE(b.has_value());
  EXPECT_EQ(b.error().code, core::errc::idempotency_conflict);
  committer.stop();
  EXPECT_EQ(committer.batches(), 2u);
}

TEST_P(group_committer_test, stop_drains_the_queue_then_refuses) {
  // A queue too large to fill here, so only stopping can make submit() refuse.
  group_committer committer(*faulty_, {.max_batch = 512, .max_queue = 1'000'000});
  std::atomic<int> done{0};
  faulty_->stall();
  for (int i = 0; i < 20; ++i) ASSERT_TRUE(committer.submit(inbound("m" + std::to_string(i)), [&](auto) { ++done; }));
  ASSERT_TRUE(faulty_->wait_until_stalled(10s));
  std::thread stopper([&] { committer.stop(); });
  // Until stop() takes effect submits are still accepted (and must complete); from then on refused.
  const auto probe = domain::make_audit(patient(), chat(), domain::action::read, clock_);
  int accepted = 0;
  while (committer.submit(probe, [&](auto) { ++done; })) ++accepted;
  EXPECT_FALSE(committer.submit(inbound("late"), [&](auto) { ADD_FAILURE() << "refused work must not complete"; }));
  faulty_->resume();
  stopper.join();
  EXPECT_EQ(done.load(), 20 + accepted);
  EXPECT_EQ(stored_messages(), 20u);
  EXPECT_EQ(committer.commands(), static_cast<std::uint64_t>(20 + accepted));
  committer.stop();  // idempotent
  EXPECT_FALSE(committer.submit(inbound("after stop"), {}));
}

TEST_P(group_committer_test, batches_hold_at_most_max_batch) {
  group_committer committer(*faulty_, {.max_batch = 4, .max_queue = 100});
  faulty_->stall();
  ASSERT_TRUE(committer.submit(inbound("warm-up"), {}));
  ASSERT_TRUE(faulty_->wait_until_stalled(10s));
  for (int i = 0; i < 18; ++i) ASSERT_TRUE(committer.submit(inbound("m" + std::to_string(i)), {}));
  faulty_->resume();
  committer.stop();
  EXPECT_EQ(committer.commands(), 19u);
  EXPECT_EQ(committer.batches(), 1u + 5u);  // the warm-up, then 4 + 4 + 4 + 4 + 2
}

// background_delay: fire-and-forget rows (read audits) wait for company instead of a commit each.
TEST_P(group_committer_test, background_rows_wait_and_a_waited_command_takes_them_along) {
  group_committer committer(*faulty_, waiting_an_hour());
  submit_reads(committer, 3);
  // Time enough for a writer that did not wait to commit them on their own (then 2 batches).
  std::this_thread::sleep_for(100ms);
  EXPECT_EQ(committer.batches(), 0u);
  std::promise<domain::write_outcome> sent;
  ASSERT_TRUE(committer.submit(inbound("hello"), [&](domain::write_outcome o) { sent.set_value(std::move(o)); }));
  auto answer = sent.get_future();
  ASSERT_EQ(answer.wait_for(30s), std::future_status::ready) << "a send must not wait out the delay";
  EXPECT_TRUE(answer.get().has_value());
  EXPECT_EQ(committer.batches(), 1u);
  EXPECT_EQ(committer.commands(), 4u);
}

TEST_P(group_committer_test, a_full_batch_of_background_rows_is_committed_without_waiting) {
  group_committer committer(*faulty_, waiting_an_hour(4));
  submit_reads(committer, 4);
  for (int i = 0; i < 3000 && committer.commands() < 4; ++i) std::this_thread::sleep_for(10ms);
  EXPECT_EQ(committer.commands(), 4u);
  EXPECT_EQ(committer.batches(), 1u);
}

TEST_P(group_committer_test, stop_commits_waiting_background_rows_at_once) {
  group_committer committer(*faulty_, waiting_an_hour());
  submit_reads(committer, 3);
  std::this_thread::sleep_for(50ms);  // let the writer start waiting
  auto stopped = std::async(std::launch::async, [&] { committer.stop(); });
  ASSERT_EQ(stopped.wait_for(30s), std::future_status::ready) << "stop() must not wait out the delay";
  EXPECT_EQ(committer.commands(), 3u);
}

TEST_P(group_committer_test, a_full_queue_refuses_without_calling_back) {
  group_committer committer(*faulty_, {.max_batch = 512, .max_queue = 3});
  faulty_->stall();
  ASSERT_TRUE(committer.submit(inbound("in flight"), {}));
  ASSERT_TRUE(faulty_->wait_until_stalled(10s));  // taken off the queue, stuck in apply()
  for (int i = 0; i < 3; ++i) EXPECT_TRUE(committer.submit(inbound("queued"), {}));
  EXPECT_FALSE(committer.submit(inbound("one too many"), [](auto) { ADD_FAILURE() << "refused work completed"; }));
  faulty_->resume();
  committer.stop();
  EXPECT_EQ(stored_messages(), 4u);
}

TEST_P(group_committer_test, a_throwing_store_fails_the_batch_and_the_writer_survives) {
  group_committer committer(*faulty_, {});
  faulty_->throw_on_next_applies(1);
  std::promise<domain::write_outcome> failed, later;
  ASSERT_TRUE(committer.submit(inbound("lost"), [&](domain::write_outcome o) { failed.set_value(std::move(o)); }));
  auto f = failed.get_future().get();
  ASSERT_FALSE(f.has_value());
  EXPECT_EQ(f.error().code, core::errc::internal);

  ASSERT_TRUE(committer.submit(inbound("kept"), [&](domain::write_outcome o) { later.set_value(std::move(o)); }));
  auto l = later.get_future().get();
  ASSERT_TRUE(l.has_value());
  EXPECT_EQ(std::get<domain::send_receipt>(*l).msg.text, "kept");
  committer.stop();
  EXPECT_EQ(stored_messages(), 1u);
}

TEST_P(group_committer_test, a_throwing_completion_does_not_hurt_the_others) {
  group_committer committer(*faulty_, {});
  faulty_->stall();
  ASSERT_TRUE(committer.submit(inbound("warm-up"), {}));
  ASSERT_TRUE(faulty_->wait_until_stalled(10s));
  std::promise<bool> second;
  ASSERT_TRUE(committer.submit(inbound("a"), [](auto) { throw std::runtime_error("careless handler"); }));
  ASSERT_TRUE(committer.submit(inbound("b"), [&](domain::write_outcome o) { second.set_value(o.has_value()); }));
  faulty_->resume();
  EXPECT_TRUE(second.get_future().get());
  committer.stop();
}

TEST_P(group_committer_test, stop_from_a_completion_does_not_deadlock) {
  auto committer = std::make_unique<group_committer>(*faulty_, group_committer::options{});
  std::promise<void> called;
  ASSERT_TRUE(committer->submit(inbound("x"), [&](auto) {
    committer->stop();  // on the writer thread: stops intake, cannot join itself
    called.set_value();
  }));
  called.get_future().get();
  EXPECT_FALSE(committer->submit(inbound("y"), {}));
  committer.reset();  // joins from this thread
}

TEST_P(group_committer_test, events_are_published_in_order_before_the_completions) {
  std::atomic<int> completions{0};
  recording_hub hub(completions);
  group_committer committer(*faulty_, {.hub = &hub});

  faulty_->stall();  // everything below lands in one batch
  ASSERT_TRUE(committer.submit(inbound("warm-up"), {}));
  ASSERT_TRUE(faulty_->wait_until_stalled(10s));
  auto keyed = inbound("keyed");
  keyed.idempotency = domain::idempotency_claim{"tk", "k", core::sha256("a")};
  auto conflicting = inbound("conflicting");
  conflicting.idempotency = domain::idempotency_claim{"tk", "k", core::sha256("b")};
  std::vector<domain::write_command> cmds{
      inbound("a"),
      keyed,
      keyed,                                                                              // replay: no event
      conflicting,                                                                        // fails: no event
      domain::prepare_archive(staff(), chat("nobody"), clock_.now_ms(), clock_).value(),  // no-op: no event
      domain::make_audit(staff(), chat(), domain::action::read, clock_),                  // no event
      mark_read(staff()),
  };
  std::vector<std::promise<domain::write_outcome>> outcomes(cmds.size());
  for (std::size_t i = 0; i < cmds.size(); ++i)
    ASSERT_TRUE(committer.submit(cmds[i], [&, i](domain::write_outcome o) {
      ++completions;
      outcomes[i].set_value(std::move(o));
    }));
  faulty_->resume();
  std::vector<std::int64_t> expected;
  for (auto& p : outcomes) {
    auto o = p.get_future().get();
    if (const domain::chat_event* e = o ? domain::event_of(*o) : nullptr) expected.push_back(e->position);
  }
  committer.stop();

  ASSERT_EQ(expected.size(), 3u);  // "a", the first "keyed", the mark-read
  const auto published = hub.published();
  ASSERT_EQ(published.size(), 2u);  // one publish per batch
  EXPECT_EQ(published[0].size(), 1u);
  EXPECT_EQ(published[1], expected);
  EXPECT_TRUE(std::is_sorted(published[1].begin(), published[1].end()));
  EXPECT_EQ(hub.completions_seen(), (std::vector<int>{0, 0}));  // before any completion of its batch
  EXPECT_EQ(completions.load(), static_cast<int>(cmds.size()));
}

TEST_P(group_committer_test, batches_without_events_publish_nothing) {
  std::atomic<int> completions{0};
  recording_hub hub(completions);
  group_committer committer(*faulty_, {.hub = &hub});
  std::promise<void> done;
  ASSERT_TRUE(committer.submit(domain::make_audit(staff(), chat(), domain::action::read, clock_),
                               [&](auto) { done.set_value(); }));
  done.get_future().get();
  committer.stop();
  EXPECT_TRUE(hub.published().empty());
}

TEST_P(group_committer_test, a_throwing_hub_does_not_stop_the_writer_or_the_answers) {
  std::atomic<int> completions{0};
  recording_hub hub(completions);
  group_committer committer(*faulty_, {.hub = &hub});
  hub.throw_on_next_publishes(1);
  std::promise<domain::write_outcome> first, second;
  ASSERT_TRUE(committer.submit(inbound("one"), [&](domain::write_outcome o) { first.set_value(std::move(o)); }));
  auto a = first.get_future().get();
  ASSERT_TRUE(a.has_value());  // committed: the caller hears so although publishing failed
  ASSERT_TRUE(committer.submit(inbound("two"), [&](domain::write_outcome o) { second.set_value(std::move(o)); }));
  auto b = second.get_future().get();
  ASSERT_TRUE(b.has_value());
  committer.stop();
  const auto published = hub.published();
  ASSERT_EQ(published.size(), 2u);
  EXPECT_EQ(published[1], (std::vector<std::int64_t>{domain::event_of(*b)->position}));
  EXPECT_EQ(stored_messages(), 2u);
}

INSTANTIATE_TEST_SUITE_P(backends, group_committer_test, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
