// RAII wrapper over one sqlite3_stmt: bind, step, read columns, reset.
// Thread-safety: none; a statement belongs to its connection and is used by one thread at a time.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "core/result.hpp"

struct sqlite3_stmt;

namespace carechat::store::sqlite {

class statement {
 public:
  // Takes ownership of `stmt`; `name` identifies it in error messages (never the SQL's values).
  statement(sqlite3_stmt* stmt, std::string name) noexcept;
  statement(statement&& other) noexcept;
  statement& operator=(statement&& other) noexcept;
  statement(const statement&) = delete;
  statement& operator=(const statement&) = delete;
  ~statement();

  // Parameters are 1-based, as in SQL (?1, ?2...). Values are copied into SQLite, so arguments may
  // die right after the call. A failed bind is remembered and reported by the next step(), which
  // keeps call sites to one error check per statement.
  void bind_int64(int index, std::int64_t value);
  void bind_text(int index, std::string_view value);
  void bind_blob(int index, std::span<const std::uint8_t> value);
  void bind_null(int index);

  // true: a row is ready to read; false: done. SQLITE_BUSY/LOCKED -> errc::unavailable.
  core::result<bool> step();
  // Runs a statement that returns no rows (or whose rows are not needed) to completion.
  core::result<void> run();

  // Column readers for the current row, 0-based. Views stay valid until the next step() or reset().
  std::int64_t column_int64(int index) const;
  std::string_view column_text(int index) const;
  std::span<const std::uint8_t> column_blob(int index) const;
  bool column_is_null(int index) const;

  // Ready for the next use: rewinds, clears bindings and any pending bind error. Rewinding also
  // ends this statement's read snapshot, which a half-read result would otherwise keep open.
  void reset() noexcept;

  const std::string& name() const noexcept { return name_; }
  sqlite3_stmt* handle() const noexcept { return stmt_; }

 private:
  void note_bind(int rc);

  sqlite3_stmt* stmt_ = nullptr;
  std::string name_;
  int bind_error_ = 0;  // first failed bind since the last reset, SQLITE_OK if none
};

}  // namespace carechat::store::sqlite
