// Loading the configuration: defaults < config file < environment < flags, each source's error
// naming it (file and line, variable, flag), the same validation for a value from any source, and
// the secret rule for a file others may read. The environment and the default file are injected.
#include "app/config.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>
#include <map>

#include "unit/store/support/temp_dir.hpp"

namespace carechat::app {
namespace {

struct config_loading : ::testing::Test {
  test::temp_dir dir;
  std::map<std::string, std::string> env;

  std::string write(const std::string& name, const std::string& text, mode_t mode = 0640) {
    const std::string path = (dir.path() / name).string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  config_inputs inputs() {
    config_inputs in;
    in.default_file = (dir.path() / "absent-default.conf").string();
    in.getenv = [this](const char* name) -> const char* {
      auto it = env.find(name);
      return it == env.end() ? nullptr : it->second.c_str();
    };
    return in;
  }
  core::result<loaded_config> load(std::vector<std::string> argv = {}) {
    auto a = args::parse(argv, {"config", "db", "listen", "web-root"}, {});
    EXPECT_TRUE(a.has_value());
    return load_config_with_origins(*a, inputs());
  }
  std::string error(std::vector<std::string> argv = {}) {
    auto r = load(std::move(argv));
    return r ? std::string("(accepted)") : r.error().message;
  }
};

TEST_F(config_loading, no_file_and_no_environment_give_the_struct_defaults) {
  auto r = load();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->file, "");
  EXPECT_TRUE(r->origins.empty());
  EXPECT_EQ(r->values.listen_port, 8080);
  EXPECT_EQ(r->values.db_path, "./var/carechat.db");
}

TEST_F(config_loading, defaults_then_file_then_environment_then_flags) {
  const std::string file = write("c.conf",
                                 "listen = 127.0.0.1:1001\n"
                                 "db = /from/file.db\n"
                                 "web_root = /from/file/web\n"
                                 "reader_threads = 7\n");
  env["CARECHAT_LISTEN"] = "127.0.0.1:1002";
  env["CARECHAT_DB"] = "/from/env.db";
  auto r = load({"--config", file, "--listen", "127.0.0.1:1003"});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->file, file);
  EXPECT_EQ(r->values.listen_port, 1003);          // flag over environment over file
  EXPECT_EQ(r->values.db_path, "/from/env.db");    // environment over file
  EXPECT_EQ(r->values.web_root, "/from/file/web"); // file over default
  EXPECT_EQ(r->values.reader_threads, 7u);
  EXPECT_EQ(r->values.page_limit, 20);             // default
  EXPECT_EQ(r->origins.at("listen").source, setting_source::flag);
  EXPECT_EQ(r->origins.at("listen").where, "--listen");
  EXPECT_EQ(r->origins.at("db").source, setting_source::environment);
  EXPECT_EQ(r->origins.at("db").where, "CARECHAT_DB");
  EXPECT_EQ(r->origins.at("web_root").where, file + ":3");
  EXPECT_EQ(r->origins.count("page_limit"), 0u);
}

TEST_F(config_loading, the_file_comes_from_the_flag_then_CARECHAT_CONFIG_then_the_default_if_present) {
  const std::string a = write("a.conf", "reader_threads = 2\n");
  const std::string b = write("b.conf", "reader_threads = 3\n");
  env["CARECHAT_CONFIG"] = b;
  auto r = load({"--config", a});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.reader_threads, 2u);
  r = load();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.reader_threads, 3u);
  env.erase("CARECHAT_CONFIG");
  r = load();  // the default file is absent: none
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->file, "");
  write("absent-default.conf", "reader_threads = 5\n");  // now it exists
  r = load();
  ASSERT_TRUE(r.has_value()) << r.error().message;
  EXPECT_EQ(r->values.reader_threads, 5u);
  EXPECT_EQ(r->file, (dir.path() / "absent-default.conf").string());
  // Named but missing: an error, never silently the defaults.
  EXPECT_EQ(error({"--config", (dir.path() / "nope.conf").string()}),
            "cannot read the config file " + (dir.path() / "nope.conf").string() + ": No such file or directory");
  EXPECT_EQ(error({"--config="}), "--config needs a file");
}

