// The store backends the contract tests run against, and the few test-only probes a backend must
// answer with its own SQL because the domain interface does not expose them (the outbox, attempts
// to rewrite the audit trail). Thread-safety: test code, one thread.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/store.hpp"

namespace carechat::test {

struct outbox_row {
  std::string event_id;
  std::string event_type;
  std::int64_t message_seq = 0;
  std::string state;
  std::int64_t attempts = 0;
};

class backend {
 public:
  virtual ~backend() = default;
  // Opens this backend's database, creating it the first time; opening again after the previous
  // store was destroyed must see the same data (a restart).
  virtual core::result<std::unique_ptr<domain::store>> open(const core::clock& clk, core::random_source& rng) = 0;
  // The same, with a fault hook inside every write transaction (the store options' before_commit).
  virtual core::result<std::unique_ptr<domain::store>> open_with_fault(const core::clock& clk, core::random_source& rng,
                                                                       std::function<bool()> before_commit) = 0;
  virtual std::vector<outbox_row> outbox() = 0;
  // Does `needle` appear verbatim anywhere in the database's files (e.g. a secret in clear text)?
  virtual bool file_contains(const std::string& needle) = 0;
  // Both must fail: the audit trail is append-only.
  virtual core::result<void> update_audit_rows() = 0;
  virtual core::result<void> delete_audit_rows() = 0;
};

struct backend_factory {
  std::string name;  // test name suffix
  // A backend whose database lives in (or is named after) `dir`, a fresh directory per test.
  std::function<std::unique_ptr<backend>(const std::filesystem::path& dir)> make;
  // Its search index is kept after the fact (store::index_search; SQLite), rather than inside
  // apply() (PostgreSQL's trigram index): the search contract then runs through both paths.
  bool indexes_later = false;
};

// Every backend built into this test binary: "sqlite", and "postgres" when the build has it
// (CARECHAT_POSTGRES; its tests need the server ctest starts, see tests/support/postgres_schema.hpp).
std::vector<backend_factory> all_backends();
backend_factory sqlite_backend_factory();
backend_factory postgres_backend_factory();

// gtest prints a parameter in failure messages and `ctest -N`: the backend's name, not its bytes.
inline void PrintTo(const backend_factory& b, std::ostream* os) { *os << b.name; }

inline std::string backend_name(const testing::TestParamInfo<backend_factory>& info) { return info.param.name; }

}  // namespace carechat::test
