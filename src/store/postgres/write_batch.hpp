// store::apply() for PostgreSQL: a batch of write commands in one transaction, written set-wise
// (each table gets one INSERT per run of sends, rows as arrays) in a few pipelined round trips.
//
// The ordering contract (docs/ARCHITECTURE.md, "Event log"), and how it is kept with several
// writing processes on one database:
// - Every event belongs to the log of its tenant/instance. The batch first locks the counter row
//   (log_heads) of every log it appends to, in one fixed order, and holds the locks until it
//   commits; positions are taken from the counters inside the transaction and the counters are
//   written back once, at the end. So positions are consecutive, a rolled-back batch gives its
//   positions back (the counter rolls back with it), and position order is commit order: a reader
//   of `position > p` never sees 11 before 10 has committed. A sequence would not do that.
// - Message seqs are reserved after those locks, and a message's createdAt is never earlier than
//   the newest of its chat (chats.last_message_at), so a chat's (createdAt, seq) order is total,
//   stable, and the commit order, even when the writers' clocks disagree.
// - Idempotency-Key claims are read after the locks: a key committed by another process is seen
//   and replayed, never stored twice (the primary key backs this up).
//
// Failures: a failing command does not open a savepoint per command (PostgreSQL subtransactions
// are costly past 64 per transaction). Expected refusals (an Idempotency-Key reused with another
// request, a mark-read upTo that is not in the chat) are decided before anything is written. An
// unexpected failure rolls the batch back; errors that mean "try again" (a lost connection before
// COMMIT, a serialization failure or deadlock) are retried up to 3 times; any other is retried
// command by command, so only the command that fails gets the error (with its audit row). When
// the connection is lost during COMMIT, the batch's last event is looked for on a new connection
// (the server back, or the standby promoted in its place): there, and the batch committed (its
// events go live as usual); not there, and it is tried again. When no server answers within the
// statement timeout, or the batch appended no event, the outcome is unknown: every command then
// gets errc::unavailable (clients retry; Idempotency-Key makes that safe; a live client may then
// miss those events until it reconnects).
// Thread-safety: one batch at a time on the writer connection (the caller serializes).
#pragma once

#include <chrono>
#include <functional>
#include <span>
#include <vector>

#include "core/clock.hpp"
#include "domain/store.hpp"
#include "store/postgres/pg_connection.hpp"

namespace carechat::store::postgres {

// The writer connection, reopened when lost (the store's); an error when it cannot be opened.
using writer_connection = std::function<core::result<connection*>()>;

struct batch_options {
  // How long to wait for a lost server to come back and tell whether a COMMIT whose answer was
  // lost went through (the statement timeout: no request waits longer for its answer).
  std::chrono::milliseconds resolve_wait{5000};
  std::function<bool()> before_commit;  // tests only, may be empty: pg_options::before_commit
};

// See domain::store::apply().
std::vector<domain::write_outcome> apply_batch(const writer_connection& db, const core::clock& clk,
                                               std::span<const domain::write_command> batch,
                                               const batch_options& opts);

}  // namespace carechat::store::postgres
