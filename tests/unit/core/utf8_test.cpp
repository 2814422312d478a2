#include "core/utf8.hpp"

#include <string>

#include <gtest/gtest.h>

namespace carechat::core {
namespace {

std::optional<std::size_t> len(std::initializer_list<unsigned char> bytes) {
  const std::string s(bytes.begin(), bytes.end());
  return utf8_length(s);
}

TEST(utf8_length, counts_code_points) {
  EXPECT_EQ(utf8_length(""), 0u);
  EXPECT_EQ(utf8_length("hello"), 5u);
  EXPECT_EQ(utf8_length("é"), 1u);         // 2 bytes
  EXPECT_EQ(utf8_length("€"), 1u);         // 3 bytes
  EXPECT_EQ(utf8_length("😀"), 1u);        // 4 bytes
  EXPECT_EQ(utf8_length("aé€😀z"), 5u);
  EXPECT_EQ(utf8_length(std::string_view("a\0b", 3)), 3u);  // NUL is a code point
}

TEST(utf8_length, boundaries_of_each_length) {
  EXPECT_EQ(len({0x7F}), 1u);                    // U+007F
  EXPECT_EQ(len({0xC2, 0x80}), 1u);              // U+0080
  EXPECT_EQ(len({0xDF, 0xBF}), 1u);              // U+07FF
  EXPECT_EQ(len({0xE0, 0xA0, 0x80}), 1u);        // U+0800
  EXPECT_EQ(len({0xED, 0x9F, 0xBF}), 1u);        // U+D7FF, just below the surrogates
  EXPECT_EQ(len({0xEE, 0x80, 0x80}), 1u);        // U+E000, just above
  EXPECT_EQ(len({0xEF, 0xBF, 0xBF}), 1u);        // U+FFFF
  EXPECT_EQ(len({0xF0, 0x90, 0x80, 0x80}), 1u);  // U+10000
  EXPECT_EQ(len({0xF4, 0x8F, 0xBF, 0xBF}), 1u);  // U+10FFFF, the last code point
}

TEST(utf8_length, rejects_overlongs) {
  EXPECT_FALSE(len({0xC0, 0x80}).has_value());              // NUL in two bytes
  EXPECT_FALSE(len({0xC0, 0xAF}).has_value());              // '/' in two bytes
  EXPECT_FALSE(len({0xC1, 0xBF}).has_value());              // U+007F in two bytes
  EXPECT_FALSE(len({0xE0, 0x80, 0x80}).has_value());        // NUL in three
  EXPECT_FALSE(len({0xE0, 0x9F, 0xBF}).has_value());        // U+07FF in three
  EXPECT_FALSE(len({0xF0, 0x80, 0x80, 0x80}).has_value());  // NUL in four
  EXPECT_FALSE(len({0xF0, 0x8F, 0xBF, 0xBF}).has_value());  // U+FFFF in four
}

TEST(utf8_length, rejects_surrogates) {
  EXPECT_FALSE(len({0xED, 0xA0, 0x80}).has_value());  // U+D800
  EXPECT_FALSE(len({0xED, 0xAF, 0xBF}).has_value());  // U+DBFF
  EXPECT_FALSE(len({0xED, 0xB0, 0x80}).has_value());  // U+DC00
  EXPECT_FALSE(len({0xED, 0xBF, 0xBF}).has_value());  // U+DFFF
  EXPECT_FALSE(len({0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80}).has_value());  // CESU-8 pair for U+1F600
}

TEST(utf8_length, rejects_beyond_u10ffff) {
  EXPECT_FALSE(len({0xF4, 0x90, 0x80, 0x80}).has_value());  // U+110000
  EXPECT_FALSE(len({0xF5, 0x80, 0x80, 0x80}).has_value());
  EXPECT_FALSE(len({0xF7, 0xBF, 0xBF, 0xBF}).has_value());
  EXPECT_FALSE(len({0xF8, 0x88, 0x80, 0x80, 0x80}).has_value());  // old 5-byte form
  EXPECT_FALSE(len({0xFC, 0x84, 0x80, 0x80, 0x80, 0x80}).has_value());
  EXPECT_FALSE(len({0xFE}).has_value());
  EXPECT_FALSE(len({0xFF}).has_value());
}

TEST(utf8_length, rejects_truncated_and_stray_bytes) {
  EXPECT_FALSE(len({0x80}).has_value());                    // lone continuation
  EXPECT_FALSE(len({0x41, 0xBF}).has_value());
  EXPECT_FALSE(len({0xC3}).has_value());                    // cut at the end
  EXPECT_FALSE(len({0xE2, 0x82}).has_value());
  EXPECT_FALSE(len({0xF0, 0x9F, 0x98}).has_value());
  EXPECT_FALSE(len({0xC3, 0x41}).has_value());              // cut in the middle
  EXPECT_FALSE(len({0xE2, 0x41, 0xAC}).has_value());
  EXPECT_FALSE(len({0xF0, 0x9F, 0x98, 0x41}).has_value());
  EXPECT_FALSE(len({0xC3, 0xA9, 0xA9}).has_value());        // one continuation too many
  EXPECT_FALSE(len({0x61, 0x62, 0xE2}).has_value());
}

TEST(utf8_length, every_single_byte) {
  for (int b = 0; b < 256; ++b) {
    const std::string s(1, static_cast<char>(b));
    EXPECT_EQ(utf8_length(s).has_value(), b < 0x80) << b;
  }
}

TEST(utf8_decode_lossy, well_formed_text_round_trips_and_each_bad_byte_is_one_replacement) {
  for (const std::string& s : {std::string("plain"), std::string("é処\U0001F600"), std::string("\x7f\xc2\x80\xef\xbf\xbf")}) {
    std::string back;
    for (char32_t cp : utf8_decode_lossy(s)) utf8_append(back, cp);
    EXPECT_EQ(back, s);
  }
  EXPECT_EQ(utf8_decode_lossy("a\xff\xfe" "b"), U"a\uFFFD\uFFFDb");
  EXPECT_EQ(utf8_decode_lossy("\xe2\x82"), U"\uFFFD\uFFFD");        // truncated
  EXPECT_EQ(utf8_decode_lossy("\xed\xa0\x80"), U"\uFFFD\uFFFD\uFFFD");  // a surrogate
  std::string four;
  utf8_append(four, U'\U0010FFFF');
  EXPECT_EQ(four, "\xf4\x8f\xbf\xbf");
}

TEST(contains_ignoring_case, folds_ascii_and_beyond) {
  EXPECT_TRUE(contains_ignoring_case("Hello World", "o w"));
  EXPECT_TRUE(contains_ignoring_case("Hello World", "WORLD"));
  EXPECT_TRUE(contains_ignoring_case("Żółw", "żółw"));
  EXPECT_TRUE(contains_ignoring_case("Żółw", "ÓŁ"));
  EXPECT_TRUE(contains_ignoring_case("ΣΟΦΙΑ", "σοφ"));
  EXPECT_TRUE(contains_ignoring_case("Привет", "РИВ"));
  EXPECT_TRUE(contains_ignoring_case("anything", ""));
  EXPECT_FALSE(contains_ignoring_case("Hello", "help"));
  EXPECT_FALSE(contains_ignoring_case("", "a"));
  EXPECT_FALSE(contains_ignoring_case("short", "much longer than the text"));
}

TEST(contains_ignoring_case, ill_formed_bytes_match_only_themselves) {
  const std::string bad = std::string("ab") + '\xff' + "cd";
  EXPECT_TRUE(contains_ignoring_case(bad, std::string("b") + '\xff' + "C"));
  EXPECT_FALSE(contains_ignoring_case(bad, "bcd"));
  EXPECT_FALSE(contains_ignoring_case("abcd", std::string(1, '\xff')));
  EXPECT_TRUE(contains_ignoring_case(std::string("x") + '\xc3', std::string(1, '\xc3')));  // cut-off sequence
}

}  // namespace
}  // namespace carechat::core

