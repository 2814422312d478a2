// store::apply() for SQLite: a batch of write commands in one IMMEDIATE transaction, each command
// inside its own savepoint. Thread-safety: uses the given writer connection; the caller ensures
// one batch at a time on it.
#pragma once

#include <functional>
#include <span>
#include <vector>

#include "core/clock.hpp"
#include "domain/store.hpp"
#include "store/sqlite/audit_heads.hpp"
#include "store/sqlite/connection.hpp"

namespace carechat::store::sqlite {

// See domain::store::apply(). Every change appends its event to the log inside its own savepoint,
// so an event exists exactly when its change committed. A failing command is rolled back to its
// savepoint and still gets its audit row (outcome = the error code's name); prune_events_command,
// the server's housekeeping, has none. If the transaction itself fails (BEGIN, a savepoint
// operation or COMMIT) everything is rolled back and every outcome is that error.
// Every audit row is linked into its chain (domain/audit_chain.hpp) with `heads`, the chains'
// heads this writer keeps between batches.
// `before_commit` (tests only, may be empty): see sqlite_options::before_commit.
std::vector<domain::write_outcome> apply_batch(connection& db, const core::clock& clk, audit_heads& heads,
                                               std::span<const domain::write_command> batch,
                                               const std::function<bool()>& before_commit = {});

}  // namespace carechat::store::sqlite
