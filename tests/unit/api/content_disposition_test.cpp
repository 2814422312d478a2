// content_disposition: RFC 6266 with an RFC 8187 filename*.
#include "api/content_disposition.hpp"

#include <gtest/gtest.h>

namespace carechat::api {
namespace {

TEST(content_disposition, ascii_names_appear_in_both_forms) {
  EXPECT_EQ(content_disposition(disposition::attachment, "rash.jpg"),
            "attachment; filename=\"rash.jpg\"; filename*=UTF-8''rash.jpg");
  EXPECT_EQ(content_disposition(disposition::inline_, "a b.png"),
            "inline; filename=\"a b.png\"; filename*=UTF-8''a%20b.png");
}

TEST(content_disposition, utf8_names_are_percent_encoded_and_stand_in_as_underscores) {
  EXPECT_EQ(content_disposition(disposition::attachment, "Résumé 処方.pdf"),
            "attachment; filename=\"R_sum_ __.pdf\"; "
            "filename*=UTF-8''R%C3%A9sum%C3%A9%20%E5%87%A6%E6%96%B9.pdf");
}

TEST(content_disposition, quotes_backslashes_and_percent_cannot_break_out) {
  EXPECT_EQ(content_disposition(disposition::attachment, "a\"b\\c%41;d=e.txt"),
            "attachment; filename=\"a_b_c_41;d=e.txt\"; filename*=UTF-8''a%22b%5Cc%2541%3Bd%3De.txt");
  // A control character that reached here anyway never reaches the header as itself.
  const auto h = content_disposition(disposition::attachment, "x\r\ny");
  EXPECT_EQ(h.find('\r'), std::string::npos);
  EXPECT_EQ(h.find('\n'), std::string::npos);
}

// The other way: the name an upload's Content-Disposition gives.
TEST(filename_of, filename_star_wins_and_is_percent_decoded_utf8) {
  auto name = filename_of("attachment; filename=\"fallback.png\"; filename*=UTF-8''r%C3%A4sh%20photo.png");
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->value_or(""), "r\xC3\xA4sh photo.png");
  auto plain = filename_of("attachment; filename=\"a \\\"quoted\\\" name.pdf\"");
  ASSERT_TRUE(plain.has_value());
  EXPECT_EQ(plain->value_or(""), "a \"quoted\" name.pdf");
  auto none = filename_of("attachment");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());
  // A round trip through our own header gives the name back.
  auto back = filename_of(content_disposition(disposition::attachment, "\xE5\xA0\xB1\xE5\x91\x8A 1.pdf"));
  ASSERT_TRUE(back.has_value());
  EXPECT_EQ(back->value_or(""), "\xE5\xA0\xB1\xE5\x91\x8A 1.pdf");
}

TEST(filename_of, malformed_headers_and_other_charsets_are_bad_requests) {
  for (const char* bad : {"", "form", "attachment; filename", "attachment; filename=\"open", "attachment; =x",
                          "attachment; filename*=ISO-8859-1''caf%E9.txt", "attachment; filename*=UTF-8''bad%zz",
                          "attachment; filename*=UTF-8''cut%4", "attachment; filename*=nocharset"}) {
    auto r = filename_of(bad);
    ASSERT_FALSE(r.has_value()) << bad;
    EXPECT_EQ(r.error().code, core::errc::bad_request) << bad;
  }
}

}  // namespace
}  // namespace carechat::api
