// A real HTTP receiver for webhook tests: a Beast server on a loopback port, run by its own thread,
// plain HTTP or, given a certificate and key, HTTPS (OpenSSL, as any receiver would run it),
// that records every request and answers as scripted (statuses in turn, then a default; optional
// Retry-After and delay); it can be taken down (stops listening) and brought back on the same port.
// Thread-safety: every member may be called from the test thread while the receiver runs.
#pragma once

#include <chrono>
#include <cstdint>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

namespace carechat::testing {

struct received_webhook {
  std::string method;
  std::string target;
  std::map<std::string, std::string> headers;  // lower-case names
  std::string body;
  int answered = 0;  // the status we answered
  std::chrono::steady_clock::time_point at;
  std::uint64_t arrival = 0;  // the order requests were read in (requests() is in this order)
};

// The receiver's TLS identity: PEM files of its certificate chain and private key.
struct tls_identity {
  std::string cert_chain_file;
  std::string key_file;
};

class webhook_receiver {
 public:
  webhook_receiver();
  explicit webhook_receiver(const tls_identity& tls);
  ~webhook_receiver();
  webhook_receiver(const webhook_receiver&) = delete;
  webhook_receiver& operator=(const webhook_receiver&) = delete;

  unsigned short port() const { return port_; }
  std::string url(const std::string& path = "/hooks/carechat") const;

  // The next requests get these statuses, in turn; then `default_status`.
  void script(std::vector<int> statuses);
  void set_default_status(int status);
  void set_retry_after(std::string value);  // sent with every non-2xx answer ("" = none)
  // What every answer carries (default "ok", text/plain): e.g. a JSON document the server fetches.
  void set_body(std::string body, std::string content_type);
  void set_delay(std::chrono::milliseconds d);

  // Down: the port refuses connections. Up: listening again on the same port.
  void down();
  void up();

  std::vector<received_webhook> requests() const;
  // The requests we answered 2xx.
  std::vector<received_webhook> delivered() const;
  // Waits until pred(requests()) or the timeout; returns pred's last value.
  bool wait_until(const std::function<bool(const std::vector<received_webhook>&)>& pred,
                  std::chrono::milliseconds timeout) const;

 private:
  void listen();
  void accept_one();
  void serve(std::shared_ptr<boost::asio::ip::tcp::socket> socket);
  template <class Stream>
  void exchange(Stream& stream);

  std::unique_ptr<boost::asio::ssl::context> tls_;  // null: plain HTTP
  boost::asio::io_context ioc_;
  std::unique_ptr<boost::asio::ip::tcp::acceptor> acceptor_;
  unsigned short port_ = 0;
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  std::deque<int> script_;
  int default_status_ = 200;
  std::string retry_after_;
  std::string body_ = "ok";
  std::string content_type_ = "text/plain";
  std::chrono::milliseconds delay_{0};
  std::vector<received_webhook> requests_;  // by arrival
  std::uint64_t arrivals_ = 0;
  int active_ = 0;  // connections being served (guarded by mutex_)
  std::thread thread_;
};

// Standard Webhooks verification, done independently of carechat (OpenSSL directly): true when one
// of the space-separated v1 signatures is HMAC-SHA256(key, id.timestamp.body) for the secret.
bool verify_standard_webhook(const std::string& secret, const std::string& id, const std::string& timestamp,
                             const std::string& body, const std::string& signature_header);

}  // namespace carechat::testing
