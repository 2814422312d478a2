// The real server with a config file: its values take effect, the environment and flags override
// them, a bad line stops the server with the file and line named, and `carechat config show`
// prints the effective values with secrets masked.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "integration/server_process.hpp"
#include "integration/test_database.hpp"

namespace carechat::testing {
namespace {

class config_file_test : public ::testing::Test {
 protected:
  temp_dir dir_;
  test_database database_{dir_.path()};

  std::string write_config(const std::string& text, mode_t mode = 0640) {
    const std::string path = (dir_.path() / "carechat.conf").string();
    std::ofstream(path) << text;
    ::chmod(path.c_str(), mode);
    return path;
  }
  // A request whose declared body is over 1024 bytes and under the 1 MiB default: 413 only when
  // the file's max_body_bytes is in effect.
  static unsigned post_2000_bytes(unsigned short port) {
    http_client client(port);
    return client.request("POST", "/gh/sb-demo/patients/p-1/chat/inbound", std::string(2000, 'x'),
                          {{"Content-Type", "application/json"}})
        .status;
  }
};

TEST_F(config_file_test, serve_takes_its_settings_from_the_file) {
  const std::string file = write_config(
      "# a test's config\n"
      "max_body_bytes = 1024\n"
      "web_root = " + (dir_.path() / "no-web").string() + "\n");
  server_process server(database_.spec(), {}, stderr_mode::capture, 0, {"--config", file});
  http_client client(server.port());
  EXPECT_EQ(client.request("GET", "/healthz").status, 200u);
  EXPECT_EQ(post_2000_bytes(server.port()), 413u);
  EXPECT_TRUE(server.log_says("config file " + file)) << server.log();
}

TEST_F(config_file_test, environment_overrides_the_file_and_CARECHAT_CONFIG_names_it) {
  const std::string file = write_config("max_body_bytes = 1024\n");
  server_process server(database_.spec(), {{"CARECHAT_CONFIG", file}, {"CARECHAT_MAX_BODY_BYTES", "4096"}});
  EXPECT_NE(post_2000_bytes(server.port()), 413u);
  EXPECT_TRUE(server.log_says("config file " + file)) << server.log();
}

TEST_F(config_file_test, a_bad_line_stops_serve_naming_the_file_and_line) {
  const std::string file = write_config("listen = 127.0.0.1:0\n\nreader_threads = many\n");
  const auto r = run_cli({"serve", "--db", database_.spec(), "--config", file});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.err, "carechat serve: " + file + ":3: reader_threads must be a number from 0 to 256\n");
  const std::string typo = write_config("lisen = 127.0.0.1:0\n");
  EXPECT_EQ(run_cli({"serve", "--config", typo}).err,
            "carechat serve: " + typo + ":1: unknown key 'lisen' (did you mean 'listen'?)\n");
  const std::string secret = write_config("s3_secret_access_key = hunter2\n", 0644);
  const auto refused = run_cli({"serve", "--config", secret});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("holds a secret (s3_secret_access_key)"), std::string::npos) << refused.err;
  EXPECT_EQ(refused.err.find("hunter2"), std::string::npos);
}

TEST_F(config_file_test, config_show_prints_effective_values_and_masks_secrets) {
  const std::string file = write_config(
      "listen = 127.0.0.1:9001\n"
      "reader_threads = 6\n"
      "s3_secret_access_key = hunter2\n"
      "db = postgresql://carechat:pw@db.example:5432/carechat?sslmode=require\n");
  const auto r = run_cli({"config", "show", "--config", file, "--listen", "127.0.0.1:9002"},
                         {{"CARECHAT_READER_THREADS", "8"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string& out = r.out;
  EXPECT_NE(out.find("# carechat settings: defaults < " + file + " < environment < flags\n"), std::string::npos) << out;
  EXPECT_NE(out.find("listen = 127.0.0.1:9002"), std::string::npos) << out;
  EXPECT_NE(out.find("# flag --listen\n"), std::string::npos) << out;
  EXPECT_NE(out.find("reader_threads = 8"), std::string::npos) << out;
  EXPECT_NE(out.find("# environment CARECHAT_READER_THREADS\n"), std::string::npos) << out;
  EXPECT_NE(out.find("s3_secret_access_key = ****"), std::string::npos) << out;
  EXPECT_NE(out.find("# file " + file + ":3\n"), std::string::npos) << out;
  EXPECT_NE(out.find("db = postgresql://db.example:5432/carechat"), std::string::npos) << out;
  EXPECT_NE(out.find("page_limit = 20"), std::string::npos) << out;
  EXPECT_NE(out.find("# default\n"), std::string::npos) << out;
  EXPECT_NE(out.find("# clamd_socket is unset (default: none)\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("hunter2"), std::string::npos) << out;
  EXPECT_EQ(out.find("pw@"), std::string::npos) << out;
  // Its refusals are the server's.
  const auto bad = run_cli({"config", "show", "--config", write_config("page_cache_ms = -1\n")});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("carechat.conf:1: page_cache_ms must be a number from 0 to 60000"), std::string::npos)
      << bad.err;
}

TEST_F(config_file_test, version_prints_the_project_version) {
  const auto r = run_cli({"--version"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out.rfind("carechat 0.", 0), 0u) << r.out;
}

}  // namespace
}  // namespace carechat::testing
