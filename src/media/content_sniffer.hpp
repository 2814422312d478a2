// What an uploaded file is, by its content, never by the name or Content-Type its client claims:
// libmagic (the `file` command's library, Debian's libmagic 5.44) reads the first bytes, and the
// answer must be on the allow-list. SVG, HTML, scripts and archives are the classic ways into a
// browser or a workstation, so they are refused whatever they are called.
// Thread-safety: sniff() may be called from any thread (a libmagic handle per thread; libmagic's
// handles are not thread-safe).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace carechat::media {

// The types accepted by default (docs/api/attachments.md): photos from phones (JPEG, PNG, WebP,
// HEIC, GIF), PDF and plain text.
std::vector<std::string> default_allowed_types();

// How many leading bytes sniff() needs to see for a sure answer (libmagic reads no further by
// default for these types; more is accepted and ignored).
inline constexpr std::size_t sniff_bytes = 64 * 1024;

// Types no configuration may allow: what a browser would run as a page or a script (HTML, SVG,
// XML), scripts and programs, and archives (their content is not what was sniffed).
bool never_allowed(std::string_view type);

class content_sniffer {
 public:
  explicit content_sniffer(std::vector<std::string> allowed = default_allowed_types());

  // The MIME type of a file that begins with `head`, if allowed; unsupported_media_type with a
  // message naming what was found and what is accepted otherwise.
  core::result<std::string> sniff(std::string_view head) const;

  // libmagic's answer alone (for tests and logs): "image/png", "text/html", ...
  static std::string mime_type_of(std::string_view head);

 private:
  std::vector<std::string> allowed_;
  std::string accepted_list_;  // "image/jpeg, image/png, ..." for error messages
};

}  // namespace carechat::media
