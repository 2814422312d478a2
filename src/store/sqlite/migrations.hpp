// Versioned schema migrations. PRAGMA user_version holds the number of the last applied script;
// at open, each newer script runs in its own transaction. Thread-safety: migrate() uses the given
// connection only; concurrent processes opening the same file are safe (see migrate()).
#pragma once

#include <span>
#include <string_view>

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"

namespace carechat::store::sqlite {

struct migration {
  int version;            // 1, 2, ...: user_version after this script
  std::string_view name;  // for errors and logs
  std::string_view sql;   // one or more statements; never edited once released, only appended to
};

// Every migration, in version order.
std::span<const migration> migrations();
int latest_schema_version();

// Applies the pending migrations and returns the resulting version. Each runs under BEGIN IMMEDIATE
// and re-reads user_version inside that transaction, so two processes opening a fresh file at once
// apply every script exactly once. A database from a newer build is refused (errc::internal): this
// build cannot know what the newer schema means. `target` stops at an older version: tests use it
// to build a database as an older release left it, then upgrade it.
core::result<int> migrate(connection& db, int target = latest_schema_version());

}  // namespace carechat::store::sqlite
