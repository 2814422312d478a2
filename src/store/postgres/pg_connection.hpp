// A thin C++ layer over libpq 15: one connection with its cache of named prepared statements,
// parameters (text, with bytea sent binary), results read as text, and pipelines (several
// statements sent at once and answered in order: one round trip). Errors become core::error values
// (store/postgres/pg_errors): never the statement's parameters, never the connection string.
// Thread-safety: none. One thread uses one connection at a time.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "core/crypto.hpp"
#include "core/result.hpp"
#include "store/postgres/pg_options.hpp"

struct pg_conn;
struct pg_result;

namespace carechat::store::postgres {

// A statement's SQL with the stable name it is prepared and reported under.
struct named_sql {
  std::string_view name;
  std::string_view sql;
};

// The parameters of one statement ($1, $2, ... in order). Text format, except bytea (binary), so
// nothing is ever spliced into SQL text.
class params {
 public:
  params& text(std::string_view v);
  params& opt_text(const std::optional<std::string>& v);  // NULL when absent
  params& int64(std::int64_t v);
  params& opt_int64(const std::optional<std::int64_t>& v);
  params& boolean(bool v);
  params& bytes(std::span<const std::uint8_t> v);
  params& null();
  // Arrays, for set-based statements (unnest($1::text[]) ...): a PostgreSQL array literal.
  params& text_array(std::span<const std::string> v);
  params& opt_text_array(std::span<const std::optional<std::string>> v);
  params& int64_array(std::span<const std::int64_t> v);
  params& opt_int64_array(std::span<const std::optional<std::int64_t>> v);
  params& bytes_array(std::span<const core::bytes> v);

  int size() const noexcept { return static_cast<int>(values_.size()); }
  // libpq's parallel arrays; valid until the next change.
  const char* const* values() const;
  const int* lengths() const noexcept { return lengths_.data(); }
  const int* formats() const noexcept { return formats_.data(); }

 private:
  params& push(std::string v, int format);
  std::vector<std::string> values_;
  std::vector<bool> nulls_;
  std::vector<int> lengths_;
  std::vector<int> formats_;
  mutable std::vector<const char*> pointers_;
};

// One statement's answer: rows of text values.
class result {
 public:
  result() = default;
  explicit result(pg_result* r);
  int rows() const noexcept;
  int columns() const noexcept;
  bool null(int row, int col) const;
  std::string_view text(int row, int col) const;
  std::int64_t int64(int row, int col) const;  // 0 for NULL
  bool boolean(int row, int col) const;
  core::bytes bytea(int row, int col) const;    // from the text (hex) form
  std::optional<std::string> opt_text(int row, int col) const;
  std::optional<std::int64_t> opt_int64(int row, int col) const;
  // Rows an INSERT/UPDATE/DELETE changed.
  std::int64_t affected() const;

 private:
  struct deleter {
    void operator()(pg_result* r) const noexcept;
  };
  std::unique_ptr<pg_result, deleter> r_;
};

// One statement of a pipeline.
struct call {
  const named_sql* sql;
  params args;
};

class connection {
 public:
  // Connects (blocking, at most opts.connect_timeout_s), refuses a server older than 14 or a
  // database that is not UTF-8, and sets the session: statement_timeout, idle-in-transaction cut, UTC.
  static core::result<connection> open(const pg_options& opts);

  connection(connection&& other) noexcept;
  connection& operator=(connection&& other) noexcept;
  connection(const connection&) = delete;
  connection& operator=(const connection&) = delete;
  ~connection();

  // One statement, prepared on this connection on first use, run and answered.
  core::result<result> run(const named_sql& q, const params& p = {});
  // One statement planned for these very parameters (not prepared): for a statement whose best
  // plan depends on its values, where a prepared statement's generic plan would pick one for all
  // (a search: a rare word is found through the trigram index, a common one by walking the chat).
  core::result<result> run_planned(const named_sql& q, const params& p);
  // Several statements in one round trip (libpq pipeline mode, one sync at the end), answered in
  // order. A failing statement fails the call; the ones after it are not run. Meant for work inside
  // a transaction whose BEGIN is the first call (a failure then leaves it aborted: roll back).
  core::result<std::vector<result>> pipeline(std::span<const call> calls);
  // SQL text without parameters, possibly several statements (migrations, BEGIN, ROLLBACK).
  core::result<void> exec(std::string_view what, const std::string& sql);

  // LISTEN/NOTIFY (pg_log_bus): the socket to wait on, and the notifications that arrived from
  // other sessions (channel, payload), reading whatever the socket holds without blocking.
  int socket() const noexcept;
  core::result<std::vector<std::pair<std::string, std::string>>> notifications();
  // `name` quoted as an SQL identifier (for LISTEN, which takes no parameters).
  std::string quote_identifier(std::string_view name) const;

  // Lost (the server went away, a timeout cut it): throw it away and open another.
  bool broken() const noexcept;
  // Inside a transaction block (BEGIN seen, not ended)?
  bool in_transaction() const noexcept;
  // "host:port/dbname" of the server, for messages (never the user or password).
  std::string describe() const;

 private:
  explicit connection(pg_conn* c, int timeout_ms) noexcept;
  void close() noexcept;
  // Waits until the socket is readable (and writable while `want_write`), up to the timeout.
  core::result<void> wait_socket(bool want_write);
  core::result<void> prepare_if_needed(const named_sql& q, const params& p);

  pg_conn* c_ = nullptr;
  int timeout_ms_ = 0;  // statement_timeout plus a margin: the longest wait for an answer
  std::unordered_set<std::string_view> prepared_;  // names are string literals (named_sql)
};

}  // namespace carechat::store::postgres
