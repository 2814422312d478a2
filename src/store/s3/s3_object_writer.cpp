#include "store/s3/s3_object_writer.hpp"

#include <algorithm>

#include "core/log.hpp"

namespace carechat::store::s3 {
namespace {

constexpr int max_parts = 10'000;  // S3's limit per multipart upload

core::error closed_writer(const char* what) {
  return core::make_error(core::errc::internal, std::string("S3 store: ") + what + " after commit or abort");
}

}  // namespace

s3_object_writer::s3_object_writer(std::shared_ptr<const s3_client> client, std::string object, std::size_t part_size)
    : client_(std::move(client)), object_(std::move(object)), part_size_(part_size) {}

s3_object_writer::~s3_object_writer() { abort(); }

void s3_object_writer::reserve_for(std::size_t bytes) {
  // Doubling like std::string, but never past one part: the buffer's bound is the writer's memory.
  if (bytes <= buffer_.capacity()) return;
  buffer_.reserve(std::min(part_size_, std::max(bytes, 2 * buffer_.capacity())));
}

core::result<void> s3_object_writer::append(std::span<const char> bytes) {
  if (state_ != state::open) return closed_writer("append");
  while (!bytes.empty()) {
    const std::size_t take = std::min(bytes.size(), part_size_ - buffer_.size());
    reserve_for(buffer_.size() + take);
    buffer_.append(bytes.data(), take);
    bytes = bytes.subspan(take);
    size_ += take;
    if (buffer_.size() == part_size_) {
      if (auto ok = send_part(); !ok) {
        abort();
        return ok;
      }
    }
  }
  return {};
}

core::result<void> s3_object_writer::send_part() {
  if (etags_.size() >= static_cast<std::size_t>(max_parts))
    return core::make_error(core::errc::payload_too_large,
                            "S3 store: an object over S3's 10,000 parts of " + std::to_string(part_size_) + " bytes");
  if (upload_id_.empty()) {
    auto id = client_->create_multipart(object_);
    if (!id) return std::move(id).error();
    upload_id_ = std::move(*id);
  }
  auto etag = client_->upload_part(object_, upload_id_, static_cast<int>(etags_.size()) + 1, buffer_);
  if (!etag) return std::move(etag).error();
  etags_.push_back(std::move(*etag));
  buffer_.clear();  // capacity kept: the next part fills it again
  return {};
}

core::result<void> s3_object_writer::finish() {
  // Checked again here, not only at create(): the narrow window left is the one s3_blob_store.hpp
  // describes, and If-None-Match closes it on servers that honour it.
  auto existing = client_->head(object_);
  if (!existing) return std::move(existing).error();
  if (*existing) return core::make_error(core::errc::idempotency_conflict, "S3 store: object " + object_ + " exists");
  if (upload_id_.empty()) return client_->put_new(object_, buffer_);  // smaller than one part
  // The last part may be short (S3's 5 MiB minimum is for the others); none if the object is a
  // whole number of parts.
  if (!buffer_.empty())
    if (auto ok = send_part(); !ok) return ok;
  return client_->complete_multipart(object_, upload_id_, etags_);
}

core::result<void> s3_object_writer::commit() {
  if (state_ != state::open) return closed_writer("commit");
  auto ok = finish();
  if (!ok) {
    abort();
    return ok;
  }
  state_ = state::committed;
  upload_id_.clear();
  std::string().swap(buffer_);
  return {};
}

void s3_object_writer::abort() {
  if (state_ != state::open) return;
  state_ = state::aborted;
  std::string().swap(buffer_);
  if (upload_id_.empty()) return;  // nothing was sent: nothing to take back
  if (auto ok = client_->abort_multipart(object_, upload_id_); !ok)
    core::log_warn("s3", "abort of a multipart upload failed; the bucket's lifecycle rule collects its parts: " +
                             ok.error().message);
  upload_id_.clear();
}

}  // namespace carechat::store::s3
