// Settings of the S3-compatible attachment store (issue #14): one struct, a comment per field. The
// server's config fills it (attachments.s3.* in app/config, wired there, not here) and open()
// validates it before the listener opens. Thread-safety: plain values.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>

#include "core/result.hpp"

namespace carechat::store::s3 {

struct s3_options {
  // Where S3 is: "http://HOST[:PORT]" (port 80 if none), e.g. "http://127.0.0.1:9000" for a local
  // MinIO. Plain HTTP only for now: TLS (Beast's ssl_stream over OpenSSL, verifying the endpoint's
  // certificate) is the next step before a real AWS endpoint; until then put a TLS-terminating proxy
  // on the same host. Requests use path-style addressing, "/BUCKET/KEY", which every S3-compatible
  // server accepts and which needs no DNS name per bucket.
  std::string endpoint;
  // The bucket's region, part of every signature ("us-east-1" for most S3-compatible servers).
  std::string region = "us-east-1";
  // An existing bucket; carechat never creates or configures one. Give it a lifecycle rule that
  // aborts incomplete multipart uploads after a day: a process killed mid-upload leaves parts that
  // only that rule (or a later abort) reclaims.
  std::string bucket;
  // The credentials requests are signed with (AWS Signature V4). The secret is never logged and never
  // part of an error message.
  std::string access_key_id;
  std::string secret_access_key;
  // Prepended to every blob key, so one bucket can hold other things too: "attachments/" stores key
  // K as object "attachments/K". Empty, or characters A-Z a-z 0-9 - _ . ~ and '/', not starting
  // with '/'.
  std::string key_prefix = "attachments/";
  // How long opening the TCP connection may take; past it a call fails with errc::unavailable (S3
  // down or unreachable must not hang an upload). A DNS lookup is bounded by the system resolver's
  // own timeout (resolv.conf) as well: an IP address or a name in /etc/hosts avoids one.
  std::chrono::milliseconds connect_timeout{5'000};
  // How long one request may take once connected: sending its body (up to one part) and reading the
  // reply. 60 s lets an 8 MiB part through a link of ~150 KB/s; past it, errc::unavailable.
  std::chrono::milliseconds request_timeout{60'000};
  // Bytes per multipart part, and so the most one writer buffers in memory. S3's limits: at least
  // 5 MiB (except the last part), at most 10,000 parts per object, so 8 MiB caps an object at ~78 GiB.
  std::size_t part_size = 8 * 1024 * 1024;
};

// The options as open() accepts them; bad_request naming the first field that is wrong (never a
// credential's value).
core::result<void> validate(const s3_options& options);

}  // namespace carechat::store::s3
