#include "store/sqlite/transaction.hpp"

#include "store/sqlite/queries.hpp"

namespace carechat::store::sqlite {
namespace {

// Best effort: the error that got us here is the one reported. SQLite may already have rolled
// back by itself (e.g. after an I/O error), in which case ROLLBACK fails harmlessly.
struct rollback_unless_done {
  connection& db;
  bool done = false;
  ~rollback_unless_done() {
    if (!done) (void)db.run(queries::rollback);
  }
};

}  // namespace

core::result<void> immediate_transaction(connection& db, const std::function<core::result<void>()>& work) {
  if (auto ok = db.run(queries::begin_immediate); !ok) return ok;
  rollback_unless_done guard{db};
  if (auto ok = work(); !ok) return ok;
  if (auto ok = db.run(queries::commit); !ok) return ok;
  guard.done = true;
  return {};
}

}  // namespace carechat::store::sqlite
