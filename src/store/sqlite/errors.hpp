// Turns SQLite result codes into core::error values. Messages name the operation and SQLite's
// generic description of the code, never sqlite3_errmsg() of a step: that text can quote bound
// values (an FTS5 syntax error echoes the search query), and message text must not reach logs.
// Thread-safety: pure functions.
#pragma once

#include <string_view>

#include "core/error.hpp"

namespace carechat::store::sqlite {

// SQLITE_BUSY and SQLITE_LOCKED (another writer holds the database past busy_timeout) map to
// errc::unavailable, so callers answer "retry later"; every other code is errc::internal.
core::error make_sqlite_error(int rc, std::string_view operation);

// As above, plus a detail the caller vouches for (e.g. sqlite3_errmsg after preparing our own SQL).
core::error make_sqlite_error(int rc, std::string_view operation, std::string_view detail);

}  // namespace carechat::store::sqlite
