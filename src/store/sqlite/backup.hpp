// Backups of an SQLite database while a server writes to it (issue #16), and restores. SQLite's
// online backup API copies the file a few pages at a time, so the server's writer waits at most
// for one step; a commit that lands mid-copy makes SQLite start over from a consistent state, so
// the copy is one snapshot. Then the copy is checked (integrity_check) and counted. A restore
// gives the log a new epoch: live clients of the old database resync rather than miss events
// whose positions the restored log hands out again. The search index is derived and not copied
// (it is rebuilt); attachments' bytes are copied by the caller (app/backup_command).
// Thread-safety: plain functions; each opens connections of its own.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "store/sqlite/sqlite_options.hpp"

namespace carechat::store::sqlite {

struct backup_report {
  std::int64_t messages = 0;
  std::int64_t audit_rows = 0;
  std::int64_t epoch = 0;  // the copy's log epoch (a restore's is new)
  std::vector<std::string> attachment_keys;  // blob keys the copy's attachments need (clean ones)
};

// Copies `source` into a new file `target` (bad_request if it exists, or its directory does not),
// while the source may be in use. Nothing is left at `target` on failure.
core::result<backup_report> backup_database(const sqlite_options& source, const std::string& target);

// A backup made by backup_database() into a new database at `target` (which must not exist), with
// a new log epoch. Nothing is left at `target` on failure.
core::result<backup_report> restore_database(const std::string& backup, const sqlite_options& target);

}  // namespace carechat::store::sqlite
