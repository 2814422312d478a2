#include "media/content_sniffer.hpp"

#include <magic.h>

#include <algorithm>
#include <memory>
#include <stdexcept>

namespace carechat::media {
namespace {

// One libmagic handle per thread, loaded with the system's compiled database on first use.
// MAGIC_NO_CHECK_COMPRESS: a compressed file is reported as what it is (an archive), never
// unpacked to look inside.
magic_t thread_handle() {
  struct closer {
    void operator()(magic_t m) const { magic_close(m); }
  };
  thread_local std::unique_ptr<std::remove_pointer_t<magic_t>, closer> handle = [] {
    magic_t m = magic_open(MAGIC_MIME_TYPE | MAGIC_NO_CHECK_COMPRESS | MAGIC_ERROR);
    if (m == nullptr) throw std::runtime_error("libmagic: magic_open failed");
    if (magic_load(m, nullptr) != 0) {
      const std::string why = magic_error(m) ? magic_error(m) : "unknown error";
      magic_close(m);
      throw std::runtime_error("libmagic: cannot load its database: " + why);
    }
    return std::unique_ptr<std::remove_pointer_t<magic_t>, closer>(m);
  }();
  return handle.get();
}

}  // namespace

std::vector<std::string> default_allowed_types() {
  return {"image/jpeg", "image/png", "image/webp", "image/heic", "image/gif", "application/pdf", "text/plain"};
}

bool never_allowed(std::string_view type) {
  static constexpr std::string_view denied[] = {
      "text/html",          "image/svg+xml",         "application/xhtml+xml", "text/xml",
      "application/xml",    "text/javascript",       "application/javascript", "text/x-shellscript",
      "text/x-python",      "text/x-perl",           "text/x-php",            "application/x-executable",
      "application/x-sharedlib", "application/x-dosexec", "application/zip",  "application/gzip",
      "application/x-tar",  "application/x-7z-compressed", "application/x-rar", "application/java-archive",
      "application/vnd.microsoft.portable-executable", "application/x-mach-binary", "application/x-msi",
  };
  for (std::string_view d : denied)
    if (type == d) return true;
  return false;
}

content_sniffer::content_sniffer(std::vector<std::string> allowed) : allowed_(std::move(allowed)) {
  for (const auto& t : allowed_) accepted_list_ += (accepted_list_.empty() ? "" : ", ") + t;
}

std::string content_sniffer::mime_type_of(std::string_view head) {
  if (head.empty()) return "application/x-empty";
  const char* type = magic_buffer(thread_handle(), head.data(), std::min(head.size(), sniff_bytes));
  return type != nullptr ? std::string(type) : std::string("application/octet-stream");
}

core::result<std::string> content_sniffer::sniff(std::string_view head) const {
  std::string type = mime_type_of(head);
  if (std::find(allowed_.begin(), allowed_.end(), type) != allowed_.end()) return type;
  return core::make_error(core::errc::unsupported_media_type,
                          "this file is " + type + ", which is not accepted; accepted: " + accepted_list_);
}

}  // namespace carechat::media
