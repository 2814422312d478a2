// Test harness: runs the real `carechat` binary as a child process on a free loopback port, and
// mints tokens with the real CLI. Thread-safety: one fixture per test; the client is per thread;
// a server_process may be stopped from one thread while clients on others talk to it.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

// What happens to the server's stderr. `capture` drains it (and stdout) into log(); `reader_closed`
// closes the read end of its pipe, as when a log collector dies, to prove a log line cannot kill
// the server (SIGPIPE).
enum class stderr_mode { capture, reader_closed };

class server_process {
 public:
  // Starts `carechat serve --db db --listen 127.0.0.1:PORT` and waits for its "listening" line.
  // `db` is what --db takes (an SQLite path or a PostgreSQL URI); port 0 picks a free one (a node
  // restarted behind a load balancer is given its old one).
  // `extra_args` follow them on the command line (e.g. --config FILE).
  explicit server_process(std::string db, std::map<std::string, std::string> env = {},
                          stderr_mode mode = stderr_mode::capture, unsigned short port = 0,
                          std::vector<std::string> extra_args = {});
  ~server_process();  // SIGTERM, then wait
  server_process(const server_process&) = delete;
  server_process& operator=(const server_process&) = delete;

  unsigned short port() const { return port_; }
  pid_t pid() const { return pid_; }
  // Sends SIGTERM (graceful) and returns the exit status (128 + signal if killed by one).
  int stop();
  // SIGKILL: a crash, nothing flushed by the process itself.
  void kill_hard();
  // True while the child has not exited (reaps it if it has).
  bool alive();
  // Everything the server wrote to stdout and stderr so far (capture mode).
  std::string log() const;
  // Waits until log() holds `needle` (a reader thread drains the pipes, so a line written just
  // before an answer may reach log() just after it); false after `within`.
  bool log_says(const std::string& needle, std::chrono::milliseconds within = std::chrono::seconds(5)) const;

 private:
  int wait_exit(int sig);
  void join_drain();

  pid_t pid_ = -1;
  unsigned short port_ = 0;
  int stdout_fd_ = -1;
  int stderr_fd_ = -1;
  int exit_status_ = -1;
  mutable std::mutex log_mutex_;
  std::string log_;
  std::thread drain_;
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

// One raw TCP connection to the server, for what a well-behaved client never sends: bytes the
// HTTP library would refuse, headers without their body, chunked uploads. Blocking, one thread
// may send while another reads.
class raw_connection {
 public:
  explicit raw_connection(unsigned short port);
  ~raw_connection();
  raw_connection(const raw_connection&) = delete;
  raw_connection& operator=(const raw_connection&) = delete;

  // False once the peer has closed or reset the connection.
  bool send(const std::string& bytes);
  // Reads one response (headers, then a Content-Length body) or whatever arrived before the
  // peer closed; nullopt when no complete status line and header block came within `timeout`.
  std::optional<http_result> read_response(std::chrono::milliseconds timeout);
  // True when the peer closed (EOF or reset) within `timeout`.
  bool closed_by_peer(std::chrono::milliseconds timeout);

 private:
  int fd_ = -1;
  std::string pending_;
};

std::string url_encode(const std::string& s);

}  // namespace carechat::testing
