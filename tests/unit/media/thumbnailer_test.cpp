// thumbnailer: small, upright, metadata-free previews, and hostile images refused before decoding.
// Real libvips throughout; the test images are made with libvips too.
#include "media/thumbnailer.hpp"

#include <gtest/gtest.h>
#include <vips/vips.h>

#include <array>
#include <atomic>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <tuple>
#include <utility>
#include <vector>

// LeakSanitizer (the CARECHAT_SANITIZE build): x265, the HEVC encoder these tests use to make a
// HEIC photo, leaks one block per process. The server only decodes HEIC (libde265), never encodes.
extern "C" const char* __lsan_default_suppressions() { return "leak:libx265.so\n"; }

namespace carechat::media {
namespace {

struct image_unref {
  void operator()(VipsImage* image) const { g_object_unref(image); }
};
using image_ptr = std::unique_ptr<VipsImage, image_unref>;

// Runs a libvips call that makes an image into its last argument; its failing is a test failure
// (gtest reports the exception, with libvips' words).
template <class Call>
image_ptr made(const char* what, Call call) {
  VipsImage* out = nullptr;
  if (call(&out) != 0 || out == nullptr) {
    const std::string why = vips_error_buffer();
    vips_error_clear();
    throw std::runtime_error(std::string(what) + ": " + why);
  }
  return image_ptr(out);
}

// A width x height sRGB image (or grey, with one band) of one colour, 8 bits a band.
image_ptr solid(int width, int height, int bands = 3) {
  const image_ptr black =
      made("vips_black", [&](VipsImage** out) { return vips_black(out, width, height, "bands", bands, nullptr); });
  const image_ptr grey = made("vips_linear1", [&](VipsImage** out) {
    return vips_linear1(black.get(), out, 1.0, 128.0, "uchar", TRUE, nullptr);
  });
  const auto interpretation = bands >= 3 ? VIPS_INTERPRETATION_sRGB : VIPS_INTERPRETATION_B_W;
  return made("vips_copy",
              [&](VipsImage** out) { return vips_copy(grey.get(), out, "interpretation", interpretation, nullptr); });
}

// Encodes with a libvips format suffix and options, e.g. ".png[compression=9]"; empty when this
// libvips has no such saver.
std::string encode(VipsImage* image, const char* suffix) {
  void* buf = nullptr;
  std::size_t len = 0;
  if (vips_image_write_to_buffer(image, suffix, &buf, &len, nullptr) != 0) {
    vips_error_clear();
    return {};
  }
  std::string bytes(static_cast<const char*>(buf), len);
  g_free(buf);
  return bytes;
}

image_ptr decode(const std::string& bytes) {
  return made("decode", [&](VipsImage** out) {
    *out = vips_image_new_from_buffer(bytes.data(), bytes.size(), "", nullptr);
    return 0;
  });
}

std::vector<std::string> metadata_fields(VipsImage* image) {
  std::vector<std::string> names;
  gchar** fields = vips_image_get_fields(image);
  for (gchar** f = fields; *f != nullptr; ++f) names.emplace_back(*f);
  g_strfreev(fields);
  return names;
}

class thumbnailer_test : public testing::Test {
 protected:
  void SetUp() override {
    auto started = init_image_library();
    ASSERT_TRUE(started) << started.error().message;
  }
};

TEST_F(thumbnailer_test, photo_types_are_previewable_documents_and_text_are_not) {
  for (const char* type : {"image/jpeg", "image/png", "image/webp", "image/gif"}) EXPECT_TRUE(previewable(type)) << type;
  // Debian 12's libvips ships its HEIF loader (vips-heif.so, libheif with libde265).
  EXPECT_TRUE(previewable("image/heic"));
  for (const char* type : {"application/pdf", "text/plain", "image/svg+xml", "image/tiff", "text/html", ""})
    EXPECT_FALSE(previewable(type)) << type;
}

TEST_F(thumbnailer_test, a_wide_or_tall_png_shrinks_to_the_longest_edge_keeping_its_aspect) {
  const thumbnailer t;
  for (auto [w, h, want_w, want_h] : {std::array{2000, 1000, 320, 160}, std::array{1000, 2000, 160, 320}}) {
    SCOPED_TRACE(std::to_string(w) + "x" + std::to_string(h));
    const std::string png = encode(solid(w, h).get(), ".png");
    auto r = t.make(png, "image/png");
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->content_type, "image/jpeg");
    EXPECT_EQ(r->bytes.substr(0, 3), "\xff\xd8\xff");
    EXPECT_EQ(r->width, want_w);
    EXPECT_EQ(r->height, want_h);
    const image_ptr back = decode(r->bytes);
    EXPECT_EQ(vips_image_get_width(back.get()), want_w);
    EXPECT_EQ(vips_image_get_height(back.get()), want_h);
  }
}

TEST_F(thumbnailer_test, every_previewable_format_is_thumbnailed) {
  const thumbnailer t;
  const image_ptr photo = solid(1200, 900);
  for (auto [suffix, type] : {std::pair{".jpg", "image/jpeg"}, {".png", "image/png"}, {".webp", "image/webp"},
                              {".gif", "image/gif"}, {".heic[compression=hevc]", "image/heic"}}) {
    SCOPED_TRACE(type);
    const std::string bytes = encode(photo.get(), suffix);
    if (bytes.empty()) {  // Debian 12's libvips writes all five (HEIC through libheif's x265 plugin)
      ADD_FAILURE() << "this libvips cannot write " << suffix << " to make the test image";
      continue;
    }
    auto r = t.make(bytes, type);
    ASSERT_TRUE(r) << r.error().message;
    EXPECT_EQ(r->width, 320);
    EXPECT_EQ(r->height, 240);
    decode(r->bytes);
  }
}

TEST_F(thumbnailer_test, a_small_transparent_image_is_not_enlarged_and_is_laid_on_white) {
  const image_ptr rgb = solid(100, 50);  // mid grey...
  const image_ptr rgba =  // ...and fully transparent
      made("bandjoin", [&](VipsImage** out) { return vips_bandjoin_const1(rgb.get(), out, 0.0, nullptr); });
  auto r = thumbnailer{}.make(encode(rgba.get(), ".png"), "image/png");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->width, 100);
  EXPECT_EQ(r->height, 50);
  const image_ptr back = decode(r->bytes);
  ASSERT_EQ(vips_image_get_bands(back.get()), 3);
  double* pixel = nullptr;
  int bands = 0;
  ASSERT_EQ(vips_getpoint(back.get(), &pixel, &bands, 50, 25, nullptr), 0);
  for (int b = 0; b < bands; ++b) EXPECT_GE(pixel[b], 250.0) << "band " << b;  // white, not grey or black
  g_free(pixel);
}

