// The attachments' settings (issue #14; read with the others through app/settings' table,
// docs/operations.md "Attachments"), and the blob store they choose. Thread-safety: plain values; open_blob_store()
// from the starting thread.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/attachment.hpp"
#include "domain/blob_store.hpp"
#include "domain/store.hpp"
#include "store/s3/s3_options.hpp"

namespace carechat::app {

enum class blob_backend { disk, postgres, s3, off };

struct attachment_config {
  // CARECHAT_ATTACHMENT_STORE: disk | postgres | s3 | off. Unset: disk beside a SQLite file,
  // the database itself on PostgreSQL (a cluster then needs no other service).
  std::optional<blob_backend> backend;
  std::string dir;  // CARECHAT_ATTACHMENTS_DIR; unset: "<database file>-attachments"
  store::s3::s3_options s3;  // CARECHAT_S3_ENDPOINT, _REGION, _BUCKET, _ACCESS_KEY_ID, _SECRET_ACCESS_KEY, _PREFIX
  domain::attachment_limits limits;  // CARECHAT_ATTACHMENT_MAX_BYTES, _ATTACHMENTS_PER_MESSAGE, _IMAGE_MAX_PIXELS
  std::string clamd_socket;   // CARECHAT_CLAMD_SOCKET: scan uploads with clamd there ("": not scanned)
  std::vector<std::string> allowed_types;  // CARECHAT_ATTACHMENT_TYPES (comma-separated); empty: the defaults
  unsigned io_threads = 2;    // CARECHAT_ATTACHMENT_THREADS: blocking file, scanner and thumbnail work
};

// The blob store the settings choose (nullptr for off). `db_path` is the SQLite file (the disk
// store's default place); `database` is the open store (the PostgreSQL blob store lives in it).
core::result<std::unique_ptr<domain::blob_store>> open_blob_store(const attachment_config& cfg, bool postgres_database,
                                                                  const std::string& db_path, domain::store& database,
                                                                  const core::clock& clock, core::random_source& rng);

}  // namespace carechat::app
