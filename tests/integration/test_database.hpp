// The database an integration test runs the real server on. By default an SQLite file in the
// test's directory; with CARECHAT_TEST_BACKEND=postgres (ctest sets it for the postgres.* copy of
// every test) a fresh schema on the tests' PostgreSQL server (tests/support/postgres_schema.hpp).
// The same test then runs against both backends unchanged: it only ever passes spec() to --db.
// Thread-safety: one per test.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "support/postgres_schema.hpp"

namespace carechat::testing {

inline bool postgres_run() {
  const char* b = std::getenv("CARECHAT_TEST_BACKEND");
  return b != nullptr && std::string_view(b) == "postgres";
}

class test_database {
 public:
  explicit test_database(const std::filesystem::path& dir) {
    if (postgres_run()) {
      schema_ = std::make_unique<test::postgres_schema>();
      spec_ = schema_->uri();
    } else {
      spec_ = (dir / "carechat.db").string();
    }
  }
  // What --db takes.
  const std::string& spec() const { return spec_; }
  bool postgres() const { return schema_ != nullptr; }
  // The schema, for the few tests that look at stored rows directly (PostgreSQL only).
  const test::postgres_schema& schema() const { return *schema_; }

 private:
  std::unique_ptr<test::postgres_schema> schema_;
  std::string spec_;
};

}  // namespace carechat::testing
