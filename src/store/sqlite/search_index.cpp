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

core::result<std::int64_t> search_index::add_new(int max_messages) {
  std::lock_guard lock(mutex_);
  if (auto r = main_reader(); !r) return std::move(r).error();
  std::int64_t added = 0;
  // The high-water mark is read inside the search database's write transaction, so two indexers
  // (two servers on one file) never add the same message twice.
  auto ok = immediate_transaction(search_, [&]() -> core::result<void> {
    std::int64_t upto = 0;
    {
      auto s = search_.prepared(state);
      if (!s) return std::move(s).error();
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      if (!*row) return core::make_error(core::errc::internal, "sqlite: the search database has no state row");
      upto = (*s)->column_int64(1);
    }
    // A read transaction of its own on the main file (a snapshot, never its write lock), each row
    // bound straight into the search database's insert: two connections, no copy in between.
    auto from = main_reader_->prepared(new_messages);
    if (!from) return std::move(from).error();
    (*from)->bind_int64(1, upto);
    (*from)->bind_int64(2, max_messages < 1 ? 1 : max_messages);
    auto into = search_.prepared(add);
    if (!into) return std::move(into).error();
    for (;;) {
      auto row = (*from)->step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      upto = (*from)->column_int64(0);
      (*into)->bind_int64(1, upto);
      (*into)->bind_text(2, (*from)->column_text(1));
      if (auto done = (*into)->run(); !done) return std::move(done).error();
      (*into)->reset();  // run again for the next message
      ++added;
    }
    if (added == 0) return {};
    auto a = search_.prepared(advance);
    if (!a) return std::move(a).error();
    (*a)->bind_int64(1, upto);
    return (*a)->run();
  });
  if (!ok) return std::move(ok).error();
  return added;
}

core::result<std::int64_t> search_index::add_new_audit(int max_rows) {
  std::lock_guard lock(mutex_);
  if (auto r = main_reader(); !r) return std::move(r).error();
  std::int64_t added = 0;
  // As add_new: the mark is read inside the search database's write transaction.
  auto ok = immediate_transaction(search_, [&]() -> core::result<void> {
    std::int64_t upto = 0;
    {
      auto s = search_.prepared(audit_state);
      if (!s) return std::move(s).error();
      auto row = (*s)->step();
      if (!row) return std::move(row).error();
      if (!*row) return core::make_error(core::errc::internal, "sqlite: the search database has no audit index state");
      upto = (*s)->column_int64(1);
    }
    auto from = main_reader_->prepared(new_audit_rows);
    if (!from) return std::move(from).error();
    (*from)->bind_int64(1, upto);
    (*from)->bind_int64(2, max_rows < 1 ? 1 : max_rows);
    auto into = search_.prepared(add_audit);
    if (!into) return std::move(into).error();
    std::int64_t highest = upto;
    for (;;) {
      auto row = (*from)->step();
      if (!row) return std::move(row).error();
      if (!*row) break;
      const std::int64_t id = (*from)->column_int64(1);
      highest = std::max(highest, id);
      (*into)->bind_text(1, (*from)->column_text(0));
      (*into)->bind_int64(2, id);
      if (auto done = (*into)->run(); !done) return std::move(done).error();
      (*into)->reset();
      ++added;
    }
    if (added == 0) return {};
    auto a = search_.prepared(advance_audit);
    if (!a) return std::move(a).error();
    (*a)->bind_int64(1, highest);
    return (*a)->run();
  });
  if (!ok) return std::move(ok).error();
  return added;
}

}  // namespace carechat::store::sqlite
