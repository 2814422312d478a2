// store/sqlite connection and statement wrappers: binding, stepping, the statement cache, and the
// mapping of SQLite failures to project error codes.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/open.hpp"
#include "store/sqlite/transaction.hpp"
#include "unit/store/support/temp_dir.hpp"

namespace carechat::test {
namespace {

using store::sqlite::connection;
using store::sqlite::named_sql;

class sqlite_wrapper : public testing::Test {
 protected:
  void SetUp() override {
    opts_.path = (dir_.path() / "w.db").string();
    opts_.busy_timeout_ms = 50;
    db_.emplace(open());
    ASSERT_TRUE(db_->exec("create", "CREATE TABLE t (i INTEGER, s TEXT, b BLOB)").has_value());
  }
  connection open() {
    auto c = store::sqlite::open_write_connection(opts_);
    EXPECT_TRUE(c.has_value()) << c.error().message;
    return std::move(c).value();
  }

  temp_dir dir_;
  store::sqlite::sqlite_options opts_;
  std::optional<connection> db_;
};

constexpr named_sql insert{"t.insert", "INSERT INTO t (i, s, b) VALUES (?1, ?2, ?3)"};
constexpr named_sql select_all{"t.select", "SELECT i, s, b, typeof(s), typeof(b) FROM t ORDER BY rowid"};
constexpr named_sql count{"t.count", "SELECT count(*) FROM t"};

TEST_F(sqlite_wrapper, binds_and_reads_every_type) {
  {
    auto s = db_->prepared(insert);
    ASSERT_TRUE(s.has_value());
    (*s)->bind_int64(1, -42);
    (*s)->bind_text(2, std::string_view("nul\0inside", 10));
    const std::uint8_t bytes[] = {0, 1, 255};
    (*s)->bind_blob(3, bytes);
    ASSERT_TRUE((*s)->run().has_value());
  }
  {
    auto s = db_->prepared(insert);  // rebound from scratch: unbound parameters are NULL
    (*s)->bind_text(2, "");
    (*s)->bind_blob(3, {});
    ASSERT_TRUE((*s)->run().has_value());
  }
  {
    auto s = db_->prepared(insert);
    (*s)->bind_null(1);
    ASSERT_TRUE((*s)->run().has_value());
  }
  auto s = db_->prepared(select_all);
  ASSERT_TRUE((*s)->step().value());
  EXPECT_EQ((*s)->column_int64(0), -42);
  EXPECT_EQ((*s)->column_text(1), std::string_view("nul\0inside", 10));
  EXPECT_EQ(std::vector<std::uint8_t>((*s)->column_blob(2).begin(), (*s)->column_blob(2).end()),
            (std::vector<std::uint8_t>{0, 1, 255}));
  ASSERT_TRUE((*s)->step().value());
  EXPECT_TRUE((*s)->column_is_null(0));
  EXPECT_EQ((*s)->column_text(3), "text");  // empty string stays a string, not NULL
  EXPECT_EQ((*s)->column_text(4), "blob");
  EXPECT_TRUE((*s)->column_blob(2).empty());
  ASSERT_TRUE((*s)->step().value());
  EXPECT_TRUE((*s)->column_is_null(0));
  EXPECT_EQ((*s)->column_text(3), "null");
  EXPECT_FALSE((*s)->step().value());
}

TEST_F(sqlite_wrapper, cached_statements_are_prepared_once_and_reset_by_the_lease) {
  sqlite3_stmt* handle = nullptr;
  {
    auto s = db_->prepared(count);
    handle = (*s)->handle();
    ASSERT_TRUE((*s)->step().value());  // left mid-result on purpose
  }
  auto again = db_->prepared(count);
  EXPECT_EQ((*again)->handle(), handle);
  EXPECT_EQ(sqlite3_stmt_busy(handle), 0);  // the lease reset it: no snapshot kept open
}

TEST_F(sqlite_wrapper, a_bad_bind_is_reported_by_step) {
  auto s = db_->prepared(count);
  (*s)->bind_int64(7, 1);  // no such parameter
  auto r = (*s)->step();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::errc::internal);
  EXPECT_NE(r.error().message.find("t.count"), std::string::npos);
}

TEST_F(sqlite_wrapper, bad_sql_fails_to_prepare_with_its_name) {
  auto s = db_->prepared(named_sql{"broken", "SELEC nothing"});
  ASSERT_FALSE(s.has_value());
  EXPECT_EQ(s.error().code, core::errc::internal);
  EXPECT_NE(s.error().message.find("broken"), std::string::npos);
}

TEST_F(sqlite_wrapper, exec_errors_name_what_failed) {
  auto r = db_->exec("add column", "ALTER TABLE missing_table ADD COLUMN x INTEGER");
  ASSERT_FALSE(r.has_value());
  EXPECT_NE(r.error().message.find("add column"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("missing_table"), std::string::npos) << r.error().message;
}

// A transaction commits its work, rolls back a failure, and rolls back (then rethrows) an
// exception: the connection is never left holding the write lock.
TEST_F(sqlite_wrapper, immediate_transaction_commits_rolls_back_and_survives_a_throw) {
  auto insert_one = [&](int i) -> core::result<void> {
    auto s = db_->prepared(insert);
    if (!s) return std::move(s).error();
    (*s)->bind_int64(1, i);
    return (*s)->run();
  };
  auto rows = [&] {
    auto s = db_->prepared(count);
    EXPECT_TRUE((*s)->step().value());
    return (*s)->column_int64(0);
  };
  ASSERT_TRUE(store::sqlite::immediate_transaction(*db_, [&] { return insert_one(1); }).has_value());
  EXPECT_EQ(rows(), 1);
  auto failed = store::sqlite::immediate_transaction(*db_, [&]() -> core::result<void> {
    if (auto ok = insert_one(2); !ok) return ok;
    return core::make_error(core::errc::bad_request, "changed my mind");
  });
  ASSERT_FALSE(failed.has_value());
  EXPECT_EQ(failed.error().message, "changed my mind");
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(rows(), 1);
  EXPECT_THROW((void)store::sqlite::immediate_transaction(*db_,
                                                          [&]() -> core::result<void> {
                                                            (void)insert_one(3);
                                                            throw std::runtime_error("bug");
                                                          }),
               std::runtime_error);
  EXPECT_FALSE(db_->in_transaction());
  EXPECT_EQ(rows(), 1);
  ASSERT_TRUE(store::sqlite::immediate_transaction(*db_, [&] { return insert_one(4); }).has_value());
  EXPECT_EQ(rows(), 2);
}

TEST_F(sqlite_wrapper, constraint_errors_do_not_echo_values) {
  ASSERT_TRUE(db_->exec("unique", "CREATE UNIQUE INDEX t_s ON t (s)").has_value());
  for (int i = 0; i < 2; ++i) {
    auto s = db_->prepared(insert);
    (*s)->bind_text(2, "patient says something private");
    auto r = (*s)->run();
    if (i == 1) {
      ASSERT_FALSE(r.has_value());
      EXPECT_EQ(r.error().code, core::errc::internal);
      EXPECT_EQ(r.error().message.find("private"), std::string::npos) << r.error().message;
    }
  }
}

TEST_F(sqlite_wrapper, a_held_write_lock_maps_to_unavailable) {
  auto other = open();
  ASSERT_TRUE(other.exec("lock", "BEGIN IMMEDIATE").has_value());
  auto s = db_->prepared(insert);
  auto r = (*s)->run();
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::errc::unavailable);
  ASSERT_TRUE(other.exec("unlock", "ROLLBACK").has_value());
  auto retry = db_->prepared(insert);
  EXPECT_TRUE((*retry)->run().has_value());
}

TEST_F(sqlite_wrapper, opening_a_missing_directory_fails_cleanly) {
  store::sqlite::sqlite_options bad;
  bad.path = (dir_.path() / "no" / "such" / "dir.db").string();
  auto c = store::sqlite::open_write_connection(bad);
  ASSERT_FALSE(c.has_value());
  EXPECT_EQ(c.error().code, core::errc::internal);
  auto r = store::sqlite::open_read_connection(bad);
  EXPECT_FALSE(r.has_value());
}

}  // namespace
}  // namespace carechat::test
