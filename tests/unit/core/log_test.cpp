#include "core/log.hpp"

#include <gtest/gtest.h>

namespace carechat::core {
namespace {

std::string escaped(std::string_view s) {
  std::string out;
  append_json_string_content(out, s);
  return out;
}

TEST(log, json_strings_escape_quotes_backslashes_and_controls) {
  EXPECT_EQ(escaped("plain"), "plain");
  EXPECT_EQ(escaped("a\"b\\c"), "a\\\"b\\\\c");
  EXPECT_EQ(escaped("line\nbreak\ttab\r"), "line\\nbreak\\ttab\\r");
  EXPECT_EQ(escaped(std::string("\x01\x1f\x7f", 3)), "\\u0001\\u001f\\u007f");
  EXPECT_EQ(escaped("caf\xc3\xa9"), "caf\xc3\xa9");  // valid UTF-8 stays as it is
}

TEST(log, invalid_utf8_becomes_replacement_characters) {
  EXPECT_EQ(escaped("a\xff" "b"), "a\xef\xbf\xbd" "b");
}

}  // namespace
}  // namespace carechat::core
