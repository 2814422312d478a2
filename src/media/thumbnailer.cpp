#include "media/thumbnailer.hpp"

// libvips' C API rather than its C++ one (vips8): vips8 reports failure by throwing VError, while
// here failures are values (core::result). The C calls' return codes map onto them directly, with
// no try/catch around every call; the two owners below release what the C calls hand back.
#include <vips/vips.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>

#include "core/log.hpp"

namespace carechat::media {
namespace {

// A previewable type and the libvips buffer loader that must recognise its bytes, by class name
// (what vips_foreign_find_load_buffer answers; 8.14's lookup by nickname, "pngload_buffer",
// finds the abstract VipsForeignLoadPng instead). Only these loaders are left unblocked.
struct image_kind {
  std::string_view content_type;
  const char* loader;
};
constexpr std::array<image_kind, 5> kinds{{
    {"image/jpeg", "VipsForeignLoadJpegBuffer"},
    {"image/png", "VipsForeignLoadPngBuffer"},
    {"image/webp", "VipsForeignLoadWebpBuffer"},
    {"image/gif", "VipsForeignLoadNsgifBuffer"},
    {"image/heic", "VipsForeignLoadHeifBuffer"},  // a module of its own in Debian (vips-heif.so); may be absent
}};

// Bit i set: kinds[i]'s loader exists in this libvips. Written once by init_image_library(), so
// zero (nothing previewable) until it has succeeded.
std::atomic<unsigned> available_loaders{0};
std::atomic<bool> initialised{false};

std::size_t kind_index(std::string_view content_type) {
  return static_cast<std::size_t>(
      std::find_if(kinds.begin(), kinds.end(), [&](const image_kind& k) { return k.content_type == content_type; }) -
      kinds.begin());
}

struct image_unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, image_unref>;
struct g_freer {
  void operator()(void* p) const { g_free(p); }
};
using g_memory = std::unique_ptr<void, g_freer>;

// libvips' error text, taken out of its buffer. The buffer is one for the whole process, so it is
// emptied as it is read: the next failure (perhaps on another thread) does not inherit ours.
std::string take_vips_error() {
  g_memory copy(vips_error_buffer_copy());  // copies and clears, under libvips' lock
  std::string text = copy ? static_cast<const char*>(copy.get()) : "";
  std::replace_if(text.begin(), text.end(), [](char c) { return c == '\n' || c == '\r'; }, ' ');
  if (text.size() > 300) text.resize(300);  // one log line, whatever a crafted file provokes
  return text;
}

// A failed libvips call as a value. The client gets `message` (ours: libvips' wording about a
// patient's upload is not for other people); libvips' text goes to the debug log only.
core::error vips_failure(core::errc code, std::string message) {
  core::log(core::log_level::debug, "media", "thumbnail refused: " + message + " (libvips: " + take_vips_error() + ")");
  return core::make_error(code, std::move(message));
}

// libvips' warnings (g_warning in the "VIPS" log domain) would go to stderr unstructured, one per
// damaged scanline: a truncated PNG gives hundreds. What matters is make()'s result, so drop them.
void drop_log_line(const gchar*, GLogLevelFlags, const gchar*, gpointer) {}

}  // namespace

bool previewable(std::string_view content_type) {
  const std::size_t i = kind_index(content_type);
  return i < kinds.size() && (available_loaders.load(std::memory_order_acquire) & (1u << i)) != 0;
}

thumbnailer::thumbnailer(thumbnail_limits limits) : limits_(limits) {
  if (limits_.max_pixels == 0) throw std::invalid_argument("thumbnail_limits.max_pixels must be at least 1");
  if (limits_.max_edge < 1) throw std::invalid_argument("thumbnail_limits.max_edge must be at least 1");
}

core::result<thumbnail> thumbnailer::make(std::string_view image_bytes, std::string_view content_type) const {
  if (!initialised.load(std::memory_order_acquire))
    return core::make_error(core::errc::internal, "thumbnails: init_image_library() was not called");
  const std::string type(content_type);
  if (!previewable(content_type))
    return core::make_error(core::errc::unsupported_media_type, "no thumbnail is made for " + type);
  const std::string unreadable = "the file is not a readable " + type + " image";
  if (image_bytes.empty()) return core::make_error(core::errc::bad_request, unreadable);

  // The loader libvips would pick must be the one for the sniffed type: bytes that another loader
  // claims are refused here, never handed to that loader.
  const char* loader = vips_foreign_find_load_buffer(image_bytes.data(), image_bytes.size());
  if (loader == nullptr || std::string_view(loader) != kinds[kind_index(content_type)].loader)
    return vips_failure(core::errc::bad_request, unreadable);

  // Open reads the header only; pixels are decoded when asked for. So the size is known, and an
  // oversized image refused, before any memory is spent on its pixels.
  image_ptr header(vips_image_new_from_buffer(image_bytes.data(), image_bytes.size(), "", "access",
                                              VIPS_ACCESS_SEQUENTIAL, "fail_on", VIPS_FAIL_ON_ERROR, nullptr));
  if (!header) return vips_failure(core::errc::bad_request, unreadable);
  const auto in_width = static_cast<std::uint64_t>(vips_image_get_width(header.get()));
  const auto in_height = static_cast<std::uint64_t>(vips_image_get_height(header.get()));  // first frame
  if (in_width * in_height > limits_.max_pixels) {
    return core::make_error(core::errc::bad_request,
                            "the image is " + std::to_string(in_width) + " x " + std::to_string(in_height) + " (" +
                                std::to_string(in_width * in_height) + " pixels); at most " +
                                std::to_string(limits_.max_pixels) + " pixels are accepted");
  }
  header.reset();

  // vips_thumbnail_buffer: shrink-on-load where the format allows (JPEG, WebP, HEIC's own
  // thumbnail), only the first frame of an animation, upright by EXIF orientation, converted to
  // sRGB (so a Display P3 phone photo keeps its colours once its profile is gone), never enlarged.
  // fail_on goes in the loader's option string: 8.14's thumbnail_buffer accepts a fail_on argument
  // but does not pass it on, and a truncated PNG then becomes a half-grey thumbnail.
  VipsImage* shrunk = nullptr;
  if (vips_thumbnail_buffer(const_cast<char*>(image_bytes.data()), image_bytes.size(), &shrunk, limits_.max_edge,
                            "height", limits_.max_edge, "size", VIPS_SIZE_DOWN, "option_string", "[fail_on=error]",
                            "export_profile", "srgb", nullptr) != 0)
    return vips_failure(core::errc::bad_request, unreadable);
  image_ptr thumb(shrunk);

  // JPEG has no transparency: a transparent PNG or GIF is laid on white (a chat bubble's page).
  if (vips_image_hasalpha(thumb.get())) {
    VipsArrayDouble* white = vips_array_double_newv(1, 255.0);
    VipsImage* flat = nullptr;
    const int rc = vips_flatten(thumb.get(), &flat, "background", white, nullptr);
    vips_area_unref(VIPS_AREA(white));
    if (rc != 0) return vips_failure(core::errc::internal, "the thumbnail could not be built");
    thumb.reset(flat);
  }

  // Decode now, into memory (at most max_edge² x 3 bytes), and rebuild an image from the pixels
  // alone: none of the input's EXIF, GPS, XMP, ICC or IPTC can reach the encoder, whatever a saver's
  // `strip` does. strip=TRUE below is still needed: without it jpegsave writes an EXIF block of its own.
  std::size_t pixel_bytes = 0;
  const g_memory pixels(vips_image_write_to_memory(thumb.get(), &pixel_bytes));
  if (!pixels) return vips_failure(core::errc::bad_request, "the " + type + " image is damaged or incomplete");
  const int width = vips_image_get_width(thumb.get());
  const int height = vips_image_get_height(thumb.get());
  image_ptr bare(vips_image_new_from_memory_copy(pixels.get(), pixel_bytes, width, height,
                                                 vips_image_get_bands(thumb.get()),
                                                 vips_image_get_format(thumb.get())));
  if (!bare) return vips_failure(core::errc::internal, "the thumbnail could not be built");
  VipsImage* tagged = nullptr;
  if (vips_copy(bare.get(), &tagged, "interpretation", vips_image_get_interpretation(thumb.get()), nullptr) != 0)
    return vips_failure(core::errc::internal, "the thumbnail could not be built");
  bare.reset(tagged);

  // JPEG rather than WebP, though WebP is smaller and keeps transparency: Debian's libvips 8.14.1
  // webpsave ignores strip=TRUE (the input's EXIF and XMP go through) and writes an EXIF block of
  // its own even for an image that has none, so its output is never metadata-free. jpegsave's strip
  // works, and every browser and mail client shows a JPEG.
  void* encoded = nullptr;
  std::size_t encoded_size = 0;
  if (vips_jpegsave_buffer(bare.get(), &encoded, &encoded_size, "Q", 80, "optimize_coding", TRUE, "strip", TRUE,
                           nullptr) != 0)
    return vips_failure(core::errc::internal, "the thumbnail could not be encoded");
  const g_memory encoded_owner(encoded);
  return thumbnail{std::string(static_cast<const char*>(encoded), encoded_size), std::string(thumbnail_content_type),
                   width, height};
}

core::result<void> init_image_library() {
  static const core::result<void> once = []() -> core::result<void> {
    // Startup, no upload involved: libvips' own words are the useful message here.
    if (VIPS_INIT("carechat") != 0)
      return core::make_error(core::errc::internal, "libvips could not start: " + take_vips_error());
    g_log_set_handler("VIPS", static_cast<GLogLevelFlags>(G_LOG_LEVEL_WARNING | G_LOG_LEVEL_MESSAGE), drop_log_line,
                      nullptr);

    // Allow-list of loaders: every one blocked, then the five buffer loaders make() uses
    // unblocked; last, libvips' "untrusted" ones (ImageMagick, MATLAB, FITS, ...) blocked for good.
    vips_operation_block_set("VipsForeignLoad", TRUE);
    unsigned available = 0;
    for (std::size_t i = 0; i < kinds.size(); ++i) {
      if (g_type_from_name(kinds[i].loader) == 0) continue;  // registered by VIPS_INIT, modules included
      vips_operation_block_set(kinds[i].loader, FALSE);
      available |= 1u << i;
    }
    vips_block_untrusted_set(TRUE);

    // No operation cache: each upload is thumbnailed once, so a cache would only hold patients'
    // pixels in memory. One worker thread per pipeline: parallelism comes from concurrent uploads.
    vips_cache_set_max(0);
    vips_cache_set_max_mem(0);
    vips_cache_set_max_files(0);
    vips_concurrency_set(1);

    available_loaders.store(available, std::memory_order_release);
    initialised.store(true, std::memory_order_release);
    return {};
  }();
  return once;
}

}  // namespace carechat::media
