#include "media/upload_pipeline.hpp"

#include <span>

#include "core/log.hpp"

namespace carechat::media {

using core::errc;
using core::make_error;

upload_pipeline::upload_pipeline(std::unique_ptr<domain::blob_writer> writer, const content_sniffer& sniffer,
                                 std::unique_ptr<malware_scan> scan, std::uint64_t max_bytes)
    : writer_(std::move(writer)), sniffer_(sniffer), scan_(std::move(scan)), max_bytes_(max_bytes) {}

upload_pipeline::~upload_pipeline() { abort(); }

void upload_pipeline::abort() {
  if (done_) return;
  done_ = true;
  if (writer_) writer_->abort();
}

core::result<void> upload_pipeline::fail(core::error e) {
  abort();
  return e;
}

core::result<void> upload_pipeline::feed(std::string_view bytes) {
  if (done_ || sealed_) return make_error(errc::internal, "upload: the file was already finished or refused");
  size_ += bytes.size();
  if (size_ > max_bytes_)
    return fail(make_error(errc::payload_too_large,
                           "the file is larger than " + std::to_string(max_bytes_) + " bytes"));
  if (sniffed_) return pass_on(bytes);
  // Nothing reaches storage or the scanner before the type is known to be allowed.
  head_.append(bytes);
  if (head_.size() < sniff_bytes) return {};
  if (auto ok = sniff_head(); !ok) return ok;
  std::string head = std::move(head_);
  head_.clear();
  return pass_on(head);
}

core::result<void> upload_pipeline::sniff_head() {
  auto type = sniffer_.sniff(head_);
  if (!type) return fail(std::move(type).error());
  content_type_ = std::move(*type);
  sniffed_ = true;
  return {};
}

core::result<void> upload_pipeline::pass_on(std::string_view bytes) {
  if (bytes.empty()) return {};
  hash_.update(bytes);
  if (scan_)
    if (auto ok = scan_->feed(std::span<const char>(bytes.data(), bytes.size())); !ok) return fail(ok.error());
  if (auto ok = writer_->append(std::span<const char>(bytes.data(), bytes.size())); !ok) return fail(ok.error());
  return {};
}

core::result<stored_file> upload_pipeline::seal() {
  if (done_ || sealed_) return make_error(errc::internal, "upload: the file was already finished or refused");
  if (size_ == 0) {
    abort();
    return make_error(errc::bad_request, "the file is empty");
  }
  if (!sniffed_) {
    if (auto ok = sniff_head(); !ok) return std::move(ok).error();
    std::string head = std::move(head_);
    head_.clear();
    if (auto ok = pass_on(head); !ok) return std::move(ok).error();
  }
  if (scan_) {
    auto verdict = scan_->finish();
    if (!verdict) {
      abort();
      return std::move(verdict).error();
    }
    if (!verdict->clean) {
      abort();
      // The signature's name is for the operator's log (a name, never the file), not the client.
      core::log_warn("attachments", "an upload was refused: clamd found " + verdict->signature);
      return make_error(errc::unprocessable, "the file was refused: the malware scanner found a threat in it");
    }
  }
  sealed_ = true;
  return stored_file{content_type_, size_, core::to_hex(hash_.finish())};
}

core::result<void> upload_pipeline::commit() {
  if (done_ || !sealed_) return make_error(errc::internal, "upload: commit before seal, or after the end");
  if (auto ok = writer_->commit(); !ok) {
    abort();
    return std::move(ok).error();
  }
  done_ = true;
  return {};
}

}  // namespace carechat::media
