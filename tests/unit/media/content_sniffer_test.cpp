// content_sniffer: the type is the content's, and only allowed types pass.
#include "media/content_sniffer.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

namespace carechat::media {
namespace {

// The first bytes of each kind of file, enough for libmagic to be sure. lit() keeps the NULs (and
// counts the bytes itself).
template <std::size_t N>
std::string lit(const char (&s)[N]) {
  return std::string(s, N - 1);
}
const std::string png = lit("\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x02\x00\x00\x00");
const std::string jpeg = lit("\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00");
const std::string webp = lit("RIFF\x24\x00\x00\x00WEBPVP8 \x18\x00\x00\x00");
const std::string heic = lit("\x00\x00\x00\x18" "ftypheic\x00\x00\x00\x00mif1heic");
const std::string gif = lit("GIF89a\x01\x00\x01\x00\x80\x00\x00");
const std::string pdf("%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n");
const std::string text("Hello, my prescription ran out on Monday.\n");

TEST(content_sniffer, each_allowed_type_is_recognised_by_its_content) {
  const content_sniffer s;
  for (const auto& [head, type] : {std::pair{png, "image/png"}, {jpeg, "image/jpeg"}, {webp, "image/webp"},
                                   {heic, "image/heic"}, {gif, "image/gif"}, {pdf, "application/pdf"},
                                   {text, "text/plain"}}) {
    auto r = s.sniff(head);
    ASSERT_TRUE(r) << type << ": " << r.error().message;
    EXPECT_EQ(*r, type);
  }
}

TEST(content_sniffer, markup_scripts_archives_and_executables_are_refused_with_the_accepted_list) {
  const content_sniffer s;
  for (const std::string& head :
       {std::string("<?xml version=\"1.0\"?>\n<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"),
        std::string("<svg xmlns=\"http://www.w3.org/2000/svg\" onload=\"alert(1)\"/>"),
        std::string("<!DOCTYPE html><html><script>alert(1)</script></html>"),
        std::string("<html><body onload=alert(1)>"), std::string("#!/bin/sh\nrm -rf ~\n"),
        lit("PK\x03\x04\x14\x00\x00\x00\x08\x00"), lit("MZ\x90\x00\x03\x00\x00\x00"),
        lit("\x1f\x8b\x08\x00\x00\x00\x00\x00"), lit("\x7f" "ELF\x02\x01\x01")}) {
    auto r = s.sniff(head);
    ASSERT_FALSE(r) << head << " passed as " << *r;
    EXPECT_EQ(r.error().code, core::errc::unsupported_media_type);
    EXPECT_NE(r.error().message.find("accepted: image/jpeg, image/png"), std::string::npos) << r.error().message;
  }
}

TEST(content_sniffer, the_claimed_name_or_type_plays_no_part) {
  // HTML that a client calls rash.png: the sniffer never sees the name, only the bytes.
  const content_sniffer s;
  EXPECT_EQ(content_sniffer::mime_type_of("<!DOCTYPE html><p>not a png</p>"), "text/html");
  EXPECT_FALSE(s.sniff("<!DOCTYPE html><p>not a png</p>"));
  EXPECT_FALSE(s.sniff(""));  // an empty file is no allowed type
}

TEST(content_sniffer, a_narrower_allow_list_refuses_the_rest) {
  const content_sniffer images_only({"image/jpeg", "image/png"});
  EXPECT_TRUE(images_only.sniff(png));
  auto r = images_only.sniff(pdf);
  ASSERT_FALSE(r);
  EXPECT_NE(r.error().message.find("application/pdf"), std::string::npos);
}

TEST(content_sniffer, threads_sniff_at_once) {
  const content_sniffer s;
  std::vector<std::thread> threads;
  std::atomic<int> ok{0};
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) ok += (s.sniff(i % 2 ? png : pdf) ? 1 : 0);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 800);
}

TEST(content_sniffer, what_a_browser_would_run_or_an_archive_is_never_allowed) {
  for (const char* t : {"text/html", "image/svg+xml", "text/javascript", "application/zip", "text/x-shellscript"})
    EXPECT_TRUE(never_allowed(t)) << t;
  for (const auto& t : default_allowed_types()) EXPECT_FALSE(never_allowed(t)) << t;
}

}  // namespace
}  // namespace carechat::media
