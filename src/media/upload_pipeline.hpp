// What an upload's bytes go through on their way to storage, as they arrive (issue #14): a size
// limit, the content sniffer on the first bytes (the type by content, against the allow-list),
// SHA-256, the malware scanner when one is configured, and the blob writer. Nothing is usable
// until finish() says clean: a refused or infected file is aborted, never committed.
// Thread-safety: one pipeline per upload, used by one thread at a time (calls block: disk, clamd).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "core/crypto.hpp"
#include "core/result.hpp"
#include "domain/blob_store.hpp"
#include "media/content_sniffer.hpp"
#include "media/malware_scanner.hpp"

namespace carechat::media {

struct stored_file {
  std::string content_type;  // sniffed
  std::uint64_t size = 0;
  std::string sha256;        // lowercase hex
};

class upload_pipeline {
 public:
  // `scan` may be null (no scanner configured: the server said so at start).
  upload_pipeline(std::unique_ptr<domain::blob_writer> writer, const content_sniffer& sniffer,
                  std::unique_ptr<malware_scan> scan, std::uint64_t max_bytes);
  ~upload_pipeline();  // aborts what was not committed

  // The next bytes of the file. payload_too_large past the limit; unsupported_media_type once the
  // first bytes show a refused type; unavailable when storage or the scanner fails. Any error is
  // final (the pipeline is aborted).
  core::result<void> feed(std::string_view bytes);

  // The file ended: sniffs a file shorter than the sniffing window and takes the scanner's verdict
  // (unprocessable when infected). The bytes are not yet durable: commit() makes them so. Split
  // in two so that the caller can flush the bytes and record the upload's row at the same time.
  core::result<stored_file> seal();

  // After seal(): the bytes are durable when it returns.
  core::result<void> commit();

  void abort();

 private:
  core::result<void> pass_on(std::string_view bytes);  // to the hash, the scanner and the writer
  core::result<void> sniff_head();
  core::result<void> fail(core::error e);

  std::unique_ptr<domain::blob_writer> writer_;
  const content_sniffer& sniffer_;
  std::unique_ptr<malware_scan> scan_;
  std::uint64_t max_bytes_;
  std::uint64_t size_ = 0;
  std::string head_;  // the first bytes, held until sniffed
  std::string content_type_;
  core::sha256_stream hash_;
  bool sniffed_ = false;
  bool sealed_ = false;
  bool done_ = false;
};

}  // namespace carechat::media
