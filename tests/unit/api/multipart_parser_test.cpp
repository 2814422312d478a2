// multipart_parser: browsers' and curl's bodies parse the same however the bytes are split, and
// malformed or oversized ones are refused.
#include "api/multipart_parser.hpp"

#include <gtest/gtest.h>

#include <random>
#include <vector>

namespace carechat::api {
namespace {

struct recorded_part {
  multipart_part headers;
  std::string data;
  bool ended = false;
};

class recorder final : public multipart_handler {
 public:
  core::result<void> on_part_begin(const multipart_part& p) override {
    parts.push_back({p, {}, false});
    return {};
  }
  core::result<void> on_part_data(std::string_view b) override {
    parts.back().data += b;
    largest_piece = std::max(largest_piece, b.size());
    return {};
  }
  core::result<void> on_part_end() override {
    parts.back().ended = true;
    return {};
  }
  std::vector<recorded_part> parts;
  std::size_t largest_piece = 0;
};

// What Chrome sends for a FormData with a text field and a file.
const std::string boundary = "----WebKitFormBoundary7MA4YWxkTrZu0gW";
std::string browser_body(const std::string& file) {
  return "--" + boundary + "\r\n" +
         "Content-Disposition: form-data; name=\"note\"\r\n\r\n"
         "see attached\r\n"
         "--" + boundary + "\r\n" +
         "Content-Disposition: form-data; name=\"file\"; filename=\"rash photo.jpg\"\r\n"
         "Content-Type: image/jpeg\r\n\r\n" +
         file + "\r\n--" + boundary + "--\r\n";
}

// Parses `body` fed in pieces of the given sizes (cycled); the recorder, or the error.
core::result<recorder> parse(const std::string& body, std::vector<std::size_t> pieces, multipart_limits limits = {}) {
  recorder r;
  multipart_parser p(boundary, r, limits);
  std::size_t at = 0, i = 0;
  while (at < body.size()) {
    const std::size_t n = std::min(pieces[i++ % pieces.size()], body.size() - at);
    if (auto ok = p.feed(std::string_view(body).substr(at, n)); !ok) return std::move(ok).error();
    at += n;
  }
  if (auto ok = p.finish(); !ok) return std::move(ok).error();
  return r;
}

TEST(multipart_boundary, from_content_type) {
  EXPECT_EQ(*multipart_boundary("multipart/form-data; boundary=" + boundary), boundary);
  EXPECT_EQ(*multipart_boundary("Multipart/Form-Data;boundary=\"a b:c\""), "a b:c");
  EXPECT_EQ(multipart_boundary("application/json").error().code, core::errc::unsupported_media_type);
  EXPECT_EQ(multipart_boundary("multipart/form-data").error().code, core::errc::bad_request);
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary="));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=" + std::string(71, 'a')));
  EXPECT_TRUE(multipart_boundary("multipart/form-data; boundary=" + std::string(70, 'a')));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"ends with space \""));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=a\"b"));
  EXPECT_FALSE(multipart_boundary("multipart/form-data; boundary=\"unclosed"));
}

TEST(multipart_parser, a_browser_upload_parses_the_same_however_it_is_split) {
  std::string file;
  std::mt19937 rng(7);
  for (int i = 0; i < 20000; ++i) file += static_cast<char>(rng() & 0xFF);  // binary, CRLFs and dashes included
  file += "\r\n--" + boundary.substr(0, 10) + "\r\n-";  // almost a delimiter, inside the content
  const std::string body = browser_body(file);
  for (std::vector<std::size_t> pieces : {std::vector<std::size_t>{body.size()}, {1}, {2, 3, 5, 7}, {4096}, {13, 1}}) {
    auto r = parse(body, pieces);
    ASSERT_TRUE(r) << pieces.front() << ": " << r.error().message;
    ASSERT_EQ(r->parts.size(), 2u);
    EXPECT_EQ(r->parts[0].headers.name, "note");
    EXPECT_FALSE(r->parts[0].headers.filename);
    EXPECT_EQ(r->parts[0].data, "see attached");
    EXPECT_EQ(r->parts[1].headers.name, "file");
    EXPECT_EQ(r->parts[1].headers.filename.value_or(""), "rash photo.jpg");
    EXPECT_EQ(r->parts[1].headers.content_type, "image/jpeg");
    EXPECT_EQ(r->parts[1].data, file);
    EXPECT_TRUE(r->parts[0].ended && r->parts[1].ended);
  }
}

