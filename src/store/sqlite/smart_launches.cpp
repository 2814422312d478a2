// The SQLite side of SMART launches in flight (domain/pending_launch.hpp): on the writer's
// connection under its mutex, as the other administration writes (tokens, export jobs). Not through
// the group committer: its batches are the chat's audited commands, and a launch is rare; callers
// run these on the blocking pool, never on an I/O thread.
#include <limits>

#include "core/crypto.hpp"
#include "store/sqlite/queries.hpp"
#include "store/sqlite/sqlite_store.hpp"
#include "store/sqlite/transaction.hpp"

namespace carechat::store::sqlite {
namespace {

core::result<std::int64_t> prune_locked(connection& db, core::unix_ms now) {
  auto s = db.prepared(queries::prune_smart_launches);
  if (!s) return std::move(s).error();
  (*s)->bind_int64(1, now);
  if (auto ok = (*s)->run(); !ok) return std::move(ok).error();
  return db.changes();
}

}  // namespace

core::result<bool> sqlite_store::put_smart_launch(const domain::pending_launch& launch, core::unix_ms now,
                                                  std::size_t max_pending) {
  std::lock_guard lock(writer_mutex_);
  bool inserted = false;
  // One transaction: the expired rows go and the cap is checked against what is left.
  auto ok = immediate_transaction(writer_, [&]() -> core::result<void> {
    if (auto pruned = prune_locked(writer_, now); !pruned) return std::move(pruned).error();
    auto s = writer_.prepared(queries::insert_smart_launch);
    if (!s) return std::move(s).error();
    const auto hash = core::sha256(launch.state);
    (*s)->bind_blob(1, hash);
    (*s)->bind_text(2, launch.iss);
    (*s)->bind_text(3, launch.nonce);
    (*s)->bind_text(4, launch.code_verifier);
    (*s)->bind_int64(5, launch.standalone ? 1 : 0);
    (*s)->bind_int64(6, now);
    (*s)->bind_int64(7, launch.expires_at);
    const auto cap = std::min<std::size_t>(max_pending, std::numeric_limits<std::int64_t>::max());
    (*s)->bind_int64(8, static_cast<std::int64_t>(cap));
    if (auto run = (*s)->run(); !run) return std::move(run).error();
    inserted = writer_.changes() > 0;
    return {};
  });
  if (!ok) return std::move(ok).error();
  return inserted;
}

core::result<std::optional<domain::pending_launch>> sqlite_store::take_smart_launch(std::string_view state,
                                                                                    core::unix_ms now) {
  std::lock_guard lock(writer_mutex_);
  auto s = writer_.prepared(queries::take_smart_launch);
  if (!s) return std::move(s).error();
  const auto hash = core::sha256(state);
  (*s)->bind_blob(1, hash);
  (*s)->bind_int64(2, now);
  auto row = (*s)->step();
  if (!row) return std::move(row).error();
  if (!*row) return std::optional<domain::pending_launch>();
  domain::pending_launch p;
  p.state = std::string(state);
  p.iss = std::string((*s)->column_text(0));
  p.nonce = std::string((*s)->column_text(1));
  p.code_verifier = std::string((*s)->column_text(2));
  p.standalone = (*s)->column_int64(3) != 0;
  p.expires_at = (*s)->column_int64(4);
  // Stepped to the end, so the statement (and its autocommit) finishes here, not at the reset.
  auto done = (*s)->step();
  if (!done) return std::move(done).error();
  return std::optional<domain::pending_launch>(std::move(p));
}

core::result<std::int64_t> sqlite_store::prune_smart_launches(core::unix_ms now) {
  std::lock_guard lock(writer_mutex_);
  return prune_locked(writer_, now);
}

}  // namespace carechat::store::sqlite
