// The name an attachment is stored and shown under, made from whatever name the uploader's client
// sent. A file name reaches HTTP headers, the staff app and downloaded files on disk, so it is
// cleaned, never refused (a patient's phone names photos as it likes). Thread-safety: pure.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace carechat::domain {

inline constexpr std::size_t max_attachment_name_bytes = 255;  // what most file systems allow
inline constexpr std::string_view unnamed_attachment = "attachment";

// The cleaned name:
// - ill-formed UTF-8 bytes become U+FFFD;
// - control characters (C0, DEL, C1; TAB, CR and LF included: header injection), the bidi
//   controls (U+061C, U+200E-200F, U+202A-202E, U+2066-2069: "invoice\u202Efdp.exe" shows as
//   "invoiceexe.pdf"), the line and paragraph separators and the invisible format characters
//   (U+180E, U+200B-200D, U+2060, U+FEFF) are dropped;
// - '/' and '\' become '_' (a name, never a path);
// - leading dots and white space, and trailing dots and white space, are dropped (no hidden
//   files, no "..", nothing Windows would trim on save);
// - more than 255 bytes are cut at a character boundary, keeping an extension of up to 16 bytes;
// - nothing left gives "attachment".
std::string sanitize_attachment_name(std::string_view raw);

}  // namespace carechat::domain