namespace carechat::core {
namespace {

// Every White_Space code point of Unicode's PropList, and the invisible format characters that
// count with them, make a text blank; anything else does not.
TEST(inspect_text, blank_is_unicode_white_space_and_invisible_format_characters) {
  for (std::string_view s : {"", " ", "\t\n\r\v\f", "\xc2\xa0", "\xe1\x9a\x80", "\xe2\x80\x80\xe2\x80\x8a",
                             "\xe2\x80\xa8\xe2\x80\xa9", "\xe2\x80\xaf\xe2\x81\x9f", "\xe3\x80\x80", "\xe2\x80\x8b",
                             "\xe2\x80\x8c\xe2\x80\x8d", "\xe2\x81\xa0", "\xef\xbb\xbf", "\xe1\xa0\x8e"})
    EXPECT_TRUE(inspect_text(s).blank) << s;
  for (std::string_view s : {"a", " . ", "\xc2\xa0x", "\xe2\x80\x8e", "\xe3\x80\x81", "_"})
    EXPECT_FALSE(inspect_text(s).blank) << s;
}

TEST(inspect_text, controls_are_c0_but_tab_lf_cr_del_and_c1) {
  using namespace std::string_view_literals;
  for (std::string_view s : {"\0"sv, "\x01"sv, "\x07"sv, "\x0b"sv, "\x0c"sv, "\x1b"sv, "\x1f"sv, "\x7f"sv,
                             "\xc2\x80"sv, "\xc2\x85"sv, "\xc2\x9f"sv})
    EXPECT_TRUE(inspect_text(s).has_control) << static_cast<int>(static_cast<unsigned char>(s.back()));
  for (std::string_view s : {"\t", "\n", "\r", " ", "\xc2\xa0", "\xe2\x80\xa8", "text"})
    EXPECT_FALSE(inspect_text(s).has_control) << s;
}

TEST(inspect_text, counts_code_points_and_notices_ill_formed_text) {
  EXPECT_EQ(inspect_text("a\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80").code_points, 4u);
  EXPECT_TRUE(inspect_text("ok").well_formed);
  EXPECT_FALSE(inspect_text("a\xff").well_formed);
  EXPECT_FALSE(inspect_text("\xed\xa0\x80").well_formed);
}

}  // namespace
}  // namespace carechat::core
