// The settings table: well-formed entries, values that survive show -> parse, and README.md's
// configuration table equal to the one the code produces (regenerate it with
// `build/carechat config markdown` between the markers when this fails).
#include "app/settings.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <set>
#include <sstream>

namespace carechat::app {
namespace {

TEST(settings, entries_are_well_formed_and_unique) {
  std::set<std::string> keys, flags;
  for (const setting& s : all_settings()) {
    EXPECT_EQ(s.env.rfind("CARECHAT_", 0), 0u) << s.env;
    EXPECT_TRUE(keys.insert(s.key()).second) << "duplicate key " << s.key();
    if (!s.flag.empty()) {
      EXPECT_TRUE(flags.insert(std::string(s.flag)).second) << s.flag;
    }
    EXPECT_FALSE(s.help.empty()) << s.env;
    EXPECT_EQ(s.help.find_first_of("|\n"), std::string_view::npos) << s.env << ": breaks the Markdown table";
    EXPECT_EQ(find_setting(s.key()), &s);
    EXPECT_EQ(find_setting(s.env), &s);
    ASSERT_TRUE(s.codec.parse && s.codec.show) << s.env;
  }
  EXPECT_EQ(setting_options(), (std::set<std::string>{"config", "db", "listen", "metrics-listen", "tls-cert",
                                                      "tls-key", "web-root"}));
  EXPECT_EQ(find_setting("CARECHAT_CONFIG"), nullptr);  // the file cannot name another file
}

TEST(settings, every_default_survives_show_then_parse) {
  const config defaults;
  for (const setting& s : all_settings()) {
    const std::string shown = s.codec.show(defaults);
    if (shown.empty()) continue;  // unset by default
    config c;
    auto ok = s.codec.parse(shown, c);
    ASSERT_TRUE(ok.has_value()) << s.env << "=" << shown << ": " << ok.error().message;
    EXPECT_EQ(s.codec.show(c), shown) << s.env;
  }
}

TEST(settings, metrics_and_log_settings_parse_and_refuse) {
  config c;
  const setting* metrics = find_setting("metrics_listen");
  ASSERT_NE(metrics, nullptr);
  EXPECT_EQ(metrics->codec.show(c), "") << "off by default";
  ASSERT_TRUE(metrics->codec.parse("[::1]:9464", c).has_value());
  EXPECT_EQ(c.metrics_host, "::1");
  EXPECT_EQ(c.metrics_port, 9464);
  EXPECT_EQ(metrics->codec.show(c), "[::1]:9464");
  EXPECT_FALSE(metrics->codec.parse("9464", c).has_value());
  EXPECT_FALSE(metrics->codec.parse("h:70000", c).has_value());

  const setting* format = find_setting("CARECHAT_LOG_FORMAT");
  ASSERT_NE(format, nullptr);
  ASSERT_TRUE(format->codec.parse("json", c).has_value());
  EXPECT_EQ(c.log_format, core::log_format::json);
  EXPECT_FALSE(format->codec.parse("xml", c).has_value());
  EXPECT_EQ(c.log_format, core::log_format::json) << "a refused value changes nothing";

  const setting* requests = find_setting("log_requests");
  ASSERT_NE(requests, nullptr);
  ASSERT_TRUE(requests->codec.parse("0", c).has_value());
  EXPECT_FALSE(c.log_requests);
  EXPECT_FALSE(requests->codec.parse("no", c).has_value());
}

TEST(settings, secrets_are_marked) {
  EXPECT_TRUE(find_setting("s3_secret_access_key")->secret);
  EXPECT_FALSE(find_setting("listen")->secret);
}

TEST(settings, show_masks_secrets_and_names_each_origin) {
  loaded_config loaded;
  loaded.file = "/etc/carechat/carechat.conf";
  ASSERT_TRUE(find_setting("s3_secret_access_key")->codec.parse("hunter2", loaded.values).has_value());
  loaded.origins["s3_secret_access_key"] = {setting_source::file, "/etc/carechat/carechat.conf:4"};
  ASSERT_TRUE(find_setting("listen")->codec.parse("[::1]:9000", loaded.values).has_value());
  loaded.origins["listen"] = {setting_source::flag, "--listen"};
  ASSERT_TRUE(find_setting("reader_threads")->codec.parse("9", loaded.values).has_value());
  loaded.origins["reader_threads"] = {setting_source::environment, "CARECHAT_READER_THREADS"};
  loaded.values.db_path = "postgresql://carechat:pw@db.example/carechat?sslmode=require";
  // The comments are aligned with spaces: compare with runs of spaces as one.
  std::string out;
  for (char ch : show_settings(loaded))
    if (ch != ' ' || out.empty() || out.back() != ' ') out += ch;
  EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  EXPECT_EQ(out.find("pw"), std::string::npos) << out;
  EXPECT_EQ(out.rfind("# carechat settings: defaults < /etc/carechat/carechat.conf < environment < flags\n", 0), 0u);
  EXPECT_NE(out.find("\ns3_secret_access_key = **** # file /etc/carechat/carechat.conf:4\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("\nlisten = [::1]:9000 # flag --listen\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\nreader_threads = 9 # environment CARECHAT_READER_THREADS\n"),
            std::string::npos) << out;
  EXPECT_NE(out.find("\ndb = postgresql://db.example/carechat # default\n"), std::string::npos) << out;
  EXPECT_NE(out.find("\n# s3_bucket is unset (default: none)\n"), std::string::npos) << out;
  // An unset secret is not masked: nothing to hide, and the operator sees it is missing.
  EXPECT_NE(show_settings(loaded_config{}).find("\n# s3_secret_access_key is unset (default: none)\n"),
            std::string::npos);
}

TEST(settings, help_lists_every_variable_with_its_flag_key_and_default) {
  const std::string help = settings_help();
  for (const setting& s : all_settings()) EXPECT_NE(help.find(std::string(s.env)), std::string::npos) << s.env;
  EXPECT_NE(help.find("  CARECHAT_LISTEN, --listen, listen (default 127.0.0.1:8080)\n"), std::string::npos) << help;
  EXPECT_NE(help.find("CARECHAT_S3_SECRET_ACCESS_KEY, s3_secret_access_key (default none; secret)"), std::string::npos);
  EXPECT_EQ(help.find('`'), std::string::npos);
}

TEST(settings, readme_table_is_the_code_table) {
  std::ifstream in(std::string(CARECHAT_SOURCE_DIR) + "/README.md");
  ASSERT_TRUE(in) << "README.md not found";
  std::stringstream text;
  text << in.rdbuf();
  const std::string readme = text.str();
  const std::string begin = "<!-- settings:begin (generated: build/carechat config markdown) -->\n";
  const std::string end = "<!-- settings:end -->";
  const auto b = readme.find(begin);
  const auto e = readme.find(end);
  ASSERT_NE(b, std::string::npos) << "README.md has no line " << begin;
  ASSERT_NE(e, std::string::npos) << "README.md has no line " << end;
  ASSERT_LT(b, e);
  EXPECT_EQ(readme.substr(b + begin.size(), e - b - begin.size()), settings_markdown())
      << "README.md's configuration table differs from src/app/settings.cpp: paste the output of "
         "`build/carechat config markdown` between the markers";
}

}  // namespace
}  // namespace carechat::app
