#include "integration/server_process.hpp"

#include "core/text.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/version.hpp>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <random>
#include <stdexcept>
#include <thread>

namespace carechat::testing {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;

// fork+exec with stdout (and optionally stderr) captured through pipes.
pid_t spawn(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, int* out_fd,
            int* err_fd) {
  int out[2], err[2];
  if (pipe(out) != 0 || pipe(err) != 0) throw std::runtime_error("pipe failed");
  const pid_t pid = fork();
  if (pid < 0) throw std::runtime_error("fork failed");
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    dup2(err[1], STDERR_FILENO);
    close(out[0]);
    close(out[1]);
    close(err[0]);
    close(err[1]);
    for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
    std::vector<char*> argv;
    std::string bin = CARECHAT_BINARY;
    argv.push_back(bin.data());
    std::vector<std::string> copy = args;
    for (auto& a : copy) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(bin.c_str(), argv.data());
    _exit(127);
  }
  close(out[1]);
  close(err[1]);
  *out_fd = out[0];
  if (err_fd) {
    *err_fd = err[0];
  } else {
    close(err[0]);
  }
  return pid;
}

std::string read_all(int fd) {
  std::string s;
  std::array<char, 4096> buf;
  for (;;) {
    const ssize_t n = read(fd, buf.data(), buf.size());
    if (n <= 0) break;
    s.append(buf.data(), static_cast<std::size_t>(n));
  }
  return s;
}

}  // namespace

temp_dir::temp_dir() {
  std::random_device rd;
  path_ = std::filesystem::temp_directory_path() / ("carechat-test-" + std::to_string(rd()) + std::to_string(getpid()));
  std::filesystem::create_directories(path_);
}

temp_dir::~temp_dir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

cli_result run_cli(const std::vector<std::string>& args, const std::map<std::string, std::string>& env) {
  int out_fd = -1, err_fd = -1;
  const pid_t pid = spawn(args, env, &out_fd, &err_fd);
  cli_result r;
  std::thread err_reader([&] { r.err = read_all(err_fd); });
  r.out = read_all(out_fd);
  err_reader.join();
  close(out_fd);
  close(err_fd);
  int status = 0;
  waitpid(pid, &status, 0);
  r.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

server_process::server_process(std::string db, std::map<std::string, std::string> env, stderr_mode mode,
                               unsigned short port, std::vector<std::string> extra_args) {
  std::vector<std::string> args{"serve", "--db", db, "--listen", "127.0.0.1:" + std::to_string(port)};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  pid_ = spawn(args, env, &stdout_fd_, &stderr_fd_);
  if (mode == stderr_mode::reader_closed) {
    close(stderr_fd_);
    stderr_fd_ = -1;
  }
  // Wait for "carechat listening on http://127.0.0.1:PORT"; keep stderr for the failure message.
  std::string seen, errors;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (std::chrono::steady_clock::now() < deadline) {
    pollfd p[2] = {{stdout_fd_, POLLIN, 0}, {stderr_fd_, POLLIN, 0}};
    if (poll(p, stderr_fd_ >= 0 ? 2 : 1, 100) <= 0) continue;
    char buf[4096];
    if (stderr_fd_ >= 0 && (p[1].revents & (POLLIN | POLLHUP))) {
      const ssize_t n = read(stderr_fd_, buf, sizeof buf);
      if (n > 0) {
        errors.append(buf, static_cast<std::size_t>(n));
      } else {
        close(stderr_fd_);  // the child closed its stderr: stop polling it
        stderr_fd_ = -1;
      }
    }
    if (!(p[0].revents & (POLLIN | POLLHUP))) continue;
    const ssize_t n = read(stdout_fd_, buf, sizeof buf);
    if (n <= 0) break;
    seen.append(buf, static_cast<std::size_t>(n));
    const auto nl = seen.find('\n');
    if (nl == std::string::npos) continue;
    const auto colon = seen.rfind(':', nl);
    port_ = static_cast<unsigned short>(std::stoi(seen.substr(colon + 1, nl - colon - 1)));
    log_ = errors + seen;
    // Keep draining both pipes: a child writing into a full or unread pipe would block or die.
    drain_ = std::thread([this] {
      int fds[2] = {stdout_fd_, stderr_fd_};
      for (;;) {
        pollfd q[2];
        nfds_t n = 0;
        for (int fd : fds)
          if (fd >= 0) q[n++] = pollfd{fd, POLLIN, 0};
        if (n == 0) return;
        if (poll(q, n, 200) <= 0) continue;
        for (nfds_t i = 0; i < n; ++i) {
          if (!(q[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
          char chunk[4096];
          const ssize_t got = read(q[i].fd, chunk, sizeof chunk);
          if (got <= 0) {
            for (int& fd : fds)
              if (fd == q[i].fd) fd = -1;
            continue;
          }
          std::lock_guard lock(log_mutex_);
          log_.append(chunk, static_cast<std::size_t>(got));
        }
      }
    });
    return;
  }
  kill_hard();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (stderr_fd_ >= 0) close(stderr_fd_);
  throw std::runtime_error("carechat did not start; stdout: " + seen + " stderr: " + errors);
}

server_process::~server_process() {
  if (pid_ > 0) stop();
  join_drain();
  if (stdout_fd_ >= 0) close(stdout_fd_);
  if (stderr_fd_ >= 0) close(stderr_fd_);
}

void server_process::join_drain() {
  if (drain_.joinable()) drain_.join();
}

int server_process::wait_exit(int sig) {
  if (pid_ <= 0) return exit_status_;
  kill(pid_, sig);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  join_drain();  // the pipes reach EOF once the process is gone
  return exit_status_;
}

int server_process::stop() { return wait_exit(SIGTERM); }

void server_process::kill_hard() { wait_exit(SIGKILL); }

bool server_process::alive() {
  if (pid_ <= 0) return false;
  int status = 0;
  if (waitpid(pid_, &status, WNOHANG) == 0) return true;
  pid_ = -1;
  exit_status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return false;
}

std::string server_process::log() const {
  std::lock_guard lock(log_mutex_);
  return log_;
}

bool server_process::log_says(const std::string& needle, std::chrono::milliseconds within) const {
  const auto deadline = std::chrono::steady_clock::now() + within;
  for (;;) {
    if (log().find(needle) != std::string::npos) return true;
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

struct http_client::impl {
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;
  unsigned short port;

  void connect() {
    stream.emplace(ioc);
    stream->connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
    buffer.clear();
  }
};

http_client::http_client(unsigned short port) : impl_(new impl) { impl_->port = port; }
http_client::~http_client() {
  if (impl_->stream) {
    beast::error_code ec;
    impl_->stream->socket().shutdown(asio::ip::tcp::socket::shutdown_both, ec);
  }
  delete impl_;
}

http_result http_client::request(const std::string& method, const std::string& target, const std::string& body,
                                 const std::map<std::string, std::string>& headers) {
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!impl_->stream) impl_->connect();
    http::request<http::string_body> req{http::string_to_verb(method), target, 11};
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : headers) req.set(k, v);
    if (!body.empty() || method == "POST") {
      req.body() = body;
      req.prepare_payload();
    }
    beast::error_code ec;
    http::write(*impl_->stream, req, ec);
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (!ec) http::read(*impl_->stream, impl_->buffer, parser, ec);
    if (ec) {
      // The server closed an idle keep-alive connection: reconnect once.
      impl_->stream.reset();
      if (attempt == 0) continue;
      throw std::runtime_error("HTTP request failed: " + ec.message());
    }
    auto res = parser.release();
    http_result r;
    r.status = res.result_int();
    r.body = res.body();
    for (const auto& f : res) {
      std::string name(f.name_string());
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      r.headers[name] = std::string(f.value());
    }
    if (!res.keep_alive()) impl_->stream.reset();
    return r;
  }
  throw std::runtime_error("unreachable");
}

http_result http_client::get(const std::string& target, const std::string& token) {
  return request("GET", target, {}, {{"Authorization", "Bearer " + token}});
}

http_result http_client::post_json(const std::string& target, const std::string& token, const std::string& json,
                                   const std::map<std::string, std::string>& extra) {
  std::map<std::string, std::string> h = extra;
  h.emplace("Authorization", "Bearer " + token);
  h.emplace("Content-Type", "application/json");
  return request("POST", target, json, h);
}

raw_connection::raw_connection(unsigned short port) {
  fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd_ < 0) throw std::runtime_error("socket failed");
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd_);
    throw std::runtime_error("connect failed");
  }
}

