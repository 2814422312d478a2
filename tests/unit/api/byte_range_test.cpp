// parse_range: the one range a download serves (RFC 9110 section 14).
#include "api/byte_range.hpp"

#include <gtest/gtest.h>

namespace carechat::api {
namespace {

std::optional<byte_range> ok(std::string_view header, std::uint64_t size) {
  auto r = parse_range(header, size);
  EXPECT_TRUE(r.has_value()) << header;
  return r ? *r : std::nullopt;
}

TEST(byte_range, first_last_open_ended_and_suffix_ranges) {
  auto a = ok("bytes=0-9", 100);
  ASSERT_TRUE(a);
  EXPECT_EQ(a->first, 0u);
  EXPECT_EQ(a->last, 9u);
  EXPECT_EQ(a->length(), 10u);
  auto b = ok("bytes=90-", 100);
  ASSERT_TRUE(b);
  EXPECT_EQ(b->first, 90u);
  EXPECT_EQ(b->last, 99u);
  auto c = ok("bytes=-5", 100);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->first, 95u);
  EXPECT_EQ(c->last, 99u);
  auto d = ok("bytes=50-1000", 100);  // clamped to the file
  ASSERT_TRUE(d);
  EXPECT_EQ(d->last, 99u);
  auto e = ok("bytes=-500", 100);  // a suffix longer than the file: all of it
  ASSERT_TRUE(e);
  EXPECT_EQ(e->first, 0u);
}

TEST(byte_range, what_is_not_one_plain_range_is_ignored) {
  for (const char* h : {"items=0-1", "bytes=0-1,5-6", "bytes=5-2", "bytes=a-b", "bytes=", "bytes=1", "bytes=--1"})
    EXPECT_FALSE(ok(h, 100).has_value()) << h;
}

TEST(byte_range, a_range_past_the_end_is_not_satisfiable) {
  for (const char* h : {"bytes=100-", "bytes=100-200", "bytes=-0"}) {
    auto r = parse_range(h, 100);
    ASSERT_FALSE(r.has_value()) << h;
    EXPECT_EQ(r.error().code, core::errc::range_not_satisfiable);
  }
  EXPECT_FALSE(parse_range("bytes=0-", 0).has_value());
}

}  // namespace
}  // namespace carechat::api
