// Attachment bytes as objects in an S3-compatible bucket (issue #14), behind domain::blob_store.
// Blob key K is object KEY_PREFIX + K in BUCKET, addressed path-style (/BUCKET/KEY_PREFIX K).
//
// Configuration (s3_options.hpp; app/config maps these, e.g. as attachments.s3.*):
//   endpoint           "http://HOST[:PORT]" (plain HTTP for now; TLS is the next step)
//   region             "us-east-1" unless the provider says otherwise
//   bucket             an existing bucket (with a lifecycle rule aborting incomplete uploads)
//   access_key_id      \ AWS Signature V4 credentials; the secret is never logged
//   secret_access_key  /
//   key_prefix         "attachments/" by default
//   connect_timeout    5 s; request_timeout 60 s (a stalled S3 fails a call as unavailable)
//   part_size          8 MiB: the multipart part size, and so each writer's memory
//
// Writing: a writer buffers up to one part in memory (so at most part_size bytes per upload in
// flight), starts a multipart upload when the first part fills, sends each full part, and at
// commit() sends the rest and completes the upload; an object smaller than one part is a single PUT
// at commit(). Either way S3 shows nothing under the key until that last call succeeds, and it
// acknowledges it only once the object is stored durably. abort(), a failed commit() and the
// destructor of an uncommitted writer abort the multipart upload (best effort: a failure is logged,
// and the bucket's lifecycle rule collects what is left).
//
// Written once: create() fails with idempotency_conflict if the object exists (a HEAD), and
// commit() checks again and sends PUT / CompleteMultipartUpload with If-None-Match: *, which AWS S3
// enforces atomically (conditional writes, since 2024; check other providers): of two writers of
// one key exactly one commits, the other gets idempotency_conflict. A server that ignores
// If-None-Match (s3rver, the tests' server) leaves a race: two commits of one key inside the few
// milliseconds between the second HEAD and the PUT both succeed, and the later one wins. carechat's
// keys are fresh random ids, so two writers of one key are a bug, not traffic.
//
// Reading is a ranged GET per call (bytes=offset-(offset+n-1)); size() a HEAD; remove() a DELETE.
// Errors: S3 unreachable, a timeout or a 5xx is errc::unavailable; any other refusal is
// errc::internal carrying S3's error Code (s3_client.hpp has the table).
// Thread-safety: any thread, concurrently (no state beyond the immutable client); each writer on
// one thread at a time. Every call blocks on the network: call from a worker, not an I/O thread.
#pragma once

#include <memory>

#include "core/clock.hpp"
#include "domain/blob_store.hpp"
#include "store/s3/s3_client.hpp"
#include "store/s3/s3_options.hpp"

namespace carechat::store::s3 {

class s3_blob_store final : public domain::blob_store {
 public:
  // Validates the options (bad_request); contacts S3 only with the first call. `clock` dates the
  // signatures and must outlive the store.
  static core::result<std::unique_ptr<s3_blob_store>> open(const s3_options& options, const core::clock& clock);

  core::result<std::unique_ptr<domain::blob_writer>> create(std::string_view key) override;
  core::result<std::size_t> read(std::string_view key, std::uint64_t offset, std::span<char> out) override;
  core::result<std::uint64_t> size(std::string_view key) override;
  core::result<void> remove(std::string_view key) override;

  std::string object_of(std::string_view key) const;  // the object a blob key is stored as

 private:
  s3_blob_store(std::shared_ptr<const s3_client> client, const s3_options& options);
  std::shared_ptr<const s3_client> client_;  // shared with writers, which may outlive a call
  std::string key_prefix_;
  std::size_t part_size_;
};

}  // namespace carechat::store::s3
