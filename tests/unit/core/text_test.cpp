#include "core/text.hpp"

#include <gtest/gtest.h>

namespace carechat::core {
namespace {

TEST(split_list, trims_and_drops_empty_items) {
  EXPECT_EQ(split_list("carechat.v1, bearer.x"), (std::vector<std::string_view>{"carechat.v1", "bearer.x"}));
  EXPECT_EQ(split_list(" a ,, \tb\t,"), (std::vector<std::string_view>{"a", "b"}));
  EXPECT_TRUE(split_list("").empty());
  EXPECT_TRUE(split_list(" , ,").empty());
  EXPECT_EQ(split_list("a;b", ';'), (std::vector<std::string_view>{"a", "b"}));
}

TEST(parse_decimal, digits_only_whole_string_in_range) {
  EXPECT_EQ(parse_decimal<int>("20"), 20);
  EXPECT_EQ(parse_decimal<unsigned>("0"), 0u);
  for (const char* bad : {"", "20x", " 20", "20 ", "-1", "+5", "0x10", "1e3", "99999999999"})
    EXPECT_FALSE(parse_decimal<int>(bad).has_value()) << bad;
  EXPECT_EQ(parse_decimal<std::int64_t>("99999999999"), 99'999'999'999);
}

TEST(split_list, copies_and_joins_round_trip) {
  EXPECT_EQ(split_list_copy("message.outbound, message.inbound"),
            (std::vector<std::string>{"message.outbound", "message.inbound"}));
  EXPECT_EQ(join_list({"a", "b", "c"}), "a,b,c");
  EXPECT_EQ(join_list({}), "");
  EXPECT_EQ(split_list_copy(join_list({"x", "y"})), (std::vector<std::string>{"x", "y"}));
}

TEST(percent_encode, keeps_what_it_is_told_and_encodes_every_other_byte_upper_case) {
  EXPECT_EQ(percent_encode("a-z_0.9~", is_unreserved), "a-z_0.9~");
  using namespace std::string_view_literals;
  EXPECT_EQ(percent_encode("a b/c%é\0"sv, is_unreserved), "a%20b%2Fc%25%C3%A9%00");
  EXPECT_EQ(percent_encode("a/b", [](unsigned char c) { return is_unreserved(c) || c == '/'; }), "a/b");
  EXPECT_EQ(percent_encode("", is_unreserved), "");
}

TEST(percent_decode, inverts_percent_encode_and_refuses_a_broken_escape) {
  using namespace std::string_literals;
  const std::string bytes = "a b/c%\xC3\xA9+\0"s;
  EXPECT_EQ(percent_decode(percent_encode(bytes, is_unreserved), false), bytes);
  EXPECT_EQ(percent_decode("a+b%2b", true), "a b+");
  EXPECT_EQ(percent_decode("a+b", false), "a+b");
  EXPECT_EQ(percent_decode("%e2%82%AC", false), "\xE2\x82\xAC");
  for (const char* broken : {"%", "%4", "x%4", "%G0", "%0g", "a%%20"})
    EXPECT_EQ(percent_decode(broken, true), std::nullopt) << broken;
}

}  // namespace
}  // namespace carechat::core
