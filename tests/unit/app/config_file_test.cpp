// The config file's syntax: every refusal names the file and the line; comments, blank lines,
// spaces and CRLF are accepted; a file that cannot be read is an error.
#include "app/config_file.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "unit/store/support/temp_dir.hpp"

namespace carechat::app {
namespace {

std::string error_of(std::string_view text) {
  auto parsed = parse_config_text(text, "test.conf");
  return parsed ? std::string("(accepted)") : parsed.error().message;
}

TEST(config_file, key_value_lines_comments_and_blank_lines) {
  auto parsed = parse_config_text(
      "# carechat\n"
      "\n"
      "listen = 127.0.0.1:9000\n"
      "  db=/var/lib/carechat/carechat.db  \r\n"
      "\t# indented comment\n"
      "public_url = http://chat.example.org/#x = y\n",
      "test.conf");
  ASSERT_TRUE(parsed.has_value()) << parsed.error().message;
  ASSERT_EQ(parsed->size(), 3u);
  EXPECT_EQ((*parsed)[0].key, "listen");
  EXPECT_EQ((*parsed)[0].value, "127.0.0.1:9000");
  EXPECT_EQ((*parsed)[0].line, 3u);
  EXPECT_EQ((*parsed)[1].key, "db");
  EXPECT_EQ((*parsed)[1].value, "/var/lib/carechat/carechat.db");
  EXPECT_EQ((*parsed)[1].line, 4u);
  EXPECT_EQ((*parsed)[2].value, "http://chat.example.org/#x = y");  // literal after the first '='
  EXPECT_EQ((*parsed)[2].line, 6u);
}

TEST(config_file, each_error_names_the_file_and_line) {
  EXPECT_EQ(error_of("listen = 127.0.0.1:1\n\nlisten 127.0.0.1:2\n"),
            "test.conf:3: missing '=': expected 'key = value', got 'listen 127.0.0.1:2'");
  EXPECT_EQ(error_of("# x\n= 1\n"), "test.conf:2: missing key before '='");
  EXPECT_EQ(error_of("\n\n\nlisten =   \n"),
            "test.conf:4: listen has no value (leave the line out, or comment it, for the default)");
  EXPECT_EQ(error_of("listen = a:1\ndb = x\nlisten = b:2\n"),
            "test.conf:3: duplicate key 'listen' (first set on line 1)");
  EXPECT_EQ(error_of("lisen = 127.0.0.1:1\n"), "test.conf:1: unknown key 'lisen' (did you mean 'listen'?)");
  EXPECT_EQ(error_of("db = x\nCARECHAT_LISTEN = 127.0.0.1:1\n"),
            "test.conf:2: unknown key 'CARECHAT_LISTEN' (did you mean 'listen'?)");
  EXPECT_EQ(error_of("io_thread = 4\n"), "test.conf:1: unknown key 'io_thread' (did you mean 'io_threads'?)");
  EXPECT_EQ(error_of("favourite_colour = blue\n"), "test.conf:1: unknown key 'favourite_colour'");
}

TEST(config_file, unreadable_files_are_errors_naming_them) {
  test::temp_dir dir;
  const std::string missing = (dir.path() / "missing.conf").string();
  auto r = read_config_file(missing);
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().message, "cannot read the config file " + missing + ": No such file or directory");

  auto d = read_config_file(dir.path().string());
  ASSERT_FALSE(d.has_value());
  EXPECT_NE(d.error().message.find("not a regular file"), std::string::npos) << d.error().message;

  const std::string big = (dir.path() / "big.conf").string();
  std::ofstream(big) << std::string(max_config_file_bytes + 1, '#');
  auto b = read_config_file(big);
  ASSERT_FALSE(b.has_value());
  EXPECT_NE(b.error().message.find("larger than 1 MiB"), std::string::npos) << b.error().message;

  const std::string ok = (dir.path() / "ok.conf").string();
  std::ofstream(ok) << "listen = 127.0.0.1:1\n";
  ::chmod(ok.c_str(), 0640);
  auto read = read_config_file(ok);
  ASSERT_TRUE(read.has_value()) << read.error().message;
  EXPECT_EQ(read->mode, 0640u);
  ASSERT_EQ(read->entries.size(), 1u);
}

}  // namespace
}  // namespace carechat::app
