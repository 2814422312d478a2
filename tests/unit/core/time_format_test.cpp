#include "core/time_format.hpp"

#include <gtest/gtest.h>

#include <limits>

namespace carechat::core {
namespace {

TEST(format_iso8601_ms, known_instants) {
  EXPECT_EQ(format_iso8601_ms(0), "1970-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_ms(1615334079152), "2021-03-09T23:54:39.152Z");
  EXPECT_EQ(format_iso8601_ms(1612804649000), "2021-02-08T17:17:29.000Z");
  EXPECT_EQ(format_iso8601_ms(951782400000), "2000-02-29T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_ms(13574606400000), "2400-02-29T12:00:00.000Z");
  EXPECT_EQ(format_iso8601_ms(253402300799999), "9999-12-31T23:59:59.999Z");
  EXPECT_EQ(format_iso8601_ms(-62167219200000), "0000-01-01T00:00:00.000Z");
}

TEST(format_iso8601_ms, before_the_epoch) {
  EXPECT_EQ(format_iso8601_ms(-1), "1969-12-31T23:59:59.999Z");
  EXPECT_EQ(format_iso8601_ms(-1000), "1969-12-31T23:59:59.000Z");
  EXPECT_EQ(format_iso8601_ms(-86'400'000), "1969-12-31T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_ms(-2203891200000), "1900-03-01T00:00:00.000Z");
}

TEST(format_iso8601_ms, four_digit_years_and_beyond) {
  EXPECT_EQ(format_iso8601_ms(253402300799999), "9999-12-31T23:59:59.999Z");  // the last four-digit instant
  EXPECT_EQ(format_iso8601_ms(253402300800000), "10000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_ms(-62167219200000), "0000-01-01T00:00:00.000Z");
  EXPECT_EQ(format_iso8601_ms(1'700'000'000'123), "2023-11-14T22:13:20.123Z");
}

TEST(format_iso8601_ms, extremes_do_not_crash) {
  EXPECT_FALSE(format_iso8601_ms(std::numeric_limits<unix_ms>::max()).empty());
  EXPECT_FALSE(format_iso8601_ms(std::numeric_limits<unix_ms>::min()).empty());
}

TEST(parse_iso8601, known_instants) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(parse_iso8601("2021-03-09T23:54:39.152Z"), 1615334079152);
  EXPECT_EQ(parse_iso8601("2020-10-05T10:51:41.000Z"), 1601895101000);
  EXPECT_EQ(parse_iso8601("1969-12-31T23:59:59.999Z"), -1);
  EXPECT_EQ(parse_iso8601("0000-01-01T00:00:00Z"), -62167219200000);
  EXPECT_EQ(parse_iso8601("9999-12-31T23:59:59.999Z"), 253402300799999);
}

TEST(parse_iso8601, bare_date_is_midnight_utc) {
  EXPECT_EQ(parse_iso8601("2020-10-05"), 1601856000000);
  EXPECT_EQ(parse_iso8601("1970-01-01"), 0);
}

TEST(parse_iso8601, round_trips_every_format_output) {
  for (unix_ms t : {unix_ms{0}, unix_ms{1}, unix_ms{-1}, unix_ms{999}, unix_ms{1615334079152}, unix_ms{951782400000},
                    unix_ms{951868799999}, unix_ms{-62167219200000}, unix_ms{253402300799999}, unix_ms{4102444800000},
                    unix_ms{-2203891200001}}) {
    EXPECT_EQ(parse_iso8601(format_iso8601_ms(t)), t) << format_iso8601_ms(t);
  }
  // A sweep across decades, hitting every month and leap day along the way.
  for (unix_ms t = -2'500'000'000'000; t < 4'200'000'000'000; t += 86'400'000LL * 13 + 3'600'007)
    ASSERT_EQ(parse_iso8601(format_iso8601_ms(t)), t) << format_iso8601_ms(t);
}

TEST(parse_iso8601, leap_years) {
  EXPECT_TRUE(parse_iso8601("2000-02-29").has_value());  // divisible by 400
  EXPECT_TRUE(parse_iso8601("2024-02-29").has_value());
  EXPECT_TRUE(parse_iso8601("2400-02-29").has_value());
  EXPECT_FALSE(parse_iso8601("1900-02-29").has_value());  // divisible by 100 only
  EXPECT_FALSE(parse_iso8601("2100-02-29").has_value());
  EXPECT_FALSE(parse_iso8601("2023-02-29").has_value());
  EXPECT_FALSE(parse_iso8601("2024-02-30").has_value());
  EXPECT_EQ(*parse_iso8601("2024-03-01") - *parse_iso8601("2024-02-28"), 2 * 86'400'000);
  EXPECT_EQ(*parse_iso8601("2023-03-01") - *parse_iso8601("2023-02-28"), 86'400'000);
}

TEST(parse_iso8601, month_lengths) {
  EXPECT_TRUE(parse_iso8601("2021-01-31").has_value());
  EXPECT_FALSE(parse_iso8601("2021-04-31").has_value());
  EXPECT_FALSE(parse_iso8601("2021-06-31").has_value());
  EXPECT_FALSE(parse_iso8601("2021-09-31").has_value());
  EXPECT_FALSE(parse_iso8601("2021-11-31").has_value());
  EXPECT_TRUE(parse_iso8601("2021-12-31").has_value());
  EXPECT_FALSE(parse_iso8601("2021-00-10").has_value());
  EXPECT_FALSE(parse_iso8601("2021-13-10").has_value());
  EXPECT_FALSE(parse_iso8601("2021-01-00").has_value());
  EXPECT_FALSE(parse_iso8601("2021-01-32").has_value());
}

TEST(parse_iso8601, offsets) {
  const unix_ms utc = 1601895101000;  // 2020-10-05T10:51:41Z
  EXPECT_EQ(parse_iso8601("2020-10-05T11:51:41+01:00"), utc);
  EXPECT_EQ(parse_iso8601("2020-10-05T02:51:41-08:00"), utc);
  EXPECT_EQ(parse_iso8601("2020-10-05T16:21:41+05:30"), utc);
  EXPECT_EQ(parse_iso8601("2020-10-05T10:51:41+00:00"), utc);
  EXPECT_EQ(parse_iso8601("2020-10-05T10:51:41-00:00"), utc);
  EXPECT_EQ(parse_iso8601("2020-10-05T10:51:41.250+00:00"), utc + 250);
  // Crossing midnight and a year boundary.
  EXPECT_EQ(parse_iso8601("2021-01-01T00:30:00+01:00"), parse_iso8601("2020-12-31T23:30:00Z"));
  EXPECT_EQ(parse_iso8601("2020-12-31T23:30:00-01:00"), parse_iso8601("2021-01-01T00:30:00Z"));
}

TEST(parse_iso8601, fractions_are_truncated_to_milliseconds) {
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.1Z"), 100);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.12Z"), 120);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.123Z"), 123);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.1239Z"), 123);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.999999999Z"), 999);
  EXPECT_EQ(parse_iso8601("1970-01-01T00:00:00.000000001Z"), 0);
  EXPECT_FALSE(parse_iso8601("1970-01-01T00:00:00.1234567890Z").has_value());  // over nanoseconds
  EXPECT_FALSE(parse_iso8601("1970-01-01T00:00:00.Z").has_value());
}

TEST(parse_iso8601, invalid_inputs) {
  for (const char* s :
       {"", "2021", "2021-03", "2021-3-09", "2021-03-9", "21-03-09", "02021-03-09", "2021/03/09", "2021-03-09T",
        "2021-03-09T23:54:39", "2021-03-09T23:54:39.152", "2021-03-09T23:54Z", "2021-03-09T23:54:39z",
        "2021-03-09t23:54:39Z", "2021-03-09 23:54:39Z", "2021-03-09T24:00:00Z", "2021-03-09T23:60:00Z",
        "2021-03-09T23:59:60Z", "2021-03-09T23:54:39+0100", "2021-03-09T23:54:39+01", "2021-03-09T23:54:39+24:00",
        "2021-03-09T23:54:39+01:60", "2021-03-09T23:54:39ZZ", "2021-03-09T23:54:39Z ", " 2021-03-09T23:54:39Z",
        "2021-03-09Z", "2021-03-09 ", "2021-03-09T23:54:39.-1Z", "2021-03-09T23:54:39,152Z", "-2021-03-09",
        "+2021-03-09", "yesterday", "1601895101000", "2021-03-09T2a:54:39Z", "２０２１-03-09"}) {
    EXPECT_FALSE(parse_iso8601(s).has_value()) << s;
  }
  EXPECT_FALSE(parse_iso8601(std::string_view("2021-03-09\0", 11)).has_value());
}

}  // namespace
}  // namespace carechat::core
