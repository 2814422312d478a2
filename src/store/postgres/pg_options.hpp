// Settings of the PostgreSQL store: one struct, a comment per field. Thread-safety: plain values.
#pragma once

#include <functional>
#include <string>

namespace carechat::store::postgres {

struct pg_options {
  // A libpq connection URI (postgresql://user@host:port/dbname?...) or key=value string. The
  // password comes from it, PGPASSWORD or ~/.pgpass; it is never printed or logged. Several hosts
  // with target_session_attrs=read-write pick the primary.
  std::string conninfo;
  // Connections for reads (one per concurrent reader; readers beyond it wait for one). The writer
  // and the administration calls have one connection each besides these.
  int pool_size = 8;
  // Longest a statement may run before the server cancels it (errc::unavailable, "retry later"),
  // so no request hangs on a stuck or overloaded database. statement_timeout, in ms.
  int statement_timeout_ms = 5000;
  // Longest a connection attempt may take (libpq connect_timeout, in whole seconds, at least 2).
  int connect_timeout_s = 5;
  // How long a reader waits for a free pool connection before answering "retry later".
  int pool_wait_ms = 5000;
  // Fault injection for tests, never set by the server: called inside apply()'s transaction right
  // before COMMIT (it may sleep, to widen a race); false rolls the batch back instead, as a failed
  // commit would (a retryable failure: write_batch tries again).
  std::function<bool()> before_commit;
};

}  // namespace carechat::store::postgres
