#include "store/sqlite/backup.hpp"

#include <sqlite3.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "domain/attachment.hpp"
#include "store/sqlite/errors.hpp"
#include "store/sqlite/open.hpp"

namespace carechat::store::sqlite {
namespace {

using core::errc;
namespace fs = std::filesystem;

// Pages per step: small enough that the server's writer is never held up for long (a step holds
// the source's read lock only), large enough that a big file is copied in a reasonable time.
constexpr int pages_per_step = 256;

core::error bad(std::string message) { return core::make_error(errc::bad_request, std::move(message)); }

core::result<void> must_be_new(const std::string& target) {
  std::error_code ec;
  if (fs::exists(target, ec)) return bad(target + " exists already: a backup or restore never overwrites");
  const fs::path dir = fs::path(target).parent_path();
  if (!dir.empty() && !fs::is_directory(dir, ec)) return bad("the directory of " + target + " does not exist");
  return {};
}

// Removes a half-made target (and the files SQLite keeps beside it).
void remove_target(const std::string& target) {
  std::error_code ec;
  for (const char* suffix : {"", "-wal", "-shm", "-journal"}) fs::remove(target + suffix, ec);
}

// Every page of `from` into `to`, in steps; a step that finds the source locked waits and retries.
core::result<void> copy_pages(sqlite3* from, sqlite3* to) {
  sqlite3_backup* b = sqlite3_backup_init(to, "main", from, "main");
  if (b == nullptr) return core::make_error(errc::internal, std::string("sqlite backup: ") + sqlite3_errmsg(to));
  int rc = SQLITE_OK;
  for (;;) {
    rc = sqlite3_backup_step(b, pages_per_step);
    if (rc == SQLITE_DONE) break;
    if (rc == SQLITE_OK || rc == SQLITE_BUSY || rc == SQLITE_LOCKED) {
      if (rc != SQLITE_OK) std::this_thread::sleep_for(std::chrono::milliseconds(10));
      continue;
    }
    break;
  }
  const int finish = sqlite3_backup_finish(b);
  if (rc != SQLITE_DONE) return core::make_error(errc::internal, std::string("sqlite backup: ") + sqlite3_errstr(rc));
  if (finish != SQLITE_OK) return core::make_error(errc::internal, std::string("sqlite backup: ") + sqlite3_errstr(finish));
  return {};
}

core::result<std::int64_t> scalar(connection& db, const char* name, const char* sql) {
  auto s = db.prepared(named_sql{name, sql});
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  return *row ? (*s)->column_int64(0) : 0;
}

// integrity_check, then what the report says of the copy.
core::result<backup_report> check_and_count(connection& db) {
  {
    auto s = db.prepared(named_sql{"backup.integrity", "PRAGMA integrity_check"});
    if (!s) return std::move(s).error();
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row || (*s)->column_text(0) != "ok")
      return core::make_error(errc::internal, "sqlite backup: the copy fails its integrity check");
  }
  backup_report r;
  auto messages = scalar(db, "backup.messages", "SELECT count(*) FROM messages");
  if (!messages) return std::move(messages).error();
  r.messages = *messages;
  auto audit = scalar(db, "backup.audit", "SELECT count(*) FROM audit_log");
  if (!audit) return std::move(audit).error();
  r.audit_rows = *audit;
  auto epoch = scalar(db, "backup.epoch", "SELECT value FROM log_state WHERE name = 'epoch'");
  if (!epoch) return std::move(epoch).error();
  r.epoch = *epoch;
  auto s = db.prepared(named_sql{"backup.attachments", "SELECT id, thumbnail FROM attachments WHERE state = 'clean' ORDER BY id"});
  if (!s) return std::move(s).error();
  for (;;) {
    auto row = (*s)->step();
    if (!row) return std::move(row).error();
    if (!*row) break;
    const std::string id((*s)->column_text(0));
    r.attachment_keys.push_back(id);
    if ((*s)->column_int64(1) != 0) r.attachment_keys.push_back(domain::thumbnail_key(id));
  }
  return r;
}

// `from` (an existing database, opened read-only) into a new file `target`; then `after` on the
// copy (with a writer's pragmas), then the check. Nothing stays at `target` on failure.
template <class After>
core::result<backup_report> copy_into(const sqlite_options& from, const std::string& target, After after) {
  if (auto ok = must_be_new(target); !ok) return std::move(ok).error();
  auto source = open_plain_read_connection(from);
  if (!source) return bad("cannot open the database " + from.path + ": " + source.error().message);
  auto result = [&]() -> core::result<backup_report> {
    {
      auto plain = connection::open(target, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
      if (!plain) return std::move(plain).error();
      if (auto ok = copy_pages(source->handle(), plain->handle()); !ok) return std::move(ok).error();
    }
    sqlite_options to = from;
    to.path = target;
    auto copy = open_write_connection(to);
    if (!copy) return std::move(copy).error();
    if (auto ok = after(*copy); !ok) return std::move(ok).error();
    return check_and_count(*copy);
  }();
  if (!result) remove_target(target);
  return result;
}

}  // namespace

core::result<backup_report> backup_database(const sqlite_options& source, const std::string& target) {
  return copy_into(source, target, [](connection&) -> core::result<void> { return {}; });
}

core::result<backup_report> restore_database(const std::string& backup, const sqlite_options& target) {
  sqlite_options from = target;
  from.path = backup;
  return copy_into(from, target.path, [](connection& db) -> core::result<void> {
    // A new epoch (as schema v8 makes one): positions of the old log stop meaning what they meant.
    return db.exec("restore epoch",
                   "UPDATE log_state SET value = 1 + abs(random() % 9007199254740990) WHERE name = 'epoch'");
  });
}

}  // namespace carechat::store::sqlite
