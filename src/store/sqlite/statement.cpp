#include "store/sqlite/statement.hpp"

#include <sqlite3.h>

#include <utility>

#include "store/sqlite/errors.hpp"

namespace carechat::store::sqlite {

statement::statement(sqlite3_stmt* stmt, std::string name) noexcept : stmt_(stmt), name_(std::move(name)) {}

statement::statement(statement&& other) noexcept
    : stmt_(std::exchange(other.stmt_, nullptr)), name_(std::move(other.name_)), bind_error_(other.bind_error_) {}

statement& statement::operator=(statement&& other) noexcept {
  if (this != &other) {
    sqlite3_finalize(stmt_);
    stmt_ = std::exchange(other.stmt_, nullptr);
    name_ = std::move(other.name_);
    bind_error_ = other.bind_error_;
  }
  return *this;
}

statement::~statement() { sqlite3_finalize(stmt_); }

void statement::note_bind(int rc) {
  if (rc != SQLITE_OK && bind_error_ == SQLITE_OK) bind_error_ = rc;
}

void statement::bind_int64(int index, std::int64_t value) { note_bind(sqlite3_bind_int64(stmt_, index, value)); }

void statement::bind_text(int index, std::string_view value) {
  // A null data pointer would bind SQL NULL; an empty string must stay an empty string.
  note_bind(sqlite3_bind_text64(stmt_, index, value.empty() ? "" : value.data(), value.size(), SQLITE_TRANSIENT,
                                SQLITE_UTF8));
}

void statement::bind_blob(int index, std::span<const std::uint8_t> value) {
  note_bind(value.empty() ? sqlite3_bind_zeroblob(stmt_, index, 0)
                          : sqlite3_bind_blob64(stmt_, index, value.data(), value.size(), SQLITE_TRANSIENT));
}

void statement::bind_null(int index) { note_bind(sqlite3_bind_null(stmt_, index)); }

core::result<bool> statement::step() {
  if (bind_error_ != SQLITE_OK) return make_sqlite_error(bind_error_, "bind " + name_);
  const int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  return make_sqlite_error(rc, "step " + name_);
}

core::result<void> statement::run() {
  for (;;) {
    auto r = step();
    if (!r) return std::move(r).error();
    if (!*r) return {};
  }
}

std::int64_t statement::column_int64(int index) const { return sqlite3_column_int64(stmt_, index); }

std::string_view statement::column_text(int index) const {
  const auto* p = sqlite3_column_text(stmt_, index);  // before _bytes, as SQLite documents
  const int n = sqlite3_column_bytes(stmt_, index);
  if (p == nullptr) return {};
  return {reinterpret_cast<const char*>(p), static_cast<std::size_t>(n)};
}

std::span<const std::uint8_t> statement::column_blob(int index) const {
  const auto* p = static_cast<const std::uint8_t*>(sqlite3_column_blob(stmt_, index));
  const int n = sqlite3_column_bytes(stmt_, index);
  if (p == nullptr) return {};
  return {p, static_cast<std::size_t>(n)};
}

bool statement::column_is_null(int index) const { return sqlite3_column_type(stmt_, index) == SQLITE_NULL; }

void statement::reset() noexcept {
  if (stmt_ == nullptr) return;
  // sqlite3_reset repeats the last step's error; that error was already reported by step().
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
  bind_error_ = SQLITE_OK;
}

}  // namespace carechat::store::sqlite
