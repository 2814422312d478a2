#include "store/sqlite/open.hpp"

#include <sqlite3.h>

#include <string>

namespace carechat::store::sqlite {
namespace {

core::result<connection> open_with(const sqlite_options& opts, int flags, bool query_only) {
  // NOMUTEX: each connection is confined to one thread at a time, so SQLite's own locking is waste.
  auto db = connection::open(opts.path, flags | SQLITE_OPEN_NOMUTEX);
  if (!db) return db;
  // busy_timeout first, so the pragmas below already wait for a lock instead of failing at once.
  const std::string pragmas = "PRAGMA busy_timeout = " + std::to_string(opts.busy_timeout_ms) +
                              "; PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;" +
                              (query_only ? " PRAGMA query_only = 1;" : "");
  if (auto ok = db->exec("connection pragmas", pragmas); !ok) return std::move(ok).error();
  return db;
}

// journal_mode answers with the mode now in force; a file that cannot use WAL (e.g. on a network
// file system without shared memory) silently stays in another mode, so check rather than assume.
core::result<void> enable_wal(connection& db) {
  auto s = db.prepare(named_sql{"pragma.journal_mode", "PRAGMA journal_mode = WAL"});
  if (!s) return std::move(s).error();
  auto row = s->step();
  if (!row) return std::move(row).error();
  if (!*row || s->column_text(0) != "wal")
    return core::make_error(core::errc::internal, "sqlite: the database could not be switched to WAL mode");
  return {};
}

}  // namespace

core::result<connection> open_write_connection(const sqlite_options& opts) {
  auto db = open_with(opts, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, false);
  if (!db) return db;
  if (auto ok = enable_wal(*db); !ok) return std::move(ok).error();
  return db;
}

core::result<connection> open_read_connection(const sqlite_options& opts) {
  // READWRITE even though it never writes: a WAL reader must be able to update the -shm index.
  return open_with(opts, SQLITE_OPEN_READWRITE, true);
}

}  // namespace carechat::store::sqlite
