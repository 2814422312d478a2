// The background indexers over a real SQLite file and group committer: messages sent through the
// writer join the full-text index, and their audit rows the audit log by patient (both in the
// search database beside the file), within a few rounds, and only while this process holds the
// duty (on PostgreSQL, one node of a cluster at a time).
#include "app/background_indexer.hpp"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <future>
#include <thread>

#include "core/crypto.hpp"
#include "domain/chat_service.hpp"
#include "store/group_committer.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "unit/store/support/temp_dir.hpp"
#include "unit/support/principals.hpp"

namespace carechat::app {
namespace {

using namespace std::chrono_literals;

// One number from the file, read by a connection of its own (as an operator's sqlite3 would).
std::int64_t scalar(const std::string& path, const char* sql) {
  sqlite3* db = nullptr;
  EXPECT_EQ(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
  sqlite3_stmt* s = nullptr;
  std::int64_t v = -1;
  if (sqlite3_prepare_v2(db, sql, -1, &s, nullptr) == SQLITE_OK && sqlite3_step(s) == SQLITE_ROW)
    v = sqlite3_column_int64(s, 0);
  sqlite3_finalize(s);
  sqlite3_close(db);
  return v;
}

// A duty another process holds (a fake: SQLite's own duty is always held; PostgreSQL's is tested
// in the store contract).
class held_elsewhere final : public domain::cluster_duty {
 public:
  bool held() override {
    ++asked;
    return false;
  }
  std::atomic<int> asked{0};
};

void indexes_what_the_writer_committed(bool duty_held) {
  test::temp_dir dir;
  core::manual_clock clock{1'700'000'000'000};
  core::openssl_random rng;
  store::sqlite::sqlite_options opts;
  opts.path = (dir.path() / "carechat.db").string();
  auto st = store::sqlite::sqlite_store::open(opts, clock, rng);
  ASSERT_TRUE(st.has_value()) << st.error().message;
  store::group_committer writer(**st, {});

  const domain::principal patient = test::test_patient("p1");
  const domain::chat_key chat{"gh", "sb-demo", "p1"};
  const domain::limits limits;
  for (int i = 0; i < 5; ++i) {
    auto cmd = domain::prepare_send(patient, chat, domain::message_kind::inbound, {"kiwi " + std::to_string(i), {}, {}, {}, {}},
                                    limits, rng, clock);
    ASSERT_TRUE(cmd.has_value());
    std::promise<domain::write_outcome> done;
    ASSERT_TRUE(writer.submit(std::move(*cmd), [&](domain::write_outcome o) { done.set_value(std::move(o)); }));
    ASSERT_TRUE(done.get_future().get().has_value());
  }
  const std::string search_db = opts.search_path();
  const char* upto = "SELECT upto FROM search_state WHERE id = 1";
  EXPECT_EQ(scalar(search_db, upto), 0) << "sends leave the index to the indexer";

  if (!duty_held) {
    held_elsewhere elsewhere;
    background_indexer indexer(background_indexer::index::search, **st, elsewhere, 10ms);
    background_indexer audit_indexer(background_indexer::index::audit, **st, elsewhere, 10ms);
    while (elsewhere.asked < 5) std::this_thread::sleep_for(5ms);  // five rounds passed
    indexer.stop();
    audit_indexer.stop();
    EXPECT_EQ(scalar(search_db, upto), 0) << "another node's duty";
    EXPECT_EQ(scalar(search_db, "SELECT count(*) FROM audit_by_patient"), 0) << "another node's duty";
    writer.stop();
    return;
  }
  const auto duty = (*st)->open_cluster_duty("search-upkeep");
  background_indexer indexer(background_indexer::index::search, **st, *duty, 10ms);
  // Each send wrote its own audit row (in its transaction): five rows of patient p1.
  const std::int64_t audit_rows = scalar(opts.path, "SELECT count(*) FROM audit_log WHERE patient = 'p1'");
  ASSERT_EQ(audit_rows, 5);
  const std::int64_t newest_audit = scalar(opts.path, "SELECT max(id) FROM audit_log");
  const char* audit_upto = "SELECT upto FROM audit_index_state WHERE id = 1";
  EXPECT_EQ(scalar(search_db, audit_upto), 0) << "sends leave the audit index to its indexer";
  background_indexer audit_indexer(background_indexer::index::audit, **st, *duty, 10ms);
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  while ((scalar(search_db, upto) < 5 || scalar(search_db, audit_upto) < newest_audit) &&
         std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(5ms);
  EXPECT_EQ(scalar(search_db, upto), 5);
  EXPECT_EQ(scalar(search_db, "SELECT count(*) FROM message_fts WHERE message_fts MATCH 'kiwi'"), 5);
  EXPECT_EQ(scalar(search_db, audit_upto), newest_audit);
  EXPECT_EQ(scalar(search_db, "SELECT count(*) FROM audit_by_patient WHERE patient = 'p1'"), audit_rows);
  indexer.stop();
  audit_indexer.stop();
  writer.stop();
}

TEST(background_indexer, indexes_what_the_writer_committed) { indexes_what_the_writer_committed(true); }

TEST(background_indexer, leaves_the_indexes_alone_while_another_node_holds_the_duty) {
  indexes_what_the_writer_committed(false);
}

}  // namespace
}  // namespace carechat::app
