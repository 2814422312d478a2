#include "integration/haproxy_process.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <thread>

namespace carechat::testing {
namespace {

// Debian's haproxy package puts it here (scripts/install-deps.sh installs it).
constexpr const char* haproxy_binary = "/usr/sbin/haproxy";

// A port the kernel had free a moment ago (haproxy binds it next; a clash makes it exit, and the
// constructor tries another).
unsigned short free_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof addr;
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    if (fd >= 0) close(fd);
    throw std::runtime_error("no free port");
  }
  close(fd);
  return ntohs(addr.sin_port);
}

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void replace_all(std::string& s, const std::string& what, const std::string& with) {
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + with.size()))
    s.replace(at, what.size(), with);
}

}  // namespace

haproxy_process::haproxy_process(const std::vector<unsigned short>& node_ports) {
  const std::string tmpl = read_file(CARECHAT_SOURCE_DIR "/scripts/haproxy.cfg.in");
  if (tmpl.empty()) throw std::runtime_error("scripts/haproxy.cfg.in is missing");
  std::string servers;
  for (std::size_t i = 0; i < node_ports.size(); ++i)
    servers += "  server n" + std::to_string(i + 1) + " 127.0.0.1:" + std::to_string(node_ports[i]) + " check\n";
  const std::string cfg_path = (dir_.path() / "haproxy.cfg").string();
  const std::string log_path = (dir_.path() / "haproxy.log").string();

  for (int attempt = 0; attempt < 5; ++attempt) {
    port_ = free_port();
    config_ = tmpl;
    replace_all(config_, "@LISTEN@", "127.0.0.1:" + std::to_string(port_));
    replace_all(config_, "@STATE_DIR@", dir_.path().string());
    replace_all(config_, "@SERVERS@\n", servers);
    std::ofstream(cfg_path) << config_;

    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      const int log = open(log_path.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
      if (log >= 0) {
        dup2(log, STDOUT_FILENO);
        dup2(log, STDERR_FILENO);
      }
      // -db: stay in the foreground (no daemon), so this process is haproxy itself.
      execl(haproxy_binary, haproxy_binary, "-db", "-f", cfg_path.c_str(), static_cast<char*>(nullptr));
      _exit(127);
    }

    // Ready once a node answers /readyz through it (its health checks need a second or two).
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (std::chrono::steady_clock::now() < deadline) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {  // exited: a port clash, or a bad configuration
        pid_ = -1;
        break;
      }
      try {
        http_client http(port_);
        if (http.request("GET", "/readyz").status == 200) return;
      } catch (const std::exception&) {
        // not listening yet
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  throw std::runtime_error("haproxy did not start; its log:\n" + read_file(log_path) + "\nconfig:\n" + config_);
}

haproxy_process::~haproxy_process() {
  if (pid_ <= 0) return;
  kill(pid_, SIGTERM);  // -db: SIGTERM stops at once
  waitpid(pid_, nullptr, 0);
}

}  // namespace carechat::testing
