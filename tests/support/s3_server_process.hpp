// The S3-compatible server of the tests that need one (the S3 blob store's unit tests, the
// attachments' integration tests): s3rver from the npm registry (tests/s3-server), started by
// scripts/s3-test-server.sh (which runs npm ci first when the modules are missing) on 127.0.0.1 on
// a free port, in its own process group, its stdin a pipe we hold: closing it (or our death) stops
// the server too. One bucket, "carechat-test"; credentials S3RVER / S3RVER.
// Thread-safety: one owner.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>

namespace carechat::test {

// This header is tests/support/s3_server_process.hpp.
inline std::filesystem::path repo_root() {
  return std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
}

// scripts/s3-test-server.sh as a child in its own process group, its stdin a pipe we hold: closing
// it (or our death) stops the server too.
class s3_server_process {
 public:
  s3_server_process() {
    int in[2], out[2];
    if (::pipe2(in, O_CLOEXEC) != 0 || ::pipe2(out, O_CLOEXEC) != 0) {
      error_ = "pipe failed";
      return;
    }
    const std::string script = (repo_root() / "scripts" / "s3-test-server.sh").string();
    pid_ = ::fork();
    if (pid_ == 0) {
      ::setpgid(0, 0);  // npm ci and node with it: one kill stops them all
      ::dup2(in[0], STDIN_FILENO);
      ::dup2(out[1], STDOUT_FILENO);
      ::execl("/bin/bash", "bash", script.c_str(), static_cast<char*>(nullptr));
      ::_exit(127);
    }
    ::close(in[0]);
    ::close(out[1]);
    stdin_ = in[1];
    port_ = read_port(out[0]);
    ::close(out[0]);
    if (port_ == 0)
      error_ =
          "the S3 test server did not start (its stderr is above): it needs node and npm "
          "(scripts/install-deps.sh) and the npm registry for its first `npm ci` in tests/s3-server; "
          "try: bash scripts/s3-test-server.sh";
  }
  ~s3_server_process() {
    if (stdin_ >= 0) ::close(stdin_);
    if (pid_ > 0) {
      ::kill(-pid_, SIGTERM);
      ::waitpid(pid_, nullptr, 0);
    }
  }
  int port() const { return port_; }
  const std::string& error() const { return error_; }

 private:
  // The first line of stdout; 0 if the child exits or stays silent for 3 minutes (a first npm ci).
  static int read_port(int fd) {
    std::string line;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(180);
    while (line.find('\n') == std::string::npos && std::chrono::steady_clock::now() < deadline) {
      pollfd p{fd, POLLIN, 0};
      if (::poll(&p, 1, 1000) <= 0) continue;
      char buf[64];
      const ssize_t n = ::read(fd, buf, sizeof buf);
      if (n <= 0) return 0;
      line.append(buf, static_cast<std::size_t>(n));
    }
    try {
      return std::stoi(line);
    } catch (...) {
      return 0;
    }
  }
  pid_t pid_ = -1;
  int stdin_ = -1;
  int port_ = 0;
  std::string error_;
};

}  // namespace carechat::test
