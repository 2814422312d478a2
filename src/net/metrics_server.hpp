// The /metrics listener (--metrics-listen, CARECHAT_METRICS_LISTEN): a second, small HTTP server
// on an address of its own, so the scrape endpoint never shares the public listener and needs no
// secret (bind it to loopback or a private interface the scraper reaches). One thread, one
// io_context; a scrape renders the registry on that thread (collectors may read the database
// briefly), never on the API's I/O threads.
//   GET|HEAD /metrics   200, Prometheus text format 0.0.4
//   other paths         404; other methods 405 (Allow: GET, HEAD); a request body 413;
//   headers past 8 KiB  431; a malformed request 400; at most 16 connections, 10 s per request.
// Thread-safety: start() and stop() from one thread; the registry must outlive stop().
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <thread>

#include "core/metrics.hpp"
#include "core/result.hpp"
#include "net/asio.hpp"

namespace carechat::net {

class metrics_server {
 public:
  explicit metrics_server(const core::metrics::registry& reg);
  ~metrics_server();  // stop()
  metrics_server(const metrics_server&) = delete;
  metrics_server& operator=(const metrics_server&) = delete;

  // Binds (port 0: a free one) and starts serving on a thread of its own.
  core::result<tcp::endpoint> start(const std::string& host, std::uint16_t port);
  void stop();

 private:
  asio::awaitable<void> accept_loop();
  asio::awaitable<void> session(tcp::socket socket);

  const core::metrics::registry& registry_;
  asio::io_context ioc_{1};
  tcp::acceptor acceptor_;
  std::atomic<int> connections_{0};  // metrics thread only, atomic for clarity
  std::thread thread_;
};

}  // namespace carechat::net
