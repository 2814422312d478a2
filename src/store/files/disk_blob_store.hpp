// Attachment bytes as files in a directory (the default beside the SQLite file): DIR/objects/ab/KEY
// for key "ab...", written first as DIR/incoming/KEY.RANDOM, fsynced, then linked into place (link(2)
// never replaces: an object is written once) and its directory fsynced, so an acknowledged object
// survives a power cut and a crash mid-write leaves only a file in incoming/, which open() clears.
// Files are 0600 and directories 0700: PHI readable by the server's user only.
// Thread-safety: any thread; each writer on one thread at a time.
#pragma once

#include <filesystem>
#include <memory>

#include "core/random.hpp"
#include "domain/blob_store.hpp"

namespace carechat::store::files {

class disk_blob_store final : public domain::blob_store {
 public:
  // Creates DIR (and its two folders) if missing and removes what an interrupted write left.
  static core::result<std::unique_ptr<disk_blob_store>> open(const std::filesystem::path& dir,
                                                             core::random_source& rng);

  core::result<std::unique_ptr<domain::blob_writer>> create(std::string_view key) override;
  core::result<std::size_t> read(std::string_view key, std::uint64_t offset, std::span<char> out) override;
  core::result<std::uint64_t> size(std::string_view key) override;
  core::result<void> remove(std::string_view key) override;

  std::filesystem::path path_of(std::string_view key) const;  // where a committed object lives

 private:
  disk_blob_store(std::filesystem::path dir, core::random_source& rng);
  std::filesystem::path dir_;
  core::random_source& rng_;
};

}  // namespace carechat::store::files
