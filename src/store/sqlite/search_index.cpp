#include "store/sqlite/search_index.hpp"

#include <algorithm>
#include <string>
#include <utility>

#include "store/sqlite/open.hpp"
#include "store/sqlite/transaction.hpp"

namespace carechat::store::sqlite {
namespace {

// Contentless: the index keeps no copy of the text (the main file has it); MATCH answers seqs.
constexpr const char* schema = R"sql(
CREATE VIRTUAL TABLE IF NOT EXISTS message_fts USING fts5 (body, content = '', tokenize = 'trigram');
CREATE TABLE IF NOT EXISTS search_state (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  binding INTEGER NOT NULL,  -- the main file's log_state.search_binding
  upto    INTEGER NOT NULL   -- every message with seq <= upto is in message_fts
);
-- The audit log by patient, for `carechat audit --patient` (sqlite queries::audit_for_patient).
CREATE TABLE IF NOT EXISTS audit_by_patient (
  patient TEXT NOT NULL,
  id      INTEGER NOT NULL,  -- audit_log.id in the main file
  PRIMARY KEY (patient, id)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_index_state (
  id      INTEGER PRIMARY KEY CHECK (id = 1),
  binding INTEGER NOT NULL,  -- the main file's log_state.search_binding
  upto    INTEGER NOT NULL   -- every audit row with id <= upto is in audit_by_patient
);
)sql";

constexpr named_sql main_binding{"search.main_binding", "SELECT value FROM log_state WHERE name = 'search_binding'"};
constexpr named_sql main_max_seq{"search.main_max_seq", "SELECT coalesce(max(seq), 0) FROM messages"};
constexpr named_sql state{"search.state", "SELECT binding, upto FROM search_state WHERE id = 1"};
constexpr named_sql start_over{"search.start_over", "INSERT OR REPLACE INTO search_state (id, binding, upto) VALUES (1, ?1, 0)"};
constexpr named_sql new_messages{"search.new_messages", "SELECT seq, body FROM messages WHERE seq > ?1 ORDER BY seq LIMIT ?2"};
constexpr named_sql add{"search.add", "INSERT INTO message_fts (rowid, body) VALUES (?1, ?2)"};
constexpr named_sql advance{"search.advance", "UPDATE search_state SET upto = ?1 WHERE id = 1"};

constexpr named_sql main_max_audit{"search.main_max_audit", "SELECT coalesce(max(id), 0) FROM audit_log"};
constexpr named_sql audit_state{"search.audit_state", "SELECT binding, upto FROM audit_index_state WHERE id = 1"};
constexpr named_sql audit_start_over{"search.audit_start_over",
                                     "INSERT OR REPLACE INTO audit_index_state (id, binding, upto) VALUES (1, ?1, 0)"};
// The next `?2` rows above `?1`, sorted by patient: the inserts then walk the index's pages in
// order, each page touched once per batch.
constexpr named_sql new_audit_rows{"search.new_audit_rows",
                                   "SELECT patient, id FROM (SELECT id, patient FROM audit_log WHERE id > ?1 ORDER BY id "
                                   "LIMIT ?2) ORDER BY patient, id"};
constexpr named_sql add_audit{"search.add_audit", "INSERT INTO audit_by_patient (patient, id) VALUES (?1, ?2)"};
constexpr named_sql advance_audit{"search.advance_audit", "UPDATE audit_index_state SET upto = ?1 WHERE id = 1"};

core::result<std::int64_t> single_int(connection& db, const named_sql& q) {
  auto s = db.prepared(q);
  if (!s) return std::move(s).error();
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return core::make_error(core::errc::internal, std::string("sqlite: no row from ") + std::string(q.name));
  return (*s)->column_int64(0);
}

}  // namespace

core::result<std::unique_ptr<search_index>> search_index::open(const sqlite_options& opts, connection& main) {
  auto binding = single_int(main, main_binding);
  if (!binding) return std::move(binding).error();
  auto newest = single_int(main, main_max_seq);
  if (!newest) return std::move(newest).error();
  auto db = open_search_connection(opts);
  if (!db) return std::move(db).error();
  auto ok = immediate_transaction(*db, [&]() -> core::result<void> {
    if (auto made = db->exec("search schema", schema); !made) return made;
    bool has_state = false, belongs = false;
    {
      auto s = db->prepared(state);
      if (!s) return std::move(s).error();
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      has_state = *row;
      belongs = has_state && (*s)->column_int64(0) == *binding && (*s)->column_int64(1) <= *newest;
    }  // the statement is reset here: DROP TABLE below needs no statement running
    if (belongs) return {};
    if (has_state) {
      // Made for another file, or ahead of this one (restored from an older backup): start over.
      // A contentless index cannot delete rows, so the table is made anew.
      if (auto dropped = db->exec("search reset", "DROP TABLE message_fts;"); !dropped) return dropped;
      if (auto made = db->exec("search schema", schema); !made) return made;
    }
    auto reset = db->prepared(start_over);
    if (!reset) return std::move(reset).error();
    (*reset)->bind_int64(1, *binding);
    return (*reset)->run();
  });
  if (!ok) return std::move(ok).error();
  ok = immediate_transaction(*db, [&]() -> core::result<void> {
    // The audit index belongs to the main file like the search index, by its own check: made for
    // this file, and covering no row it lacks (a main file restored from an older backup).
    auto newest_audit = single_int(main, main_max_audit);
    if (!newest_audit) return std::move(newest_audit).error();
    {
      auto s = db->prepared(audit_state);
      if (!s) return std::move(s).error();
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      if (*row && (*s)->column_int64(0) == *binding && (*s)->column_int64(1) <= *newest_audit) return {};
    }
    if (auto cleared = db->exec("audit index reset", "DELETE FROM audit_by_patient;"); !cleared) return cleared;
    auto reset = db->prepared(audit_start_over);
    if (!reset) return std::move(reset).error();
    (*reset)->bind_int64(1, *binding);
    return (*reset)->run();
  });
  if (!ok) return std::move(ok).error();
  return std::unique_ptr<search_index>(new search_index(opts, std::move(*db)));
}

core::result<connection*> search_index::main_reader() {
  if (!main_reader_) {
    auto r = open_plain_read_connection(opts_);
    if (!r) return std::move(r).error();
    main_reader_ = std::make_unique<connection>(std::move(*r));
  }
  return main_reader_.get();
}

// The shape of both indexes' upkeep: the rows above a mark, read from the main file, inserted
// into the search database, the mark advanced, in one transaction of the search database. The
// mark is read inside that write transaction, so two indexers (two servers on one file) never add
// a row twice. The rows are read in a read transaction of the main file's own (a snapshot, never
// its write lock) and each is bound straight into the insert: two connections, no copy between.
// `bind_row` binds the insert's parameters from the current row and answers the row's position.
core::result<std::int64_t> search_index::copy_above_mark(const copy_statements& sql, int max_rows,
                                                         const row_binder& bind_row) {
  std::lock_guard lock(mutex_);
  auto main = main_reader();
  if (!main) return std::move(main).error();
  std::int64_t added = 0;
  auto ok = immediate_transaction(search_, [&]() -> core::result<void> {
    std::int64_t upto = 0;
    {
      auto s = search_.prepared(sql.mark);
      if (!s) return std::move(s).error();
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      if (!*row)
        return core::make_error(core::errc::internal, std::string("sqlite: no row from ") + std::string(sql.mark.name));
      upto = (*s)->column_int64(1);
    }
    auto from = (*main)->prepared(sql.rows_above);
    if (!from) return std::move(from).error();
    (*from)->bind_int64(1, upto);
    (*from)->bind_int64(2, max_rows < 1 ? 1 : max_rows);
    auto into = search_.prepared(sql.insert);
    if (!into) return std::move(into).error();
    for (;;) {
      auto row = (*from)->step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      upto = std::max(upto, bind_row(**from, **into));
      if (auto done = (*into)->run(); !done) return std::move(done).error();
      (*into)->reset();  // run again for the next row
      ++added;
    }
    if (added == 0) return {};
    auto a = search_.prepared(sql.advance);
    if (!a) return std::move(a).error();
    (*a)->bind_int64(1, upto);
    return (*a)->run();
  });
  if (!ok) return std::move(ok).error();
  return added;
}

core::result<std::int64_t> search_index::add_new(int max_messages) {
  return copy_above_mark({state, new_messages, add, advance}, max_messages, [](statement& from, statement& into) {
    const std::int64_t seq = from.column_int64(0);
    into.bind_int64(1, seq);
    into.bind_text(2, from.column_text(1));
    return seq;
  });
}

core::result<std::int64_t> search_index::add_new_audit(int max_rows) {
  // The batch comes sorted by patient, not by id: the position is the highest id of the batch.
  return copy_above_mark({audit_state, new_audit_rows, add_audit, advance_audit}, max_rows,
                         [](statement& from, statement& into) {
                           into.bind_text(1, from.column_text(0));
                           const std::int64_t id = from.column_int64(1);
                           into.bind_int64(2, id);
                           return id;
                         });
}

}  // namespace carechat::store::sqlite
