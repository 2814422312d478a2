// sanitize_attachment_name: what a hostile or careless client's file name becomes.
#include "domain/attachment_name.hpp"

#include <gtest/gtest.h>

namespace carechat::domain {
namespace {

TEST(attachment_name, ordinary_names_are_kept) {
  EXPECT_EQ(sanitize_attachment_name("rash.jpg"), "rash.jpg");
  EXPECT_EQ(sanitize_attachment_name("Résultats labo (mars).pdf"), "Résultats labo (mars).pdf");
  EXPECT_EQ(sanitize_attachment_name("処方箋.png"), "処方箋.png");
  EXPECT_EQ(sanitize_attachment_name("a \"quoted\" name;.txt"), "a \"quoted\" name;.txt");
}

TEST(attachment_name, controls_and_bidi_overrides_are_dropped) {
  // U+202E RIGHT-TO-LEFT OVERRIDE would show "invoice\u202Efdp.exe" as "invoiceexe.pdf".
  EXPECT_EQ(sanitize_attachment_name("invoice\u202Efdp.exe"), "invoicefdp.exe");
  EXPECT_EQ(sanitize_attachment_name("a\r\nContent-Type: text/html.png"), "aContent-Type: text_html.png");
  EXPECT_EQ(sanitize_attachment_name(std::string("x\0y\x7f\tz.txt", 10)), "xyz.txt");
  EXPECT_EQ(sanitize_attachment_name("\u2066l\u2069\u200Eo\u200Fg\u061C\u2028\u200B\uFEFF.txt"), "log.txt");
  EXPECT_EQ(sanitize_attachment_name("c1\xC2\x85\xC2\x9B.txt"), "c1.txt");  // NEL and CSI (C1)
}

TEST(attachment_name, paths_hidden_files_and_blank_names) {
  EXPECT_EQ(sanitize_attachment_name("../../etc/passwd"), "_.._etc_passwd");
  EXPECT_EQ(sanitize_attachment_name("C:\\Users\\me\\scan.pdf"), "C:_Users_me_scan.pdf");
  EXPECT_EQ(sanitize_attachment_name(".bashrc"), "bashrc");
  EXPECT_EQ(sanitize_attachment_name("  report.pdf . "), "report.pdf");
  EXPECT_EQ(sanitize_attachment_name(""), "attachment");
  EXPECT_EQ(sanitize_attachment_name(" ... "), "attachment");
  EXPECT_EQ(sanitize_attachment_name("\u202E\r\n"), "attachment");
}

TEST(attachment_name, ill_formed_utf8_becomes_the_replacement_character) {
  EXPECT_EQ(sanitize_attachment_name("a\xFF" "b.txt"), "a\uFFFDb.txt");
  EXPECT_EQ(sanitize_attachment_name("\xC0\xAF.txt"), "\uFFFD\uFFFD.txt");  // an overlong '/'
}

TEST(attachment_name, long_names_are_cut_at_a_character_keeping_the_extension) {
  const std::string stem(300, 'a');
  const auto cut = sanitize_attachment_name(stem + ".pdf");
  EXPECT_EQ(cut.size(), max_attachment_name_bytes);
  EXPECT_EQ(cut.substr(cut.size() - 4), ".pdf");
  std::string wide;
  for (int i = 0; i < 120; ++i) wide += "é";  // 2 bytes each: 240
  const auto w = sanitize_attachment_name(wide + std::string(20, 'b') + ".jpeg");
  EXPECT_LE(w.size(), max_attachment_name_bytes);
  EXPECT_EQ(w.substr(w.size() - 5), ".jpeg");
  const auto odd = sanitize_attachment_name("x" + wide + wide);  // 481 bytes, no extension
  EXPECT_EQ(odd.size(), 255u);  // "x" + 127 x "é": a whole character at the end
  EXPECT_EQ(odd.substr(odd.size() - 2), "é");
}

}  // namespace
}  // namespace carechat::domain
