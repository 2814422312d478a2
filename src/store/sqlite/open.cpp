#include "store/sqlite/open.hpp"

#include <sqlite3.h>

#include <chrono>
#include <string>
#include <thread>
#include <string_view>

#include "core/utf8.hpp"

namespace carechat::store::sqlite {
namespace {

// carechat_contains(text, needle): 1 when needle occurs in text ignoring case, Unicode-aware
// (core::contains_ignoring_case), the test of a search's scan. SQLite's own lower()/LIKE fold
// ASCII only, while the trigram index folds Unicode: a scan must agree with the index.
void contains_function(sqlite3_context* ctx, int, sqlite3_value** argv) {
  if (sqlite3_value_type(argv[0]) == SQLITE_NULL || sqlite3_value_type(argv[1]) == SQLITE_NULL) {
    sqlite3_result_null(ctx);
    return;
  }
  // The needle is a bound parameter, the same for every row of a scan: fold it once and keep it
  // with the statement (SQLite's auxiliary data, dropped when the parameter changes).
  auto* needle = static_cast<core::folded_needle*>(sqlite3_get_auxdata(ctx, 1));
  if (needle == nullptr) {
    const auto* text = reinterpret_cast<const char*>(sqlite3_value_text(argv[1]));
    if (text == nullptr) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
    needle = new core::folded_needle(std::string_view(text, static_cast<std::size_t>(sqlite3_value_bytes(argv[1]))));
    sqlite3_set_auxdata(ctx, 1, needle, [](void* p) { delete static_cast<core::folded_needle*>(p); });
    // set_auxdata may already have destroyed it (out of memory): ask again rather than trust it.
    needle = static_cast<core::folded_needle*>(sqlite3_get_auxdata(ctx, 1));
    if (needle == nullptr) {
      sqlite3_result_error_nomem(ctx);
      return;
    }
  }
  const auto* body = reinterpret_cast<const char*>(sqlite3_value_text(argv[0]));
  if (body == nullptr) {
    sqlite3_result_error_nomem(ctx);
    return;
  }
  const std::string_view haystack(body, static_cast<std::size_t>(sqlite3_value_bytes(argv[0])));
  sqlite3_result_int(ctx, needle->found_in(haystack) ? 1 : 0);
}

core::result<void> register_functions(connection& db) {
  const int rc = sqlite3_create_function_v2(db.handle(), "carechat_contains", 2,
                                            SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS, nullptr,
                                            contains_function, nullptr, nullptr, nullptr);
  if (rc != SQLITE_OK)
    return core::make_error(core::errc::internal, std::string("sqlite: cannot register carechat_contains: ") +
                                                      sqlite3_errstr(rc));
  return {};
}

core::result<connection> open_with(const sqlite_options& opts, const std::string& path, int flags, bool query_only,
                                   const char* synchronous = "FULL") {
  // NOMUTEX: each connection is confined to one thread at a time, so SQLite's own locking is waste.
  auto db = connection::open(path, flags | SQLITE_OPEN_NOMUTEX);
  if (!db) return db;
  // busy_timeout first, so the pragmas below already wait for a lock instead of failing at once.
  const std::string pragmas = "PRAGMA busy_timeout = " + std::to_string(opts.busy_timeout_ms) +
                              "; PRAGMA synchronous = " + synchronous + "; PRAGMA foreign_keys = ON;" +
                              (query_only ? " PRAGMA query_only = 1;" : "");
  if (auto ok = db->exec("connection pragmas", pragmas); !ok) return std::move(ok).error();
  if (auto ok = register_functions(*db); !ok) return std::move(ok).error();
  return db;
}

// journal_mode answers with the mode now in force; a file that cannot use WAL (e.g. on a network
// file system without shared memory) silently stays in another mode, so check rather than assume.
// Switching a new file to WAL needs it to itself and SQLite answers "locked" at once, without its
// busy handler, when another process is creating the same file (several servers or CLI calls
// starting together): retry for up to busy_timeout, as every other statement waits.
core::result<void> enable_wal(connection& db, int busy_timeout_ms) {
  auto s = db.prepare(named_sql{"pragma.journal_mode", "PRAGMA journal_mode = WAL"});
  if (!s) return std::move(s).error();
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(busy_timeout_ms);
  for (;;) {
    auto row = s->step();
    if (!row && row.error().code == core::errc::unavailable && std::chrono::steady_clock::now() < deadline) {
      s->reset();
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
      continue;
    }
    if (!row) return std::move(row).error();
    if (!*row || s->column_text(0) != "wal")
      return core::make_error(core::errc::internal, "sqlite: the database could not be switched to WAL mode");
    return {};
  }
}

}  // namespace

core::result<connection> open_write_connection(const sqlite_options& opts) {
  auto db = open_with(opts, opts.path, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, false);
  if (!db) return db;
  if (auto ok = enable_wal(*db, opts.busy_timeout_ms); !ok) return std::move(ok).error();
  return db;
}

core::result<connection> open_plain_read_connection(const sqlite_options& opts) {
  // READWRITE even though it never writes: a WAL reader must be able to update the -shm index.
  auto db = open_with(opts, opts.path, SQLITE_OPEN_READWRITE, true);
  if (!db) return db;
  // Readers do not map the file (mmap_size 0, SQLite's default, said out loud): in WAL mode a
  // reader whose next transaction sees any new commit (every read's audit row makes one) unmaps
  // its whole mapping and faults the pages in again. At 10 million messages that was a 2 GiB
  // munmap per reader several times a second (1.6 ms each), and the latest page's p99 on one core
  // was 8.6 ms mapped against 4.0 ms with plain reads, with no gain on two cores
  // (docs/benchmarks.md, "5a on a slower machine"). Plain reads also keep an I/O error an error
  // code, never a SIGBUS.
  if (auto ok = db->exec("reader mmap", "PRAGMA mmap_size = 0"); !ok) return std::move(ok).error();
  return db;
}

core::result<connection> open_read_connection(const sqlite_options& opts) {
  auto db = open_plain_read_connection(opts);
  if (!db) return db;
  auto attach = db->prepare(named_sql{"search.attach", "ATTACH DATABASE ?1 AS search"});
  if (!attach) return std::move(attach).error();
  attach->bind_text(1, opts.search_path());
  if (auto ok = attach->run(); !ok) return std::move(ok).error();
  return db;
}

core::result<connection> open_search_connection(const sqlite_options& opts) {
  auto db = open_with(opts, opts.search_path(), SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, false, "NORMAL");
  if (!db) return db;
  if (auto ok = enable_wal(*db, opts.busy_timeout_ms); !ok) return std::move(ok).error();
  return db;
}

}  // namespace carechat::store::sqlite
