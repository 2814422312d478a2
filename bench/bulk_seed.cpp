// Bulk data for figure 5 (growth) of bench/run.py: writes chats and messages straight into a
// carechat SQLite file, far faster than the API can (one transaction per 50,000 rows, no
// journal, synchronous=OFF: a benchmark data set, not data anyone must keep). The file must already have
// carechat's schema (`carechat token create` makes it); the schema's own triggers keep the chats'
// unread counters. Events, audit rows and the search index are not written: figure 5a reads latest
// pages, which use none of them (a server on this file runs with CARECHAT_SEARCH_INDEX_MS=0, or
// indexes in the background).
//   bulk_seed DB TENANT INSTANCE FIRST CHATS MESSAGES [words]
// adds MESSAGES messages spread evenly over the chats of patients FIRST .. FIRST+CHATS-1
// (ids "00000000-0000-4000-8000-%012d", as bench/run.py names them), created at consecutive
// milliseconds ending now. Written chat after chat, with external ids in the server's shape (12 hex
// digits of the creation time in ms, then 20 random: core::new_external_id), so they grow: every
// index then takes its rows in order, which keeps 10 million rows to a few minutes (random order:
// 4x slower). `words`: texts of 8 random words, 1 in 50 with "kiwi" at the fourth. Prints one line
// of JSON.
#include <sqlite3.h>

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

namespace {

void check(int rc, sqlite3* db, const char* what) {
  if (rc != SQLITE_OK && rc != SQLITE_DONE && rc != SQLITE_ROW) {
    std::fprintf(stderr, "bulk_seed: %s: %s\n", what, sqlite3_errmsg(db));
    std::exit(1);
  }
}

void exec(sqlite3* db, const char* sql) { check(sqlite3_exec(db, sql, nullptr, nullptr, nullptr), db, sql); }

sqlite3_stmt* prepare(sqlite3* db, const char* sql) {
  sqlite3_stmt* s = nullptr;
  check(sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &s, nullptr), db, sql);
  return s;
}

std::string patient_id(long i) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "00000000-0000-4000-8000-%012ld", i);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::fprintf(stderr, "usage: bulk_seed DB TENANT INSTANCE FIRST CHATS MESSAGES [words]\n");
    return 2;
  }
  const char* path = argv[1];
  const std::string tenant = argv[2], instance = argv[3];
  const long first = std::atol(argv[4]), chats = std::atol(argv[5]), messages = std::atol(argv[6]);
  const bool words = argc > 7 && std::string(argv[7]) == "words";
  if (chats < 1 || messages < 0) return 2;

  sqlite3* db = nullptr;
  check(sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE, nullptr), db, "open");
  // No journal while seeding (pages are written once, not to the WAL and again at checkpoint); the
  // file goes back to WAL, which the server requires, at the end. No server may use it meanwhile.
  exec(db, "PRAGMA busy_timeout = 10000; PRAGMA journal_mode = OFF; PRAGMA synchronous = OFF; "
           "PRAGMA cache_size = -262144");
  const auto t0 = std::chrono::steady_clock::now();

  // The chats, and their ids.
  std::vector<std::int64_t> chat_ids(static_cast<std::size_t>(chats));
  {
    exec(db, "BEGIN IMMEDIATE");
    sqlite3_stmt* add = prepare(db, "INSERT OR IGNORE INTO chats (tenant, instance, patient) VALUES (?1, ?2, ?3)");
    sqlite3_stmt* id = prepare(db, "SELECT id FROM chats WHERE tenant = ?1 AND instance = ?2 AND patient = ?3");
    for (long c = 0; c < chats; ++c) {
      const std::string p = patient_id(first + c);
      for (sqlite3_stmt* s : {add, id}) {
        sqlite3_bind_text(s, 1, tenant.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 2, instance.c_str(), -1, SQLITE_STATIC);
        sqlite3_bind_text(s, 3, p.c_str(), -1, SQLITE_TRANSIENT);
      }
      check(sqlite3_step(add), db, "insert chat");
      check(sqlite3_step(id), db, "chat id");
      chat_ids[static_cast<std::size_t>(c)] = sqlite3_column_int64(id, 0);
      sqlite3_reset(add);
      sqlite3_reset(id);
    }
    sqlite3_finalize(add);
    sqlite3_finalize(id);
    exec(db, "COMMIT");
  }

  static const char* vocabulary[] = {"appointment", "refill", "pharmacy", "tomorrow", "morning", "question",
                                     "results",     "dosage", "thanks",   "headache", "insurance", "schedule",
                                     "please",      "better", "doctor",   "again"};
  std::mt19937_64 rng(std::random_device{}());
  const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  sqlite3_stmt* add = prepare(db,
                              "INSERT INTO messages (chat_id, external_id, kind, sender_type, sender_id, body, created_at) "
                              "VALUES (?1, ?2, 0, 'PATIENT', ?3, ?4, ?5)");
  std::vector<std::string> senders(static_cast<std::size_t>(chats));
  for (long c = 0; c < chats; ++c) senders[static_cast<std::size_t>(c)] = patient_id(first + c);
  constexpr long per_transaction = 50'000;
  std::string body, external;
  for (long i = 0; i < messages; ++i) {
    if (i % per_transaction == 0) exec(db, "BEGIN IMMEDIATE");
    // Chat after chat: message i belongs to chat i * chats / messages.
    const auto c = static_cast<std::size_t>(static_cast<long double>(i) * chats / messages);
    const long long created_at = now_ms - messages + i;
    char hex[40];
    std::snprintf(hex, sizeof hex, "IM%012llx%016llx%04x", created_at, static_cast<unsigned long long>(rng()),
                  static_cast<unsigned>(rng() & 0xFFFF));
    external = hex;
    if (words) {
      body.clear();
      const bool kiwi = rng() % 50 == 0;
      for (int w = 0; w < 8; ++w) {
        if (w) body += ' ';
        body += (kiwi && w == 3) ? "kiwi" : vocabulary[rng() % 16];
      }
    } else {
      body = "seed message " + std::to_string(i) + ", a short question";
    }
    sqlite3_bind_int64(add, 1, chat_ids[c]);
    sqlite3_bind_text(add, 2, external.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(add, 3, senders[c].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(add, 4, body.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_int64(add, 5, created_at);
    check(sqlite3_step(add), db, "insert message");
    sqlite3_reset(add);
    if ((i + 1) % per_transaction == 0 || i + 1 == messages) exec(db, "COMMIT");
  }
  sqlite3_finalize(add);
  exec(db, "PRAGMA journal_mode = WAL");
  sqlite3_close(db);
  const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"messages\": %ld, \"chats\": %ld, \"seconds\": %.1f, \"rate\": %.0f}\n", messages, chats, s,
              s > 0 ? messages / s : 0.0);
  return 0;
}
