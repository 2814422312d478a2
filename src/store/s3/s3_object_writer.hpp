// One object being written to S3 (s3_blob_store::create): bytes buffered up to one part, a multipart
// upload started when the first part fills, the rest sent at commit(). The contract and the
// write-once rule are s3_blob_store.hpp's. Memory: at most part_size bytes, allocated as the object
// grows (a 40 KiB photo holds 40 KiB, not 8 MiB). Thread-safety: one thread at a time.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "domain/blob_store.hpp"
#include "store/s3/s3_client.hpp"

namespace carechat::store::s3 {

class s3_object_writer final : public domain::blob_writer {
 public:
  s3_object_writer(std::shared_ptr<const s3_client> client, std::string object, std::size_t part_size);
  ~s3_object_writer() override;  // aborts if not committed

  core::result<void> append(std::span<const char> bytes) override;
  core::result<void> commit() override;
  void abort() override;
  std::uint64_t size() const override { return size_; }

 private:
  core::result<void> send_part();  // the buffer as the next part (starting the upload if need be)
  core::result<void> finish();     // commit()'s calls to S3
  void reserve_for(std::size_t bytes);

  enum class state { open, committed, aborted };
  std::shared_ptr<const s3_client> client_;
  std::string object_;
  std::size_t part_size_;
  std::string buffer_;              // the part being filled: never more than part_size_
  std::string upload_id_;           // empty until the first part is sent
  std::vector<std::string> etags_;  // of the parts sent, in order
  std::uint64_t size_ = 0;
  state state_ = state::open;
};

}  // namespace carechat::store::s3
