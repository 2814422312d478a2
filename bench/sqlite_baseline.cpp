// Raw SQLite baseline for docs/benchmarks.md: what the disk and SQLite alone can do, with no server.
//   sqlite_baseline commits DIR SECONDS   single-row INSERTs, each its own transaction, WAL +
//                                         synchronous=FULL (one fsync per commit): commits/s
//   sqlite_baseline reads DIR SECONDS     indexed latest-20 reads, one chat of many, same index shape
//                                         as carechat's messages table: reads/s and p99 in ms
// Prints one line of JSON. Single-threaded on purpose: the raw rate of one writer / one reader.
#include <sqlite3.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

using clock_type = std::chrono::steady_clock;

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "sqlite_baseline: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

sqlite3* open_db(const std::string& path) {
  sqlite3* db = nullptr;
  check(sqlite3_open(path.c_str(), &db), db, "open");
  exec(db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  // The shape of carechat's messages table and its index (src/store/sqlite/migrations.cpp).
  exec(db,
       "CREATE TABLE IF NOT EXISTS messages (seq INTEGER PRIMARY KEY, chat_id INTEGER NOT NULL, "
       "external_id TEXT NOT NULL UNIQUE, kind INTEGER NOT NULL, sender_type TEXT NOT NULL, "
       "sender_id TEXT NOT NULL, sender_name TEXT, body TEXT NOT NULL, created_at INTEGER NOT NULL, "
       "archived INTEGER NOT NULL DEFAULT 0);"
       "CREATE INDEX IF NOT EXISTS messages_by_chat ON messages (chat_id, created_at, seq);");
  return db;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// The one INSERT both modes use: a patient's message, external id "IM<n>".
sqlite3_stmt* prepare_insert(sqlite3* db) {
  sqlite3_stmt* ins = nullptr;
  check(sqlite3_prepare_v2(db,
                           "INSERT INTO messages (chat_id, external_id, kind, sender_type, sender_id, sender_name, "
                           "body, created_at) VALUES (?1, ?2, 0, 'PATIENT', 'p', NULL, ?3, ?4)",
                           -1, &ins, nullptr),
        db, "prepare insert");
  return ins;
}

// Inserts row number n with prepare_insert's statement: bind, step, reset. `body` must outlive the
// call (bound SQLITE_STATIC: pass a string literal).
void insert_row(sqlite3* db, sqlite3_stmt* ins, std::int64_t chat, long n, const char* body, std::int64_t created_at,
                const char* what) {
  sqlite3_bind_int64(ins, 1, chat);
  const std::string ext = "IM" + std::to_string(n);
  sqlite3_bind_text(ins, 2, ext.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(ins, 3, body, -1, SQLITE_STATIC);
  sqlite3_bind_int64(ins, 4, created_at);
  check(sqlite3_step(ins), db, what);
  sqlite3_reset(ins);
}

int commits(const std::string& dir, double seconds) {
  sqlite3* db = open_db(dir + "/commits.db");
  sqlite3_stmt* ins = prepare_insert(db);
  long n = 0;
  std::vector<double> lat;  // each commit's time in ms: the disk's flush tail, which 2b inherits
  const auto start = clock_type::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  for (auto t = start; t < until;) {
    // Autocommit: one transaction, one fsync (FULL).
    insert_row(db, ins, n % 100, n, "{\"message\":\"hello from the raw baseline\"}", now_ms(), "insert");
    ++n;
    const auto done = clock_type::now();
    lat.push_back(std::chrono::duration<double, std::milli>(done - t).count());
    t = done;
  }
  const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  std::sort(lat.begin(), lat.end());
  auto at = [&](double q) { return lat.empty() ? 0.0 : lat[std::min(lat.size() - 1, static_cast<std::size_t>(lat.size() * q))]; };
  std::printf("{\"commits_per_s\":%.1f,\"commits\":%ld,\"seconds\":%.2f,\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f}\n",
              n / secs, n, secs, at(0.5), at(0.99), lat.empty() ? 0.0 : lat.back());
  sqlite3_finalize(ins);
  sqlite3_close(db);
  return 0;
}

int reads(const std::string& dir, double seconds) {
  sqlite3* db = open_db(dir + "/reads.db");
  const int chats = 100, per_chat = 200;
  exec(db, "BEGIN");
  sqlite3_stmt* ins = prepare_insert(db);
  const std::int64_t t0 = now_ms();
  for (int i = 0; i < chats * per_chat; ++i) {
    insert_row(db, ins, i % chats, i, "a message of ordinary length for the read baseline", t0 + i, "seed");
  }
  sqlite3_finalize(ins);
  exec(db, "COMMIT");
  sqlite3_stmt* sel = nullptr;
  check(sqlite3_prepare_v2(db,
                           "SELECT seq, external_id, kind, sender_type, sender_id, sender_name, body, created_at "
                           "FROM messages WHERE chat_id = ?1 ORDER BY created_at DESC, seq DESC LIMIT 21",
                           -1, &sel, nullptr),
        db, "prepare select");
  std::mt19937 rng(42);
  std::vector<double> lat;
  long n = 0, rows = 0;
  const auto start = clock_type::now();
  const auto until = start + std::chrono::duration<double>(seconds);
  while (clock_type::now() < until) {
    const auto t = clock_type::now();
    sqlite3_bind_int64(sel, 1, static_cast<int>(rng() % chats));
    int rc;
    while ((rc = sqlite3_step(sel)) == SQLITE_ROW) {
      ++rows;
      (void)sqlite3_column_text(sel, 6);
    }
    check(rc, db, "select");
    sqlite3_reset(sel);
    lat.push_back(std::chrono::duration<double, std::milli>(clock_type::now() - t).count());
    ++n;
  }
  const double secs = std::chrono::duration<double>(clock_type::now() - start).count();
  std::sort(lat.begin(), lat.end());
  const double p99 = lat.empty() ? 0 : lat[static_cast<std::size_t>(lat.size() * 0.99)];
  std::printf("{\"reads_per_s\":%.1f,\"p99_ms\":%.4f,\"rows\":%ld,\"seconds\":%.2f}\n", n / secs, p99, rows, secs);
  sqlite3_finalize(sel);
  sqlite3_close(db);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 4) {
    std::fprintf(stderr, "usage: sqlite_baseline commits|reads DIR SECONDS\n");
    return 2;
  }
  const std::string mode = argv[1];
  const double seconds = std::atof(argv[3]);
  if (mode == "commits") return commits(argv[2], seconds);
  if (mode == "reads") return reads(argv[2], seconds);
  std::fprintf(stderr, "sqlite_baseline: unknown mode %s\n", mode.c_str());
  return 2;
}