TEST(multipart_parser, content_is_handed_on_as_it_arrives) {
  const std::string file(1 << 20, 'x');
  auto r = parse(browser_body(file), {64 * 1024});
  ASSERT_TRUE(r);
  EXPECT_EQ(r->parts[1].data.size(), file.size());
  EXPECT_LE(r->largest_piece, 64u * 1024 + 64);  // never the whole file at once
}

TEST(multipart_parser, curl_style_preamble_padding_and_epilogue) {
  const std::string body = "ignored preamble\r\n--" + boundary + "  \t\r\n" +
                           "content-disposition: FORM-DATA; name=file; filename=\"a\\\"b.txt\"\r\n"
                           "X-Other: kept out\r\n\r\n"
                           "hello\r\n--" + boundary + "--\r\nepilogue, ignored";
  auto r = parse(body, {3});
  ASSERT_TRUE(r) << r.error().message;
  ASSERT_EQ(r->parts.size(), 1u);
  EXPECT_EQ(r->parts[0].headers.filename.value_or(""), "a\"b.txt");
  EXPECT_EQ(r->parts[0].data, "hello");
}

TEST(multipart_parser, malformed_bodies_are_refused) {
  const std::string d = "--" + boundary;
  const std::string part = "Content-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
  for (const std::string& body : {
           std::string("no delimiter at all"),
           d + "\r\n" + part,                                         // never closed
           d + "--\r\n",                                              // closed without a part
           d + "junk\r\n" + part + d + "--",                          // garbage after a delimiter
           d + "\r\nContent-Type: text/plain\r\n\r\nx\r\n" + d + "--",  // no Content-Disposition
           d + "\r\nContent-Disposition: attachment; name=\"f\"\r\n\r\nx\r\n" + d + "--",
           d + "\r\nContent-Disposition: form-data; filename=\"x\"\r\n\r\nx\r\n" + d + "--",  // no name
           d + "\r\nContent-Disposition: form-data; name=\"f\r\n\r\nx\r\n" + d + "--",       // unclosed quote
           d + "\r\nContent-Disposition: form-data;\r\n name=\"f\"\r\n\r\nx\r\n" + d + "--",  // folding
           d + "\r\nContent-Disposition: form-data; name=\"a\"\r\nContent-Disposition: form-data; name=\"b\"\r\n\r\nx\r\n" +
               d + "--",
       }) {
    auto r = parse(body, {5});
    ASSERT_FALSE(r) << body;
    EXPECT_EQ(r.error().code, core::errc::bad_request) << body;
  }
}

TEST(multipart_parser, limits_on_headers_and_parts) {
  const std::string d = "--" + boundary;
  const std::string long_header =
      d + "\r\nContent-Disposition: form-data; name=\"f\"\r\nX-Pad: " + std::string(9000, 'p') + "\r\n\r\nx\r\n" + d + "--";
  auto r = parse(long_header, {100});
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("too long"), std::string::npos);
  std::string many;
  for (int i = 0; i < 3; ++i) many += d + "\r\nContent-Disposition: form-data; name=\"f\"\r\n\r\nx\r\n";
  many += d + "--";
  EXPECT_TRUE(parse(many, {7}, {8 * 1024, 3}));
  auto too_many = parse(many, {7}, {8 * 1024, 2});
  ASSERT_FALSE(too_many);
  EXPECT_NE(too_many.error().message.find("more than 2 parts"), std::string::npos);
}

TEST(multipart_parser, a_handlers_error_stops_the_parse) {
  struct refuse_data final : multipart_handler {
    core::result<void> on_part_begin(const multipart_part&) override { return {}; }
    core::result<void> on_part_data(std::string_view) override {
      return core::make_error(core::errc::payload_too_large, "over the limit");
    }
    core::result<void> on_part_end() override { return {}; }
  } h;
  multipart_parser p(boundary, h);
  auto ok = p.feed(browser_body(std::string(1000, 'z')));
  ASSERT_FALSE(ok);
  EXPECT_EQ(ok.error().code, core::errc::payload_too_large);
  EXPECT_FALSE(p.feed("more"));  // refused for good
  EXPECT_FALSE(p.finish());
}

}  // namespace
}  // namespace carechat::api
