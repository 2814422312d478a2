#include "store/sqlite/connection.hpp"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite/errors.hpp"

namespace carechat::store::sqlite {

core::result<connection> connection::open(const std::string& path, int flags) {
  sqlite3* db = nullptr;
  const int rc = sqlite3_open_v2(path.c_str(), &db, flags | SQLITE_OPEN_EXRESCODE, nullptr);
  if (rc != SQLITE_OK) {
    // The message of a failed open describes the file (e.g. "unable to open database file").
    std::string detail = db != nullptr ? sqlite3_errmsg(db) : "";
    sqlite3_close_v2(db);
    return make_sqlite_error(rc, "open", detail);
  }
  return connection(db);
}

connection::connection(connection&& other) noexcept
    : db_(std::exchange(other.db_, nullptr)), cache_(std::move(other.cache_)) {}

connection& connection::operator=(connection&& other) noexcept {
  if (this != &other) {
    close();
    db_ = std::exchange(other.db_, nullptr);
    cache_ = std::move(other.cache_);
  }
  return *this;
}

connection::~connection() { close(); }

void connection::close() noexcept {
  cache_.clear();
  // close_v2 defers the close if an uncached statement is still alive, instead of leaking.
  sqlite3_close_v2(db_);
  db_ = nullptr;
}

core::result<void> connection::exec(std::string_view what, const std::string& sql) {
  const int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr);
  // Only our own SQL runs here (pragmas, migrations, transaction control; no values spliced in), so
  // SQLite's message (which table, which column) is safe to pass on, as prepare() does.
  if (rc != SQLITE_OK) return make_sqlite_error(rc, what, sqlite3_errmsg(db_));
  return {};
}

core::result<statement> connection::prepare(const named_sql& q) {
  sqlite3_stmt* stmt = nullptr;
  const char* tail = nullptr;
  const int rc =
      sqlite3_prepare_v3(db_, q.sql.data(), static_cast<int>(q.sql.size()), SQLITE_PREPARE_PERSISTENT, &stmt, &tail);
  // The SQL is ours (no values are spliced into it), so SQLite's message is safe and useful here.
  if (rc != SQLITE_OK) return make_sqlite_error(rc, "prepare " + std::string(q.name), sqlite3_errmsg(db_));
  if (stmt == nullptr)
    return core::make_error(core::errc::internal, "sqlite: prepare " + std::string(q.name) + ": empty SQL");
  return statement(stmt, std::string(q.name));
}

core::result<void> connection::run(const named_sql& q) {
  auto s = prepared(q);
  if (!s) return std::move(s).error();
  return (*s)->run();
}

core::result<statement_lease> connection::prepared(const named_sql& q) {
  auto it = cache_.find(q.name);
  if (it == cache_.end()) {
    auto s = prepare(q);
    if (!s) return std::move(s).error();
    it = cache_.emplace(std::string(q.name), std::make_unique<statement>(std::move(*s))).first;
  }
  return statement_lease(it->second.get());
}

std::int64_t connection::changes() const noexcept { return sqlite3_changes64(db_); }

bool connection::in_transaction() const noexcept { return sqlite3_get_autocommit(db_) == 0; }

std::int64_t connection::last_insert_rowid() const noexcept { return sqlite3_last_insert_rowid(db_); }

}  // namespace carechat::store::sqlite
