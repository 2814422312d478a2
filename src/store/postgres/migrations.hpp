// Versioned schema of the PostgreSQL store. Versions are rows of carechat_schema_versions; each
// migration runs in its own transaction under a transaction-level advisory lock keyed by the
// schema carechat lives in, so several nodes starting at once apply each migration exactly once
// (the others wait, then find it applied). Thread-safety: uses the given connection only.
#pragma once

#include <span>
#include <string_view>

#include "core/result.hpp"
#include "store/postgres/pg_connection.hpp"

namespace carechat::store::postgres {

struct migration {
  int version;
  std::string_view description;
  std::string_view sql;
};

std::span<const migration> migrations();
int latest_schema_version();

// Brings the schema up to the latest version (checking first that the database is UTF-8 with a
// case-folding LC_CTYPE, which search needs); returns it. Refuses a schema newer than this build.
core::result<int> migrate(connection& db);

// The schema version now, 0 when carechat's tables do not exist yet.
core::result<int> schema_version(connection& db);

}  // namespace carechat::store::postgres
