// Contract: the tamper-evident audit trail (domain/audit_chain.hpp). Every audit row a store
// writes is linked into its tenant/instance's chain, consecutively and correctly hashed, through
// rolled-back batches and with several writers (each a store of its own: on SQLite several
// connections to one file, on PostgreSQL several nodes) appending at once.
#include <atomic>
#include <limits>
#include <mutex>
#include <random>
#include <thread>

#include "domain/audit_verify.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

class store_audit_chain : public store_contract {
 protected:
  std::unique_ptr<domain::store> another_store(std::function<bool()> before_commit = {}) {
    auto s = backend_->open_with_fault(clock_, rng_, std::move(before_commit));
    EXPECT_TRUE(s.has_value()) << s.error().message;
    return s ? std::move(*s) : nullptr;
  }

  static domain::audit_entry read_row(const std::string& tenant, const std::string& instance, int n) {
    domain::audit_entry e;
    e.at = start_ms + n;
    e.token_id = "tk_" + std::to_string(n);
    e.actor_role = domain::role::user;
    e.actor_id = "u-1";
    e.action = "read";
    e.chat = domain::chat_key{tenant, instance, "p" + std::to_string(n % 3)};
    e.outcome = n % 5 == 0 ? "forbidden" : "ok";
    return e;
  }

  std::vector<domain::audit_chain_report> verify(domain::store& st, domain::audit_verify_scope scope = {}) {
    std::vector<domain::audit_chain_report> out;
    scope.page_size = 7;  // several pages even for a short chain
    auto ok = domain::verify_audit_chains(st, scope, [&](const domain::audit_chain_report& r) { out.push_back(r); });
    EXPECT_TRUE(ok.has_value()) << ok.error().message;
    return out;
  }

  std::int64_t stored_rows(domain::store& st) {
    domain::audit_export_query q{std::nullopt, std::nullopt, 0, std::numeric_limits<std::int64_t>::max(), 0, 100000};
    auto rows = st.audit_export_page(q);
    EXPECT_TRUE(rows.has_value());
    return rows ? static_cast<std::int64_t>(rows->size()) : -1;
  }
};

TEST_P(store_audit_chain, every_row_is_linked_in_its_chain) {
  for (int i = 1; i <= 12; ++i) {
    std::vector<domain::write_command> batch{read_row("gh", "sb-demo", i), read_row("gh", "other", i)};
    if (i % 4 == 0) batch.push_back(inbound("hello " + std::to_string(i)));
    const auto outcomes = store_->apply(batch);
    for (const auto& o : outcomes) EXPECT_TRUE(o.has_value());
  }
  const auto reports = verify(*store_);
  ASSERT_EQ(reports.size(), 2u);
  EXPECT_EQ(reports[0].chain, (domain::audit_chain_key{"gh", "other"}));
  EXPECT_EQ(reports[0].rows, 12);
  EXPECT_EQ(reports[1].chain, (domain::audit_chain_key{"gh", "sb-demo"}));
  EXPECT_EQ(reports[1].rows, 15) << "12 reads and the sends' 3 rows";
  for (const auto& r : reports) {
    EXPECT_FALSE(r.broken) << *r.broken;
    ASSERT_TRUE(r.head);
    EXPECT_EQ(r.head->seq, r.rows);
  }
  // The first page of a chain starts at seq 1 with the genesis link.
  auto page = store_->audit_chain_page({"gh", "other", 0}, 2);
  ASSERT_TRUE(page.has_value());
  ASSERT_EQ(page->size(), 2u);
  EXPECT_EQ((*page)[0].link->seq, 1);
  EXPECT_EQ((*page)[0].link->prev_hash, domain::audit_genesis);
  EXPECT_EQ((*page)[1].link->prev_hash, (*page)[0].link->row_hash);
  // The heads survive a restart: a reopened store continues each chain.
  reopen();
  ASSERT_TRUE(apply(read_row("gh", "other", 13)).has_value());
  const auto again = verify(*store_, {"gh", "other"});
  ASSERT_EQ(again.size(), 1u);
  EXPECT_FALSE(again[0].broken);
  EXPECT_EQ(again[0].rows, 13);
}

// A batch that rolls back takes its rows and its heads with it: the next batch links to the last
// committed row, not to the rolled-back one.
TEST_P(store_audit_chain, a_rolled_back_batch_leaves_the_chain_linear) {
  std::atomic<int> batch{0};
  auto st = another_store([&] { return ++batch != 2; });  // the second transaction rolls back
  for (int i = 1; i <= 4; ++i) {
    std::vector<domain::write_command> cmds{read_row("gh", "sb-demo", 2 * i), read_row("gh", "sb-demo", 2 * i + 1)};
    (void)st->apply(cmds);
  }
  const auto reports = verify(*st);
  ASSERT_EQ(reports.size(), 1u);
  EXPECT_FALSE(reports[0].broken) << *reports[0].broken;
  EXPECT_EQ(reports[0].rows, stored_rows(*st));
  EXPECT_GE(reports[0].rows, 6);
}

// Several writers append to the same chains at once, with pauses inside their transactions (after
// the rows are linked, before COMMIT) and some batches rolled back: the chains stay linear.
TEST_P(store_audit_chain, several_writers_keep_each_chain_linear) {
  constexpr int writers = 4, batches = 25;
  std::vector<std::unique_ptr<domain::store>> stores;
  for (int w = 0; w < writers; ++w) {
    auto rng = std::make_shared<std::mt19937>(static_cast<unsigned>(77 + w));
    auto m = std::make_shared<std::mutex>();
    stores.push_back(another_store([rng, m] {
      std::lock_guard lock(*m);
      std::this_thread::sleep_for(std::chrono::microseconds(std::uniform_int_distribution<int>(0, 2000)(*rng)));
      return std::uniform_int_distribution<int>(0, 9)(*rng) != 0;  // ~10% rolled back
    }));
  }
  std::vector<std::thread> threads;
  for (int w = 0; w < writers; ++w)
    threads.emplace_back([&, w] {
      for (int b = 0; b < batches; ++b) {
        const int n = w * 1000 + b;
        std::vector<domain::write_command> cmds{read_row("gh", "sb-demo", n), read_row("gh", "other", n)};
        if (b % 2 == 0) cmds.push_back(read_row("gh", "sb-demo", n + 500));
        (void)stores[w]->apply(cmds);
      }
    });
  for (auto& t : threads) t.join();
  const auto reports = verify(*store_);
  ASSERT_EQ(reports.size(), 2u);
  std::int64_t linked = 0;
  for (const auto& r : reports) {
    EXPECT_FALSE(r.broken) << *r.broken;
    linked += r.rows;
  }
  EXPECT_EQ(linked, stored_rows(*store_));
  EXPECT_GT(linked, writers * batches);
}

INSTANTIATE_TEST_SUITE_P(backends, store_audit_chain, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
