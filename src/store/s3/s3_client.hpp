// The S3 REST calls the attachment store makes, each a blocking function returning a result: it
// builds the path-style request ("/BUCKET/OBJECT"), signs it (sigv4), sends it (s3_http) and turns
// S3's answer into carechat's error codes:
//   cannot connect, timeout, 5xx (and a 200 whose body is an InternalError or SlowDown) -> unavailable
//   404 -> not_found (where a call does not give it a meaning of its own)
//   412 on a conditional write -> idempotency_conflict
//   any other status -> internal, with S3's error Code from the XML body ("S3 PUT x: 403 AccessDenied")
// Messages name the call and the object, never a credential or a header's value.
// Payloads are signed: x-amz-content-sha256 carries the body's real SHA-256, not UNSIGNED-PAYLOAD.
// A part is in memory anyway, hashing it costs one pass, and over plain HTTP the signature then
// covers the bytes too, so S3 refuses a body corrupted or altered on the way.
// Thread-safety: immutable after make(); any thread, concurrently.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "core/clock.hpp"
#include "core/result.hpp"
#include "store/s3/s3_http.hpp"
#include "store/s3/s3_options.hpp"
#include "store/s3/sigv4.hpp"

namespace carechat::store::s3 {

// One request to an object, before signing.
struct s3_call {
  std::string method = "GET";
  std::string object;                                      // the object's name in the bucket (prefix included), decoded
  std::vector<std::pair<std::string, std::string>> query;  // decoded; "uploads" with "" as its value
  http_headers headers;                                    // signed along with host and x-amz-*
  std::span<const char> body;
};

// What a call goes out as: its request target and its headers, Host, x-amz-date,
// x-amz-content-sha256 and Authorization included, signed for `now`. Pure, so tests can check it
// against another signer (tests/unit/store/sigv4_botocore_test.cpp).
struct s3_signed_request {
  std::string target;  // "/bucket/attachments/k?partNumber=1&uploadId=..."
  http_headers headers;
};
s3_signed_request s3_sign(const s3_call& call, std::string_view bucket, std::string_view host_header,
                          const sigv4_key& key, core::unix_ms now);

class s3_client {
 public:
  // Validates `options` (bad_request); connects to nothing yet.
  static core::result<s3_client> make(const s3_options& options, const core::clock& clock);

  // The object's size, or none if it does not exist.
  core::result<std::optional<std::uint64_t>> head(std::string_view object) const;
  // Up to out.size() bytes from `offset` (a ranged GET); 0 at or past the end; not_found if absent.
  core::result<std::size_t> get_range(std::string_view object, std::uint64_t offset, std::span<char> out) const;
  // Creates the object with `body` unless it exists (If-None-Match: *; see s3_blob_store.hpp for
  // servers that ignore it): idempotency_conflict if it does.
  core::result<void> put_new(std::string_view object, std::span<const char> body) const;
  // Deletes the object; a missing one succeeds.
  core::result<void> remove(std::string_view object) const;

  // Multipart upload: start (the upload id), parts numbered from 1 (each one's ETag), then complete
  // (the object appears, unless it exists: If-None-Match: *, idempotency_conflict) or abort.
  core::result<std::string> create_multipart(std::string_view object) const;
  core::result<std::string> upload_part(std::string_view object, std::string_view upload_id, int part_number,
                                        std::span<const char> body) const;
  core::result<void> complete_multipart(std::string_view object, std::string_view upload_id,
                                        const std::vector<std::string>& etags) const;
  core::result<void> abort_multipart(std::string_view object, std::string_view upload_id) const;

 private:
  s3_client(http_endpoint endpoint, const s3_options& options, const core::clock& clock);
  // Signs and sends; a reply of any status, or unavailable/internal from the transport.
  core::result<http_reply> send(const s3_call& call, std::size_t max_reply_body = 64 * 1024, bool head = false) const;

  http_endpoint endpoint_;
  std::string bucket_;
  sigv4_key key_;
  http_timeouts timeouts_;
  const core::clock* clock_;
};

}  // namespace carechat::store::s3
