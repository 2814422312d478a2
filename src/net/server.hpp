// The HTTP server: one io_context per I/O thread (the nginx worker model), one acceptor handing
// each new connection to the next thread in turn, one coroutine per connection that runs on its
// thread's io_context from start to end. A connection's work therefore never hops between threads
// (no strand, no cross-thread wake-up, no any_executor holding a shared strand), and a
// single-threaded io_context is its connection's implicit strand: anything else that touches a
// connection posts to its executor. Stops gracefully: no new connections, idle ones closed,
// in-flight requests finish (up to a grace period). With TLS credentials every connection is HTTPS
// (the handshake runs on the connection's own I/O thread), and SIGHUP reloads the certificate.
// Thread-safety: listen() and run() from one thread; stop() from any.
#pragma once

#include <functional>
#include <vector>

#include <chrono>
#include <cstdint>
#include <string>

#include <memory>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/result.hpp"
#include "net/asio.hpp"
#include "net/connection_registry.hpp"
#include "net/http_options.hpp"
#include "net/services.hpp"
#include "net/tls_credentials.hpp"

namespace carechat::net {

class server {
 public:
  // `tls`: serve HTTPS with these credentials (outlive the server); nullptr: plain HTTP.
  server(services& svc, http_options opts, tls_credentials* tls = nullptr);

  // Binds and listens; port 0 picks a free port. Returns the bound endpoint.
  core::result<tcp::endpoint> listen(const std::string& host, std::uint16_t port);

  // Serves on `io_threads` threads until stop() (or SIGINT/SIGTERM when handle_signals), then
  // returns once in-flight requests have finished or `grace` has passed. With TLS and
  // handle_signals, SIGHUP reloads the certificate and key (on the blocking pool; a bad pair is
  // logged and the current one kept); without TLS SIGHUP is left alone.
  void run(unsigned io_threads, bool handle_signals, std::chrono::milliseconds grace);

  void stop();

  // Open HTTP connections (live ones included), for /metrics; takes the registry's lock.
  std::size_t connections() const { return registry_.size(); }

  // The first I/O thread's io_context (the one run() runs on the calling thread), for companions
  // such as the webhook worker.
  asio::io_context& context() { return ioc_; }
  // Runs `f` on an I/O thread when the server starts stopping (signal or stop()); before run().
  void on_stop(std::function<void()> f) { stop_hooks_.push_back(std::move(f)); }

 private:
  asio::awaitable<void> accept_loop();
  asio::io_context& next_context();
  void begin_stop();
  void watch_drain(std::chrono::steady_clock::time_point deadline);
  void watch_reload();

  tls_credentials* tls_;  // nullptr: plain HTTP
  services& svc_;
  http_options opts_;
  asio::io_context ioc_{1};  // the acceptor, signals and stop run here; connections too
  // The other I/O threads' contexts, made by run(); each kept running by a work guard until stop.
  std::vector<std::unique_ptr<asio::io_context>> others_;
  std::vector<asio::executor_work_guard<asio::io_context::executor_type>> keep_running_;
  std::size_t next_context_ = 0;  // round-robin over ioc_ and others_; accept loop only
  tcp::acceptor acceptor_;
  connection_registry registry_;
  std::chrono::milliseconds grace_{10'000};
  std::unique_ptr<asio::steady_timer> drain_timer_;
  std::unique_ptr<asio::signal_set> signals_;
  std::unique_ptr<asio::signal_set> reload_signal_;  // SIGHUP, with TLS only
  std::vector<std::function<void()>> stop_hooks_;
};

}  // namespace carechat::net
