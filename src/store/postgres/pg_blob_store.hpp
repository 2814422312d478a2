// Attachment bytes in the PostgreSQL database itself (issue #14), so a cluster of carechat nodes
// needs no shared directory and no object store, and a database backup holds the files too. An
// object is stored in parts of part_bytes (attachment_parts), each its own INSERT as it arrives
// (a writer holds one part in memory), and becomes visible when its attachment_objects row is
// inserted at commit(): a crash mid-write leaves parts without an object, which remove() (the
// collector's, for the pending attachment row) deletes. Columns are stored without compression
// (photos and PDFs are compressed already) and read by part, so a ranged read touches only the
// parts it needs. Thread-safety: any thread (each call borrows a pool connection); a writer on one
// thread at a time.
#pragma once

#include <memory>

#include "domain/blob_store.hpp"
#include "store/postgres/pg_pool.hpp"

namespace carechat::store::postgres {

class pg_blob_store final : public domain::blob_store {
 public:
  // 256 KiB: a download reads 512 KiB at a time (net/handlers/attachment_handlers), so a read
  // touches at most three parts, and no more than 256 KiB of them is read for nothing.
  static constexpr std::size_t part_bytes = 256 * 1024;

  explicit pg_blob_store(pg_pool& pool) : pool_(pool) {}

  core::result<std::unique_ptr<domain::blob_writer>> create(std::string_view key) override;
  core::result<std::size_t> read(std::string_view key, std::uint64_t offset, std::span<char> out) override;
  core::result<std::uint64_t> size(std::string_view key) override;
  core::result<void> remove(std::string_view key) override;

 private:
  pg_pool& pool_;
};

}  // namespace carechat::store::postgres
