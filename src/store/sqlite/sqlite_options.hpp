// Settings of the SQLite store: one struct, a comment per field. Thread-safety: plain values.
#pragma once

#include <string>

namespace carechat::store::sqlite {

struct sqlite_options {
  // Database file. Created (with the schema) if missing; its directory must already exist.
  std::string path;
  // How long a connection waits for a lock held by another connection or process (a server's
  // writer, the CLI) before the call fails with errc::unavailable. SQLite's busy_timeout, in ms.
  int busy_timeout_ms = 5000;

  // The search database beside the main file (store/sqlite/search_index): derived data, rebuilt
  // from the messages if deleted.
  std::string search_path() const { return path + "-search"; }
};

}  // namespace carechat::store::sqlite
