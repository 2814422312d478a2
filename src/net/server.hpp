// The HTTP server: an io_context run by N I/O threads, one acceptor, one coroutine per connection
// on its own strand. Stops gracefully: no new connections, idle ones closed, in-flight requests
// finish (up to a grace period). Thread-safety: listen() and run() from one thread; stop() from any.
#pragma once

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
};

}  // namespace carechat::net
