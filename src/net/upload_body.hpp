// An upload's body on its way to the file pipeline (media/upload_pipeline): the bytes as they are
// for a raw upload (`Content-Type` of the file, the name in `Content-Disposition`), or the one file
// part of a multipart/form-data body (what browsers' FormData and `curl -F` send), read as it
// arrives. Thread-safety: one per upload, one thread at a time.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "api/multipart_parser.hpp"
#include "core/result.hpp"
#include "media/upload_pipeline.hpp"

namespace carechat::net {

class upload_body final : private api::multipart_handler {
 public:
  // content_type: the request's Content-Type; disposition: its Content-Disposition, if any.
  // bad_request for a malformed multipart Content-Type or Content-Disposition.
  static core::result<std::unique_ptr<upload_body>> open(std::string_view content_type,
                                                         std::optional<std::string_view> disposition,
                                                         media::upload_pipeline& pipeline);

  core::result<void> feed(std::string_view bytes);
  // The body ended: a multipart body must be complete and have carried a file part named "file".
  core::result<void> end();
  // The file's name as the client gave it (raw bytes; the domain sanitizes), "" when none.
  const std::string& name() const { return name_; }

 private:
  explicit upload_body(media::upload_pipeline& pipeline) : pipeline_(pipeline) {}
  core::result<void> on_part_begin(const api::multipart_part& part) override;
  core::result<void> on_part_data(std::string_view bytes) override;
  core::result<void> on_part_end() override;

  media::upload_pipeline& pipeline_;
  std::unique_ptr<api::multipart_parser> multipart_;  // null: a raw upload
  std::string name_;
  bool in_file_ = false;    // the current part is the file
  bool had_file_ = false;
  std::size_t other_bytes_ = 0;  // of parts that are not the file (ignored, but bounded)
};

}  // namespace carechat::net
