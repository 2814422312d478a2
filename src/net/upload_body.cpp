#include "net/upload_body.hpp"

#include "api/content_disposition.hpp"
#include "core/text.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

// Other form fields are tolerated (a client may send a caption field) but never stored: a few KiB.
constexpr std::size_t max_other_part_bytes = 16 * 1024;

bool is_multipart(std::string_view content_type) {
  const std::string_view type = core::trim_ows(content_type.substr(0, content_type.find(';')));
  return core::iequals_ascii(type, "multipart/form-data");
}

}  // namespace

core::result<std::unique_ptr<upload_body>> upload_body::open(std::string_view content_type,
                                                             std::optional<std::string_view> disposition,
                                                             media::upload_pipeline& pipeline) {
  std::unique_ptr<upload_body> body(new upload_body(pipeline));
  if (is_multipart(content_type)) {
    auto boundary = api::multipart_boundary(content_type);
    if (!boundary) return std::move(boundary).error();
    api::multipart_handler& handler = *body;  // the private base, reachable here only
    body->multipart_ = std::make_unique<api::multipart_parser>(std::move(*boundary), handler);
    return body;
  }
  if (disposition) {
    auto name = api::filename_of(*disposition);
    if (!name) return std::move(name).error();
    body->name_ = name->value_or("");
  }
  return body;
}

core::result<void> upload_body::feed(std::string_view bytes) {
  if (multipart_) return multipart_->feed(bytes);
  return pipeline_.feed(bytes);
}

core::result<void> upload_body::end() {
  if (!multipart_) return {};
  if (auto ok = multipart_->finish(); !ok) return ok;
  if (!had_file_) return make_error(errc::bad_request, "multipart/form-data without a file part named \"file\"");
  return {};
}

core::result<void> upload_body::on_part_begin(const api::multipart_part& part) {
  if (part.name != "file") {
    in_file_ = false;
    return {};
  }
  if (had_file_) return make_error(errc::bad_request, "one file per upload: the body has two parts named \"file\"");
  had_file_ = in_file_ = true;
  name_ = part.filename.value_or("");
  return {};
}

core::result<void> upload_body::on_part_data(std::string_view bytes) {
  if (in_file_) return pipeline_.feed(bytes);
  other_bytes_ += bytes.size();
  if (other_bytes_ > max_other_part_bytes)
    return make_error(errc::bad_request, "form fields besides \"file\" are limited to 16 KiB");
  return {};
}

core::result<void> upload_body::on_part_end() {
  in_file_ = false;
  return {};
}

}  // namespace carechat::net
