// Thumbnails of image attachments (issue #14): a small re-encoded copy of a photo that carries its
// pixels and nothing else (no EXIF, GPS, XMP, ICC), so a preview can be shown without sending the
// original, and without the original's metadata ever reaching another client.
// Built on libvips (Debian 12: 8.14). An upload is untrusted input, so the header is read first and
// an image over the pixel limit is refused before a single pixel is decoded (a 50,000 x 50,000 PNG
// is a few hundred KB on the wire and 2.5 GB once decoded).
// Thread-safety: after init_image_library() has returned, previewable() and thumbnailer::make() may
// be called from any thread at once (libvips is thread-safe after initialisation; a thumbnailer
// holds only its limits). Each make() blocks its caller while it decodes: run it off the I/O threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/result.hpp"

namespace carechat::media {

struct thumbnail_limits {
  // Largest width x height accepted, read from the header before decoding (the server sets it
  // from CARECHAT_IMAGE_MAX_PIXELS, 100 MP by default, and refuses the upload of a larger image:
  // net/handlers/attachment_handlers). This default bounds what one call can cost in memory and CPU.
  std::uint64_t max_pixels = 40'000'000;
  // Longest edge of the thumbnail in pixels; smaller images keep their size (never enlarged).
  int max_edge = 320;
};

// What every thumbnail is (thumbnailer.cpp says why not WebP).
inline constexpr std::string_view thumbnail_content_type = "image/jpeg";

struct thumbnail {
  std::string bytes;         // the encoded thumbnail
  std::string content_type;  // thumbnail_content_type
  int width = 0;
  int height = 0;
};

// Whether a sniffed content type (content_sniffer's answer) gets a thumbnail: JPEG, PNG, WebP, GIF,
// and HEIC when this libvips has its loader (Debian 12's does). Never PDF, text or anything else.
// Answers false for everything until init_image_library() has succeeded.
bool previewable(std::string_view content_type);

class thumbnailer {
 public:
  // Throws std::invalid_argument for limits that make no sense (a startup error).
  explicit thumbnailer(thumbnail_limits limits = {});

  // A thumbnail of `image_bytes`, whose content was sniffed as `content_type`. Upright (EXIF
  // orientation applied), in sRGB, at most limits.max_edge on its longest edge, metadata-free.
  // Errors: unsupported_media_type when !previewable(content_type); bad_request when the bytes
  // are not a whole, readable image of that type, or have more than limits.max_pixels pixels (the
  // message says how many); internal when encoding the thumbnail fails. Messages are ours, never
  // libvips' text.
  core::result<thumbnail> make(std::string_view image_bytes, std::string_view content_type) const;

  const thumbnail_limits& limits() const noexcept { return limits_; }

 private:
  thumbnail_limits limits_;
};

// Starts libvips for the whole process; call once at startup, before any thread uses it (repeated
// calls return the first call's answer). It blocks every image loader except the five above (and
// libvips' own "untrusted" ones, such as ImageMagick and MATLAB, for good), turns off libvips'
// operation cache (each upload is thumbnailed once; a cache would only keep patients' pixels in
// memory), uses one worker thread per thumbnail (the server's parallelism is across uploads), and
// silences libvips' warnings on stderr (a crafted file can emit thousands; make()'s result is what counts).
core::result<void> init_image_library();

}  // namespace carechat::media