TEST_F(thumbnailer_test, gps_exif_and_xmp_of_the_photo_do_not_reach_the_thumbnail) {
  const image_ptr photo = solid(1600, 1200);  // a fresh image: ours to add metadata to
  // libvips writes exif-ifdN-* fields into the JPEG's EXIF block (ifd3 is GPS), as a phone would.
  vips_image_set_string(photo.get(), "exif-ifd3-GPSLatitudeRef", "N (N, ASCII, 2 components, 2 bytes)");
  vips_image_set_string(photo.get(), "exif-ifd3-GPSLatitude",
                        "51/1 30/1 2/1 (51, 30, 2, Rational, 3 components, 24 bytes)");
  vips_image_set_string(photo.get(), "exif-ifd0-Make", "Acme (Acme, ASCII, 5 components, 5 bytes)");
  const std::string xmp =
      "<x:xmpmeta xmlns:x='adobe:ns:meta/'><rdf:RDF xmlns:rdf='http://www.w3.org/1999/02/22-rdf-syntax-ns#'>"
      "<rdf:Description xmlns:exif='http://ns.adobe.com/exif/1.0/' exif:GPSLatitude='51,30.03N'/></rdf:RDF></x:xmpmeta>";
  vips_image_set_blob_copy(photo.get(), "xmp-data", xmp.data(), xmp.size());
  const std::string jpeg = encode(photo.get(), ".jpg");

  // The input really carries them, or this test could not fail.
  const image_ptr input = decode(jpeg);
  ASSERT_NE(vips_image_get_typeof(input.get(), "exif-ifd3-GPSLatitude"), 0u);
  ASSERT_NE(vips_image_get_typeof(input.get(), "xmp-data"), 0u);

  auto r = thumbnailer{}.make(jpeg, "image/jpeg");
  ASSERT_TRUE(r) << r.error().message;
  for (const std::string& field : metadata_fields(decode(r->bytes).get())) {
    for (const char* prefix : {"exif-", "xmp-", "icc-", "iptc-"})
      EXPECT_NE(field.rfind(prefix, 0), 0u) << "the thumbnail carries " << field;
  }
  EXPECT_EQ(r->bytes.find("GPSLatitude"), std::string::npos);
  EXPECT_EQ(r->bytes.find("Acme"), std::string::npos);
}

TEST_F(thumbnailer_test, exif_orientation_is_applied_before_the_metadata_goes) {
  const image_ptr photo = solid(400, 200);  // a fresh image: ours to add metadata to
  vips_image_set_int(photo.get(), "orientation", 6);  // "rotate 90° clockwise to view"
  auto r = thumbnailer{}.make(encode(photo.get(), ".jpg"), "image/jpeg");
  ASSERT_TRUE(r) << r.error().message;
  EXPECT_EQ(r->width, 160);  // 400 x 200 stored, 200 x 400 upright, then to 320 on the long edge
  EXPECT_EQ(r->height, 320);
}

