#include "integration/webhook_receiver.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <algorithm>
#include <future>
#include <random>
#include <stdexcept>
#include <sstream>

namespace carechat::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

webhook_receiver::webhook_receiver() {
  listen();
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(ioc_);
    ioc_.run();
  });
}

webhook_receiver::webhook_receiver(const tls_identity& tls)
    : tls_(std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server)) {
  tls_->use_certificate_chain_file(tls.cert_chain_file);
  tls_->use_private_key_file(tls.key_file, asio::ssl::context::pem);
  listen();
  thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(ioc_);
    ioc_.run();
  });
}

webhook_receiver::~webhook_receiver() {
  {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, std::chrono::seconds(10), [&] { return active_ == 0; });
  }
  ioc_.stop();
  if (thread_.joinable()) thread_.join();
}

std::string webhook_receiver::url(const std::string& path) const {
  return (tls_ ? "https://127.0.0.1:" : "http://127.0.0.1:") + std::to_string(port_) + path;
}

// The port is picked below the ephemeral range (32768+ on Linux), so that while the receiver is
// down no outgoing connection can take it as its local port and block coming back up.
void webhook_receiver::listen() {
  static std::mt19937 pick(std::random_device{}());
  for (int attempt = 0; attempt < 200; ++attempt) {
    const unsigned short port =
        port_ != 0 ? port_ : static_cast<unsigned short>(std::uniform_int_distribution<int>(20000, 32000)(pick));
    auto acc = std::make_unique<tcp::acceptor>(ioc_);
    const tcp::endpoint ep{asio::ip::make_address("127.0.0.1"), port};
    beast::error_code ec;
    acc->open(ep.protocol(), ec);
    // The tests fork the server while we listen: the child must not inherit (and keep open) our
    // socket, or "down" would not refuse connections and "up" could not bind again.
    if (!ec) ::fcntl(acc->native_handle(), F_SETFD, FD_CLOEXEC);
    if (!ec) acc->set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec) acc->bind(ep, ec);
    if (!ec) acc->listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      if (port_ != 0) std::this_thread::sleep_for(std::chrono::milliseconds(20));  // same port: wait and retry
      continue;
    }
    acceptor_ = std::move(acc);
    port_ = port;
    accept_one();
    return;
  }
  throw std::runtime_error("webhook_receiver: cannot listen");
}

void webhook_receiver::accept_one() {
  auto socket = std::make_shared<tcp::socket>(ioc_);
  tcp::acceptor* acc = acceptor_.get();
  acc->async_accept(*socket, [this, socket, acc](beast::error_code ec) {
    if (ec || acc != acceptor_.get() || !acc->is_open()) return;
    ::fcntl(socket->native_handle(), F_SETFD, FD_CLOEXEC);
    serve(socket);
    accept_one();
  });
}

void webhook_receiver::serve(std::shared_ptr<tcp::socket> socket) {
  // One request per connection (the sender says Connection: close); served on a helper thread so
  // a delay does not hold up other connections.
  {
    std::lock_guard lock(mutex_);
    ++active_;
  }
  std::thread([this, socket]() mutable {
    struct leave {
      webhook_receiver* self;
      ~leave() {
        // Notify under the lock: once it is released the receiver may be destroyed.
        std::lock_guard lock(self->mutex_);
        --self->active_;
        self->changed_.notify_all();
      }
    } on_exit{this};
    // Declared after on_exit, so the socket is closed before the count drops: the destructor may
    // tear down the io_context as soon as it sees no active connection.
    const std::shared_ptr<tcp::socket> conn = std::move(socket);
    if (!tls_) {
      exchange(*conn);
    } else {
      asio::ssl::stream<tcp::socket&> stream(*conn, *tls_);
      beast::error_code ec;
      stream.handshake(asio::ssl::stream_base::server, ec);
      if (!ec) exchange(stream);
    }
    beast::error_code ec;
    conn->shutdown(tcp::socket::shutdown_both, ec);
  }).detach();
}

