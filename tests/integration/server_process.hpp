// Test harness: runs the real `carechat` binary as a child process on a free loopback port, and
// mints tokens with the real CLI. Thread-safety: one fixture per test; the client is per thread.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace carechat::testing {

struct http_result {
  unsigned status = 0;
  std::string body;
  std::map<std::string, std::string> headers;  // lower-case names
};

// A fresh temporary directory, removed on destruction.
class temp_dir {
 public:
  temp_dir();
  ~temp_dir();
  const std::filesystem::path& path() const { return path_; }

 private:
  std::filesystem::path path_;
};

// Runs `carechat <args>` to completion; returns exit code and stdout.
struct cli_result {
  int exit_code = -1;
  std::string out;
  std::string err;
};
cli_result run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env = {});

class server_process {
 public:
  // Starts `carechat serve --db db --listen 127.0.0.1:0` and waits for its "listening" line.
  explicit server_process(std::filesystem::path db, std::map<std::string, std::string> env = {});
  ~server_process();  // SIGTERM, then wait
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM (graceful) and returns the exit status.
  int stop();
  // SIGKILL: a crash, nothing flushed by the process itself.
  void kill_hard();

 private:
  pid_t pid_ = -1;
  unsigned short port_ = 0;
  int stdout_fd_ = -1;
};

// A blocking HTTP/1.1 client over one keep-alive connection (reconnects when needed).
class http_client {
 public:
  explicit http_client(unsigned short port);
  ~http_client();
  http_result request(const std::string& method, const std::string& target, const std::string& body = {},
                      const std::map<std::string, std::string>& headers = {});
  http_result get(const std::string& target, const std::string& token);
  http_result post_json(const std::string& target, const std::string& token, const std::string& json,
                        const std::map<std::string, std::string>& extra = {});

 private:
  struct impl;
  impl* impl_;
};

std::string url_encode(const std::string& s);

}  // namespace carechat::testing
