// RAII wrapper over one sqlite3 connection, with its cache of named prepared statements (each SQL
// text is prepared once per connection, then reset and rebound per use).
// Thread-safety: none. Connections are opened SQLITE_OPEN_NOMUTEX; one thread uses one at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/result.hpp"
#include "store/sqlite/statement.hpp"

struct sqlite3;

namespace carechat::store::sqlite {

// A statement's SQL with the stable name it is cached and reported under.
struct named_sql {
  std::string_view name;
  std::string_view sql;
};

// A cached statement checked out for one use; resets it when released, so no binding or read
// snapshot outlives the call that used it.
class statement_lease {
 public:
  explicit statement_lease(statement* s) noexcept : s_(s) {}
  statement_lease(statement_lease&& other) noexcept : s_(other.s_) { other.s_ = nullptr; }
  statement_lease& operator=(statement_lease&&) = delete;
  statement_lease(const statement_lease&) = delete;
  statement_lease& operator=(const statement_lease&) = delete;
  ~statement_lease() {
    if (s_ != nullptr) s_->reset();
  }
  statement* operator->() const noexcept { return s_; }
  statement& operator*() const noexcept { return *s_; }

 private:
  statement* s_;
};

class connection {
 public:
  // sqlite3_open_v2 with `flags` (SQLITE_OPEN_*); extended result codes are always on.
  static core::result<connection> open(const std::string& path, int flags);

  connection(connection&& other) noexcept;
  connection& operator=(connection&& other) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();  // finalizes the cached statements, then closes

  // Runs SQL text that may hold several statements and whose rows are not needed: pragmas that set,
  // migration scripts. `what` names it in errors.
  core::result<void> exec(std::string_view what, const std::string& sql);

  // The cached statement for `q`, prepared on first use and reset when the lease ends. One lease
  // per statement at a time: a second lease of the same name would share (and reset) it.
  core::result<statement_lease> prepared(const named_sql& q);
  // The cached statement for `q` (no parameters) run to completion: BEGIN, COMMIT, SAVEPOINT...
  core::result<void> run(const named_sql& q);
  // A fresh, uncached statement (one-off queries such as EXPLAIN QUERY PLAN in tests).
  core::result<statement> prepare(const named_sql& q);

  // Inside an explicit transaction (BEGIN ... not yet committed or rolled back)? SQLite rolls a
  // transaction back by itself after some errors (disk full, I/O); callers check this then.
  bool in_transaction() const noexcept;
  // Rows changed by the most recent INSERT/UPDATE/DELETE on this connection.
  std::int64_t changes() const noexcept;
  // The rowid of the most recent successful INSERT on this connection.
  std::int64_t last_insert_rowid() const noexcept;
  sqlite3* handle() const noexcept { return db_; }

 private:
  explicit connection(sqlite3* db) noexcept : db_(db) {}
  void close() noexcept;

  // Lets the cache be searched by string_view without building a std::string per use.
  struct name_hash {
    using is_transparent = void;
    std::size_t operator()(std::string_view s) const noexcept { return std::hash<std::string_view>{}(s); }
  };

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<statement>, name_hash, std::equal_to<>> cache_;
};

}  // namespace carechat::store::sqlite