// Reads one request, answers it as scripted and records it.
template <class Stream>
void webhook_receiver::exchange(Stream& stream) {
  beast::flat_buffer buf;
  http::request<http::string_body> req;
  beast::error_code ec;
  http::read(stream, buf, req, ec);
  if (ec) return;
  received_webhook r;
  r.method = std::string(req.method_string());
  r.target = std::string(req.target());
  for (const auto& f : req) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    r.headers[name] = std::string(f.value());
  }
  r.body = req.body();
  r.at = std::chrono::steady_clock::now();
  std::chrono::milliseconds delay;
  std::string retry_after, body, content_type;
  {
    std::lock_guard lock(mutex_);
    r.arrival = arrivals_++;
    if (!script_.empty()) {
      r.answered = script_.front();
      script_.pop_front();
    } else {
      r.answered = default_status_;
    }
    delay = delay_;
    retry_after = retry_after_;
    body = body_;
    content_type = content_type_;
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  http::response<http::string_body> res{static_cast<http::status>(r.answered), 11};
  res.set(http::field::content_type, content_type);
  if (!retry_after.empty() && (r.answered < 200 || r.answered >= 300)) res.set(http::field::retry_after, retry_after);
  res.body() = body;
  res.keep_alive(false);
  res.prepare_payload();
  http::write(stream, res, ec);
  {
    // Recorded once answered, in the order the requests arrived: a thread that answered request 1
    // may record it after another thread answered request 2, which the server could only send once
    // it had the answer to 1 (webhooks of one endpoint go out one at a time, in log order).
    std::lock_guard lock(mutex_);
    const auto later = std::upper_bound(requests_.begin(), requests_.end(), r.arrival,
                                        [](std::uint64_t a, const received_webhook& w) { return a < w.arrival; });
    requests_.insert(later, std::move(r));
  }
  changed_.notify_all();
}

void webhook_receiver::script(std::vector<int> statuses) {
  std::lock_guard lock(mutex_);
  script_.assign(statuses.begin(), statuses.end());
}
void webhook_receiver::set_body(std::string body, std::string content_type) {
  std::lock_guard lock(mutex_);
  body_ = std::move(body);
  content_type_ = std::move(content_type);
}
void webhook_receiver::set_default_status(int status) {
  std::lock_guard lock(mutex_);
  default_status_ = status;
}
void webhook_receiver::set_retry_after(std::string value) {
  std::lock_guard lock(mutex_);
  retry_after_ = std::move(value);
}
void webhook_receiver::set_delay(std::chrono::milliseconds d) {
  std::lock_guard lock(mutex_);
  delay_ = d;
}

void webhook_receiver::down() {
  std::promise<void> done;
  asio::post(ioc_, [&] {
    beast::error_code ec;
    acceptor_->close(ec);
    acceptor_.reset();
    done.set_value();
  });
  done.get_future().wait();
}

void webhook_receiver::up() {
  std::promise<void> done;
  asio::post(ioc_, [&] {
    listen();
    done.set_value();
  });
  done.get_future().wait();
}

std::vector<received_webhook> webhook_receiver::requests() const {
  std::lock_guard lock(mutex_);
  return requests_;
}

std::vector<received_webhook> webhook_receiver::delivered() const {
  std::vector<received_webhook> out;
  for (auto& r : requests())
    if (r.answered >= 200 && r.answered < 300) out.push_back(r);
  return out;
}

bool webhook_receiver::wait_until(const std::function<bool(const std::vector<received_webhook>&)>& pred,
                                  std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  return changed_.wait_for(lock, timeout, [&] { return pred(requests_); });
}

bool verify_standard_webhook(const std::string& secret, const std::string& id, const std::string& timestamp,
                             const std::string& body, const std::string& signature_header) {
  if (secret.rfind("whsec_", 0) != 0) return false;
  const std::string b64 = secret.substr(6);
  std::vector<unsigned char> key(b64.size() + 3);
  const int n = EVP_DecodeBlock(key.data(), reinterpret_cast<const unsigned char*>(b64.data()), static_cast<int>(b64.size()));
  if (n < 0) return false;
  std::size_t pad = 0;
  for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it) ++pad;
  key.resize(static_cast<std::size_t>(n) - pad);
  const std::string content = id + "." + timestamp + "." + body;
  unsigned char mac[EVP_MAX_MD_SIZE];
  unsigned int mac_len = 0;
  HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()), reinterpret_cast<const unsigned char*>(content.data()),
       content.size(), mac, &mac_len);
  std::string expected(4 * ((mac_len + 2) / 3), '\0');
  EVP_EncodeBlock(reinterpret_cast<unsigned char*>(expected.data()), mac, static_cast<int>(mac_len));
  std::istringstream sigs(signature_header);
  std::string one;
  while (sigs >> one) {
    if (one.rfind("v1,", 0) != 0) continue;
    const std::string got = one.substr(3);
    if (got.size() == expected.size() && CRYPTO_memcmp(got.data(), expected.data(), got.size()) == 0) return true;
  }
  return false;
}

}  // namespace carechat::testing