raw_connection::~raw_connection() {
  if (fd_ >= 0) ::close(fd_);
}

bool raw_connection::send(const std::string& bytes) {
  std::size_t off = 0;
  while (off < bytes.size()) {
    const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

namespace {

// Reads what is available into `into` until `done(into)` or the deadline; false on EOF/reset.
template <class Done>
bool read_until(int fd, std::string& into, std::chrono::steady_clock::time_point deadline, Done done) {
  while (!done(into)) {
    const auto left =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) return true;
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
    char buf[8192];
    const ssize_t n = ::recv(fd, buf, sizeof buf, 0);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    into.append(buf, static_cast<std::size_t>(n));
  }
  return true;
}

}  // namespace

std::optional<http_result> raw_connection::read_response(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  const auto has_head = [](const std::string& s) { return s.find("\r\n\r\n") != std::string::npos; };
  read_until(fd_, pending_, deadline, has_head);
  const auto head_end = pending_.find("\r\n\r\n");
  if (head_end == std::string::npos || pending_.compare(0, 5, "HTTP/") != 0) return std::nullopt;
  http_result r;
  const std::string head = pending_.substr(0, head_end);
  const auto sp = head.find(' ');
  r.status = static_cast<unsigned>(std::stoul(head.substr(sp + 1, 3)));
  std::size_t line = head.find("\r\n");
  while (line != std::string::npos) {
    const std::size_t start = line + 2;
    const std::size_t next = head.find("\r\n", start);
    const std::string field = head.substr(start, next == std::string::npos ? std::string::npos : next - start);
    const auto colon = field.find(':');
    if (colon != std::string::npos) {
      std::string name = field.substr(0, colon);
      for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      std::string value = field.substr(colon + 1);
      while (!value.empty() && value.front() == ' ') value.erase(0, 1);
      r.headers[name] = value;
    }
    line = next;
  }
  std::size_t length = 0;
  if (auto it = r.headers.find("content-length"); it != r.headers.end()) length = std::stoul(it->second);
  const std::size_t body_start = head_end + 4;
  read_until(fd_, pending_, deadline, [&](const std::string& s) { return s.size() >= body_start + length; });
  r.body = pending_.substr(body_start, length);
  pending_.erase(0, std::min(pending_.size(), body_start + length));
  return r;
}

bool raw_connection::closed_by_peer(std::chrono::milliseconds timeout) {
  std::string ignored;
  return !read_until(fd_, ignored, std::chrono::steady_clock::now() + timeout,
                     [](const std::string&) { return false; });
}

std::string url_encode(const std::string& s) { return core::percent_encode(s, core::is_unreserved); }

}  // namespace carechat::testing
