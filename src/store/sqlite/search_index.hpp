// The full-text search index, in a SQLite database of its own beside the main file
// (sqlite_options::search_path(), `<db>-search`): a contentless FTS5 trigram index of message
// bodies by seq, and the highest seq it covers (search_state.upto). It is kept after the fact:
// add_new() copies the messages above `upto` from the main file in batches, over connections of its
// own, so indexing never takes the main file's write lock and a send's transaction does no FTS work
// (FTS5 flushes and merges segments per transaction: that was most of a send's cost). Searches
// (reader connections attach this file as `search`) scan the messages above `upto` meanwhile.
// The same file keeps the audit log's index by patient (audit_by_patient, audit_index_state.upto)
// the same way: add_new_audit() copies (patient, id) of the audit rows above `upto`.
// Derived data: written with synchronous=NORMAL (a crash may lose the last batches, which are
// simply indexed again), and deleting the file loses nothing.
// Thread-safety: add_new() may be called from any thread; calls take turns (one mutex).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "core/result.hpp"
#include "store/sqlite/connection.hpp"
#include "store/sqlite/sqlite_options.hpp"

namespace carechat::store::sqlite {

class search_index {
 public:
  // Opens (creating if missing) the search database and checks that it belongs to the main file:
  // an index made for another file, or one that covers messages the main file does not have (a main
  // file restored from an older backup), is dropped and starts over. `main` is the main file's
  // write connection, already migrated.
  static core::result<std::unique_ptr<search_index>> open(const sqlite_options& opts, connection& main);

  // Indexes up to `max_messages` of the messages above `upto`, oldest first, in one transaction of
  // the search database; answers how many (0: up to date).
  core::result<std::int64_t> add_new(int max_messages);

  // Adds up to `max_rows` of the audit rows above the audit index's mark to audit_by_patient (the
  // audit log by patient, kept here rather than as an index of the main file: see migration v17),
  // in one transaction; answers how many (0: up to date).
  core::result<std::int64_t> add_new_audit(int max_rows);

 private:
  core::result<connection*> main_reader();  // with mutex_ held
  struct copy_statements {
    const named_sql& mark;        // in the search database: (binding, upto)
    const named_sql& rows_above;  // in the main file: ?1 the mark, ?2 how many
    const named_sql& insert;      // in the search database
    const named_sql& advance;     // in the search database: ?1 the new mark
  };
  using row_binder = std::function<std::int64_t(statement& from, statement& into)>;
  core::result<std::int64_t> copy_above_mark(const copy_statements& sql, int max_rows, const row_binder& bind_row);
  search_index(sqlite_options opts, connection search) : opts_(std::move(opts)), search_(std::move(search)) {}

  const sqlite_options opts_;
  std::mutex mutex_;                         // guards the connections
  connection search_;                        // the search database, read-write
  std::unique_ptr<connection> main_reader_;  // the main file, read-only; opened on first use
};

}  // namespace carechat::store::sqlite
