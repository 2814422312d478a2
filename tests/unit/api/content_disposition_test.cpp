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

}  // namespace
}  // namespace carechat::api
