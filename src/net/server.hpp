// The HTTP server: an io_context run by N I/O threads, one acceptor, one coroutine per connection
// on its own strand. Stops gracefully: no new connections, idle ones closed, in-flight requests
// finish (up to a grace period). Thread-safety: listen() and run() from one thread; stop() from any.
#pragma once

#include <functional>
#include <vector>

#include <chrono>
#include <cstdint>
#include <string>

#include <memory>

#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>

#include "core/result.hpp"
#include "net/asio.hpp"
#include "net/connection_registry.hpp"
#include "net/http_options.hpp"
#include "net/services.hpp"

namespace carechat::net {

class server {
 public:
  server(services& svc, http_options opts);

  // Binds and listens; port 0 picks a free port. Returns the bound endpoint.
  core::result<tcp::endpoint> listen(const std::string& host, std::uint16_t port);

  // Serves on `io_threads` threads until stop() (or SIGINT/SIGTERM when handle_signals), then
  // returns once in-flight requests have finished or `grace` has passed.
  void run(unsigned io_threads, bool handle_signals, std::chrono::milliseconds grace);

  void stop();

  // The io_context the server runs, for companions such as the webhook worker.
  asio::io_context& context() { return ioc_; }
  // Runs `f` on an I/O thread when the server starts stopping (signal or stop()); before run().
  void on_stop(std::function<void()> f) { stop_hooks_.push_back(std::move(f)); }

 private:
  asio::awaitable<void> accept_loop();
  void begin_stop();
  void watch_drain(std::chrono::steady_clock::time_point deadline);

  services& svc_;
  http_options opts_;
  asio::io_context ioc_;
  tcp::acceptor acceptor_;
  connection_registry registry_;
  std::chrono::milliseconds grace_{10'000};
  std::unique_ptr<asio::steady_timer> drain_timer_;
  std::unique_ptr<asio::signal_set> signals_;
  std::vector<std::function<void()>> stop_hooks_;
};

}  // namespace carechat::net
