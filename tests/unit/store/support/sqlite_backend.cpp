// The SQLite backend for the contract tests: a file in the test's temp directory.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>

#include "store/sqlite/connection.hpp"
#include "store/sqlite/open.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "unit/store/support/backend.hpp"

namespace carechat::test {
namespace {

using store::sqlite::named_sql;

class sqlite_backend final : public backend {
 public:
  explicit sqlite_backend(const std::filesystem::path& dir) { opts_.path = (dir / "carechat.db").string(); }

  core::result<std::unique_ptr<domain::store>> open(const core::clock& clk, core::random_source& rng) override {
    return open_with_fault(clk, rng, {});
  }
  core::result<std::unique_ptr<domain::store>> open_with_fault(const core::clock& clk, core::random_source& rng,
                                                               std::function<bool()> before_commit) override {
    auto opts = opts_;
    opts.before_commit = std::move(before_commit);
    auto s = store::sqlite::sqlite_store::open(opts, clk, rng);
    if (!s) return std::move(s).error();
    return std::unique_ptr<domain::store>(std::move(*s));
  }

  bool file_contains(const std::string& needle) override {
    for (const auto& suffix : {"", "-wal", "-journal"}) {
      std::ifstream in(opts_.path + suffix, std::ios::binary);
      if (!in) continue;
      const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
      if (bytes.find(needle) != std::string::npos) return true;
    }
    return false;
  }

  std::vector<outbox_row> outbox() override {
    auto db = connect();
    auto s = db.prepare(named_sql{
        "test.outbox", "SELECT event_id, event_type, message_seq, state, attempts FROM webhook_outbox ORDER BY id"});
    EXPECT_TRUE(s.has_value());
    std::vector<outbox_row> out;
    while (s && s->step().value())
      out.push_back(outbox_row{std::string(s->column_text(0)), std::string(s->column_text(1)), s->column_int64(2),
                               std::string(s->column_text(3)), s->column_int64(4)});
    return out;
  }

  core::result<void> update_audit_rows() override {
    return connect().exec("test", "UPDATE audit_log SET outcome = 'x'");
  }
  core::result<void> delete_audit_rows() override { return connect().exec("test", "DELETE FROM audit_log"); }

 private:
  store::sqlite::connection connect() {
    auto db = store::sqlite::open_write_connection(opts_);
    if (!db) throw std::runtime_error(db.error().message);
    return std::move(*db);
  }

  store::sqlite::sqlite_options opts_;
};

}  // namespace

backend_factory sqlite_backend_factory() {
  return backend_factory{"sqlite",
                         [](const std::filesystem::path& dir) -> std::unique_ptr<backend> {
                           return std::make_unique<sqlite_backend>(dir);
                         },
                         true};
}

}  // namespace carechat::test
