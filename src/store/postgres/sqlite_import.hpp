// Moving a clinic: copies a whole SQLite carechat database into an empty PostgreSQL one (`carechat
// copy`). Everything is copied with its ids: chats, messages with their read state, tokens (hashes),
// idempotency keys, the audit trail, webhook endpoints (still sealed: the server secrets go along,
// so they open, and outstanding page tokens stay valid), the outbox and the delivery log, the event
// log with its positions and retention floor, the revocation counter. The target's log gets an
// epoch of its own, so live clients of the old server resync instead of missing events.
//
// All or nothing: one PostgreSQL transaction that holds every table exclusively; the copy checks
// row counts and a SHA-256 per table (over every column of every row, read back from PostgreSQL
// in key order and compared with the source's) before it commits. The source is read in one
// snapshot; writes to it after the copy started are not copied (stop the old server first).
// Thread-safety: one call at a time; it owns its connections.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "core/result.hpp"
#include "domain/blob_store.hpp"
#include "store/postgres/pg_options.hpp"

namespace carechat::store::postgres {

struct table_copy {
  std::string table;
  std::int64_t rows = 0;
  std::string sha256;  // hex, over the canonical form of every row, equal on both sides
};

struct copy_report {
  std::vector<table_copy> tables;
  std::int64_t epoch = 0;  // the target log's epoch
};

// Called as rows are copied: (table, rows done, rows in the table). For a progress bar.
using copy_progress = std::function<void(const std::string& table, std::int64_t done, std::int64_t total)>;

// Copies `sqlite_path` (brought up to this build's schema first, as a server start would) into
// the PostgreSQL database `target` (its schema is created if missing). Refuses a target that
// holds any carechat row (errc::bad_request); nothing is written then, or on any failure.
// Attachments' bytes are read from `attachment_bytes` (the source's blob store; null when it has
// none) and written into the target database (pg_blob_store's tables) in the same transaction,
// each checked against its SHA-256: a database with attachments and no bytes is refused.
core::result<copy_report> copy_sqlite_to_postgres(const std::string& sqlite_path, const pg_options& target,
                                                  domain::blob_store* attachment_bytes, const copy_progress& progress);

}  // namespace carechat::store::postgres