TEST_F(thumbnailer_test, a_decompression_bomb_is_refused_from_its_header) {
  // 50,000 x 50,000 of one colour at one bit a pixel: ~300 KB of PNG, 2.5 GB once decoded.
  // Plain vips_black, not solid(): its colour would cost seconds of arithmetic on 2.5 G pixels.
  const image_ptr black =
      made("vips_black", [](VipsImage** out) { return vips_black(out, 50'000, 50'000, nullptr); });
  const std::string bomb = encode(black.get(), ".png[compression=9,bitdepth=1]");
  ASSERT_FALSE(bomb.empty());
  ASSERT_LT(bomb.size(), 1'000'000u);

  auto r = thumbnailer{}.make(bomb, "image/png");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::errc::bad_request);
  EXPECT_NE(r.error().message.find("50000 x 50000"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("2500000000 pixels"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("at most 40000000 pixels"), std::string::npos) << r.error().message;
}

TEST_F(thumbnailer_test, the_pixel_limit_is_inclusive) {
  const thumbnailer t(thumbnail_limits{.max_pixels = 1000, .max_edge = 320});
  EXPECT_TRUE(t.make(encode(solid(40, 25).get(), ".png"), "image/png"));
  auto over = t.make(encode(solid(40, 26).get(), ".png"), "image/png");
  ASSERT_FALSE(over);
  EXPECT_EQ(over.error().code, core::errc::bad_request);
  EXPECT_NE(over.error().message.find("1040 pixels"), std::string::npos) << over.error().message;
}

TEST_F(thumbnailer_test, corrupt_truncated_or_mislabelled_bytes_are_bad_requests_in_our_words) {
  const std::string png = encode(solid(800, 800).get(), ".png");
  const std::string jpeg = encode(solid(800, 800).get(), ".jpg");
  std::string garbled = png;
  for (std::size_t i = 64; i < garbled.size(); i += 7) garbled[i] = static_cast<char>(garbled[i] ^ 0x5a);
  const thumbnailer t;
  for (auto [bytes, type, what] : {
           std::tuple{std::string("\x89PNG\r\n\x1a\n") + "this is not an image at all", "image/png", "garbage"},
           {png.substr(0, png.size() / 2), "image/png", "truncated png"},  // libvips alone would pad it
           {jpeg.substr(0, jpeg.size() / 2), "image/jpeg", "truncated jpeg"},
           {garbled, "image/png", "garbled png"},
           {png, "image/jpeg", "png labelled jpeg"},
           {std::string("%PDF-1.4\n1 0 obj\n<<>>\nendobj\n"), "image/png", "pdf labelled png"},
           {std::string(), "image/png", "empty"},
       }) {
    SCOPED_TRACE(what);
    auto r = t.make(bytes, type);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().code, core::errc::bad_request);
    EXPECT_EQ(r.error().message.rfind("the ", 0), 0u) << r.error().message;  // ours, not libvips'
    for (const char* libvips_word : {"Vips", "vips", "libpng", "error"})
      EXPECT_EQ(r.error().message.find(libvips_word), std::string::npos) << r.error().message;
    EXPECT_STREQ(vips_error_buffer(), "") << "libvips' error buffer is left for the next caller";
  }
}

TEST_F(thumbnailer_test, types_without_previews_are_refused_as_such) {
  auto r = thumbnailer{}.make("%PDF-1.4\n", "application/pdf");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().code, core::errc::unsupported_media_type);
}

TEST_F(thumbnailer_test, nonsense_limits_are_a_startup_error) {
  EXPECT_THROW(thumbnailer(thumbnail_limits{.max_pixels = 0}), std::invalid_argument);
  EXPECT_THROW(thumbnailer(thumbnail_limits{.max_edge = 0}), std::invalid_argument);
}

TEST_F(thumbnailer_test, thumbnails_are_made_from_many_threads_at_once) {
  const std::string png = encode(solid(1000, 500).get(), ".png");
  const std::string corrupt = png.substr(0, png.size() / 3);
  const thumbnailer t;
  std::atomic<int> good{0}, refused{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&] {
      for (int n = 0; n < 10; ++n) {
        auto ok = t.make(png, "image/png");
        if (ok && ok->width == 320 && ok->height == 160) ++good;
        if (auto bad = t.make(corrupt, "image/png"); !bad && bad.error().code == core::errc::bad_request) ++refused;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(good.load(), 40);
  EXPECT_EQ(refused.load(), 40);
}

}  // namespace
}  // namespace carechat::media
