// Settings of the SQLite store: one struct, a comment per field. Thread-safety: plain values.
#pragma once

#include <functional>
#include <string>

namespace carechat::store::sqlite {

struct sqlite_options {
  // Database file. Created (with the schema) if missing; its directory must already exist.
  std::string path;
  // How long a connection waits for a lock held by another connection or process (a server's
  // writer, the CLI) before the call fails with errc::unavailable. SQLite's busy_timeout, in ms.
  int busy_timeout_ms = 5000;
  // Fault injection for tests, never set by the server: called inside apply()'s transaction right
  // before COMMIT (it may sleep, to widen a race); false rolls the batch back instead, as a failed
  // commit would.
  std::function<bool()> before_commit;

  // The search database beside the main file (store/sqlite/search_index): derived data, rebuilt
  // from the messages if deleted.
  std::string search_path() const { return path + "-search"; }
};

}  // namespace carechat::store::sqlite
