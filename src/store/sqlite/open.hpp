// Opens SQLite connections with the pragmas every carechat connection needs.
// Thread-safety: each call returns a new connection for one thread at a time.
#pragma once

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_options.hpp"

namespace carechat::store::sqlite {

// The writer: creates the file if missing, journal_mode=WAL (so readers and other processes never
// block on it, and it never blocks on them), synchronous=FULL (a commit is on disk when COMMIT
// returns), foreign_keys=ON, busy_timeout. Fails if the file cannot be put in WAL mode.
core::result<connection> open_write_connection(const sqlite_options& opts);

// A reader: the file must exist; query_only=1 so a bug cannot write through it; same other pragmas.
// The search database (search_index) is attached as `search`, for the search queries.
core::result<connection> open_read_connection(const sqlite_options& opts);

// The search database's own writer (search_index): created if missing, WAL, synchronous=NORMAL
// (derived data: a crash may lose the last batches, which are indexed again), busy_timeout.
core::result<connection> open_search_connection(const sqlite_options& opts);

// The main file read-only and alone (no search database attached): what the indexer reads from.
core::result<connection> open_plain_read_connection(const sqlite_options& opts);

}  // namespace carechat::store::sqlite