TEST_F(config_loading, a_bad_value_is_refused_with_the_same_rule_from_every_source) {
  const std::string file = write("c.conf", "# threads\n\nreader_threads = 257\n");
  EXPECT_EQ(error({"--config", file}), file + ":3: reader_threads must be a number from 0 to 256");
  env["CARECHAT_READER_THREADS"] = "257";
  EXPECT_EQ(error(), "CARECHAT_READER_THREADS must be a number from 0 to 256");
  env.clear();
  EXPECT_EQ(error({"--listen", "nowhere"}), "--listen must be HOST:PORT, got 'nowhere'");
  EXPECT_EQ(error({"--db="}), "--db must not be empty");
  const std::string listen = write("l.conf", "listen = 127.0.0.1:70000\n");
  EXPECT_EQ(error({"--config", listen}), listen + ":1: listen port must be 0-65535, got '127.0.0.1:70000'");
  const std::string hooks = write("w.conf", "webhooks = yes\n");
  EXPECT_EQ(error({"--config", hooks}), hooks + ":1: webhooks must be 0 or 1");
  env["CARECHAT_WEBHOOK_RETRY_BASE_MS"] = "5000";
  env["CARECHAT_WEBHOOK_RETRY_MAX_MS"] = "1000";
  EXPECT_NE(error().find("may not exceed"), std::string::npos);
}

TEST_F(config_loading, a_secret_in_a_file_others_may_read_is_refused) {
  const std::string open_file = write("open.conf", "s3_secret_access_key = hunter2\n", 0644);
  const std::string message = error({"--config", open_file});
  EXPECT_EQ(message, open_file + " holds a secret (s3_secret_access_key) and every user of this machine may read it; "
                                 "make it unreadable to others (chmod o-r " + open_file + ")");
  EXPECT_EQ(message.find("hunter2"), std::string::npos);
  const std::string uri = write("uri.conf", "db = postgresql://carechat:pw@db.example/carechat\n", 0604);
  EXPECT_NE(error({"--config", uri}).find("holds a secret (db)"), std::string::npos);
  // Without a secret a readable file is fine, and a secret in a 0640 file too.
  EXPECT_EQ(error({"--config", write("plain.conf", "db = postgresql://carechat@db.example/carechat\n", 0644)}),
            "(accepted)");
  EXPECT_EQ(error({"--config", write("closed.conf", "s3_secret_access_key = hunter2\n", 0640)}), "(accepted)");
}

TEST_F(config_loading, values_are_parsed_into_their_fields) {
  const std::string file = write("c.conf",
                                 "attachment_store = s3\n"
                                 "attachment_max_bytes = 1048576\n"
                                 "attachment_types = application/pdf,image/png\n"
                                 "idle_timeout_ms = 5000\n"
                                 "event_retention_hours = 48\n"
                                 "page_cache_ms = 0\n"
                                 "allowed_origins = https://a.example, https://b.example\n"
                                 "public_url = https://chat.example.org/\n"
                                 "webhooks = 0\n"
                                 "listen = [::1]:8443\n");
  auto r = load({"--config", file});
  ASSERT_TRUE(r.has_value()) << r.error().message;
  const config& c = r->values;
  EXPECT_EQ(c.attachments.backend, blob_backend::s3);
  EXPECT_EQ(c.attachments.limits.max_bytes, 1048576u);
  EXPECT_EQ(c.attachments.allowed_types, (std::vector<std::string>{"application/pdf", "image/png"}));
  EXPECT_EQ(c.idle_timeout, std::chrono::milliseconds(5000));
  EXPECT_EQ(c.event_retention, std::chrono::hours(48));
  EXPECT_EQ(c.page_cache_ms, 0u);
  EXPECT_EQ(c.allowed_origins, (std::vector<std::string>{"https://a.example", "https://b.example"}));
  EXPECT_EQ(c.public_url, "https://chat.example.org");
  EXPECT_FALSE(c.webhooks_enabled);
  EXPECT_EQ(c.listen_host, "::1");
  EXPECT_EQ(c.listen_port, 8443);
}

// (from the former attachment_config test) bad attachment values are refused by name.
TEST_F(config_loading, bad_attachment_values_are_refused_by_name) {
  for (auto [name, value] : std::initializer_list<std::pair<const char*, const char*>>{
           {"CARECHAT_ATTACHMENT_STORE", "ftp"},
           {"CARECHAT_ATTACHMENT_MAX_BYTES", "0"},
           {"CARECHAT_ATTACHMENTS_PER_MESSAGE", "65"},
           {"CARECHAT_ATTACHMENT_TYPES", "image/png,pdf"},
           {"CARECHAT_ATTACHMENT_TYPES", "image/png,image/svg+xml"},
           {"CARECHAT_ATTACHMENT_TYPES", "text/html"}}) {
    env.clear();
    env[name] = value;
    const std::string message = error();
    EXPECT_EQ(message.rfind(name, 0), 0u) << name << "=" << value << ": " << message;
  }
}

}  // namespace
}  // namespace carechat::app
