#include "store/files/disk_blob_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "core/crypto.hpp"

namespace carechat::store::files {
namespace fs = std::filesystem;
namespace {

core::error io_error(const char* what, const fs::path& p, int err) {
  return core::make_error(core::errc::internal,
                          std::string("attachment storage: ") + what + " " + p.string() + ": " + std::strerror(err));
}

core::result<void> fsync_dir(const fs::path& dir) {
  const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return io_error("open", dir, errno);
  const int rc = ::fsync(fd);
  const int err = errno;
  ::close(fd);
  if (rc != 0) return io_error("fsync", dir, err);
  return {};
}

// mkdir that accepts an existing directory; a new one's parent is fsynced so the entry survives.
core::result<void> make_dir(const fs::path& dir) {
  if (::mkdir(dir.c_str(), 0700) == 0) return fsync_dir(dir.parent_path());
  if (errno == EEXIST) return {};
  return io_error("mkdir", dir, errno);
}

core::error bad_key(std::string_view key) {
  return core::make_error(core::errc::bad_request,
                          "attachment storage: invalid key of " + std::to_string(key.size()) + " bytes");
}

class disk_writer final : public domain::blob_writer {
 public:
  disk_writer(int fd, fs::path incoming, fs::path final_path) : fd_(fd), incoming_(std::move(incoming)),
                                                                final_(std::move(final_path)) {}
  ~disk_writer() override { abort(); }

  // Each chunk's write-back to the disk is started as soon as it is written
  // (sync_file_range, SYNC_FILE_RANGE_WRITE: it queues the pages and returns), so the disk
  // writes the file while the rest of it is still arriving, and commit()'s fsync waits only for
  // the last chunk and the metadata instead of the whole file (figure 8a).
  core::result<void> append(std::span<const char> bytes) override {
    if (fd_ < 0) return core::make_error(core::errc::internal, "attachment storage: append after commit or abort");
    const std::uint64_t start = size_;
    while (!bytes.empty()) {
      const ssize_t n = ::write(fd_, bytes.data(), bytes.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        return io_error("write", incoming_, errno);
      }
      bytes = bytes.subspan(static_cast<std::size_t>(n));
      size_ += static_cast<std::uint64_t>(n);
    }
    // Only a hint: a failure here is found again by commit()'s fsync, which is what acknowledges.
    ::sync_file_range(fd_, static_cast<off_t>(start), static_cast<off_t>(size_ - start), SYNC_FILE_RANGE_WRITE);
    return {};
  }

  // The object is linked into objects/ first and flushed second: on ext4 and XFS the file's
  // flush then commits the journal that holds its new entry, so the folder's flush after it finds
  // nothing left to write (one flush's wait instead of two, figure 8a). A crash between the link
  // and the flush leaves a partial object under a pending row, which is never served and which the
  // collector removes with the row.
  core::result<void> commit() override {
    if (fd_ < 0) return core::make_error(core::errc::internal, "attachment storage: commit after commit or abort");
    if (auto ok = make_dir(final_.parent_path()); !ok) {
      abort();
      return ok;
    }
    // link(2) fails with EEXIST rather than replace: two writers of one key cannot overwrite.
    if (::link(incoming_.c_str(), final_.c_str()) != 0) {
      const int err = errno;
      abort();
      if (err == EEXIST)
        return core::make_error(core::errc::idempotency_conflict, "attachment storage: the object exists");
      return io_error("link", final_, err);
    }
    ::unlink(incoming_.c_str());
    if (::fsync(fd_) != 0) {
      const int err = errno;
      ::close(fd_);
      fd_ = -1;
      ::unlink(final_.c_str());
      return io_error("fsync", final_, err);
    }
    ::close(fd_);
    fd_ = -1;
    return fsync_dir(final_.parent_path());
  }

  void abort() override {
    if (fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
    ::unlink(incoming_.c_str());
  }

  std::uint64_t size() const override { return size_; }

 private:
  int fd_;
  fs::path incoming_, final_;
  std::uint64_t size_ = 0;
};

}  // namespace

disk_blob_store::disk_blob_store(fs::path dir, core::random_source& rng) : dir_(std::move(dir)), rng_(rng) {}

core::result<std::unique_ptr<disk_blob_store>> disk_blob_store::open(const fs::path& dir, core::random_source& rng) {
  for (const fs::path& d : {dir, dir / "objects", dir / "incoming"})
    if (auto ok = make_dir(d); !ok) return std::move(ok).error();
  // What a crash mid-write left: never linked into objects/, so nobody refers to it.
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(dir / "incoming", ec)) fs::remove(entry.path(), ec);
  return std::unique_ptr<disk_blob_store>(new disk_blob_store(dir, rng));
}

fs::path disk_blob_store::path_of(std::string_view key) const {
  // Spread over up to 4,096 folders by the key's first two characters (keys are random ids).
  const std::string prefix(key.substr(0, std::min<std::size_t>(2, key.size())));
  return dir_ / "objects" / prefix / std::string(key);
}

core::result<std::unique_ptr<domain::blob_writer>> disk_blob_store::create(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  const fs::path final_path = path_of(key);
  struct stat st {};
  if (::stat(final_path.c_str(), &st) == 0)
    return core::make_error(core::errc::idempotency_conflict, "attachment storage: the object exists");
  std::array<std::uint8_t, 8> nonce{};
  rng_.fill(nonce);
  const fs::path incoming = dir_ / "incoming" / (std::string(key) + "." + core::to_hex(nonce));
  const int fd = ::open(incoming.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
  if (fd < 0) return io_error("create", incoming, errno);
  return std::unique_ptr<domain::blob_writer>(new disk_writer(fd, incoming, final_path));
}

core::result<std::size_t> disk_blob_store::read(std::string_view key, std::uint64_t offset, std::span<char> out) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  const fs::path p = path_of(key);
  const int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    if (errno == ENOENT) return core::make_error(core::errc::not_found, "attachment storage: no such object");
    return io_error("open", p, errno);
  }
  std::size_t got = 0;
  while (got < out.size()) {
    const ssize_t n = ::pread(fd, out.data() + got, out.size() - got, static_cast<off_t>(offset + got));
    if (n < 0) {
      if (errno == EINTR) continue;
      const int err = errno;
      ::close(fd);
      return io_error("read", p, err);
    }
    if (n == 0) break;
    got += static_cast<std::size_t>(n);
  }
  ::close(fd);
  return got;
}

core::result<std::uint64_t> disk_blob_store::size(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  struct stat st {};
  const fs::path p = path_of(key);
  if (::stat(p.c_str(), &st) != 0) {
    if (errno == ENOENT) return core::make_error(core::errc::not_found, "attachment storage: no such object");
    return io_error("stat", p, errno);
  }
  return static_cast<std::uint64_t>(st.st_size);
}

core::result<void> disk_blob_store::remove(std::string_view key) {
  if (!domain::valid_blob_key(key)) return bad_key(key);
  const fs::path p = path_of(key);
  if (::unlink(p.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return io_error("unlink", p, errno);
  }
  return fsync_dir(p.parent_path());
}

}  // namespace carechat::store::files
