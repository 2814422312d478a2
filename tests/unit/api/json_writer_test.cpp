#include "api/json_writer.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <limits>

namespace carechat::api {
namespace {

std::string as_json_string(std::string_view s) {
  json_writer w;
  w.string(s);
  return std::move(w).take();
}

TEST(json_writer, plain_strings_are_copied_verbatim) {
  EXPECT_EQ(as_json_string(""), R"("")");
  EXPECT_EQ(as_json_string("hello, world!"), R"("hello, world!")");
  EXPECT_EQ(as_json_string("é😀/<>"), "\"é😀/<>\"");
}

TEST(json_writer, escapes_quotes_backslashes_and_controls) {
  EXPECT_EQ(as_json_string("a\"b"), R"("a\"b")");
  EXPECT_EQ(as_json_string("a\\b"), R"("a\\b")");
  EXPECT_EQ(as_json_string("line\nnext\ttab\r"), R"("line\nnext\ttab\r")");
  EXPECT_EQ(as_json_string(std::string_view("\x00\x01\x1f", 3)), R"("\u0000\u0001\u001f")");
}

TEST(json_writer, long_escaped_strings_round_trip) {
  // Longer than the serializer's chunk, with escapes throughout.
  std::string s;
  for (int i = 0; i < 3000; ++i) s += (i % 7 == 0) ? '"' : (i % 11 == 0) ? '\n' : static_cast<char>('a' + i % 26);
  const auto v = boost::json::parse(as_json_string(s));
  EXPECT_EQ(v.as_string(), s);
}

TEST(json_writer, integers_and_literals) {
  json_writer w;
  w.raw("[");
  w.integer(0);
  w.raw(",");
  w.integer(-42);
  w.raw(",");
  w.integer(std::numeric_limits<std::int64_t>::max());
  w.raw(",");
  w.integer(std::numeric_limits<std::int64_t>::min());
  w.raw(",");
  w.boolean(true);
  w.raw(",");
  w.boolean(false);
  w.raw(",");
  w.null();
  w.raw("]");
  EXPECT_EQ(w.str(), "[0,-42,9223372036854775807,-9223372036854775808,true,false,null]");
}

}  // namespace
}  // namespace carechat::api
