#include "net/metrics_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>

#include "core/log.hpp"

namespace carechat::net {
namespace {

constexpr int max_connections = 16;
constexpr std::uint32_t max_header_bytes = 8 * 1024;
constexpr auto request_timeout = std::chrono::seconds(10);

http::response<http::string_body> plain(unsigned version, http::status status, std::string_view text) {
  http::response<http::string_body> res{status, version};
  res.set(http::field::server, "carechat");
  res.set(http::field::content_type, "text/plain; charset=utf-8");
  res.set(http::field::cache_control, "no-store");
  res.body() = std::string(text) + "\n";
  res.keep_alive(false);
  res.prepare_payload();
  return res;
}

}  // namespace

metrics_server::metrics_server(const core::metrics::registry& reg) : registry_(reg), acceptor_(ioc_) {}

metrics_server::~metrics_server() { stop(); }

core::result<tcp::endpoint> metrics_server::start(const std::string& host, std::uint16_t port) {
  beast::error_code ec;
  const auto address = asio::ip::make_address(host, ec);
  if (ec) return core::make_error(core::errc::bad_request, "metrics listen address is not an IP address: " + host);
  const tcp::endpoint ep{address, port};
  acceptor_.open(ep.protocol(), ec);
  if (!ec) acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) acceptor_.bind(ep, ec);
  if (!ec) acceptor_.listen(asio::socket_base::max_listen_connections, ec);
  if (ec)
    return core::make_error(core::errc::unavailable,
                            "cannot listen for metrics on " + host + ":" + std::to_string(port) + ": " + ec.message());
  const auto bound = acceptor_.local_endpoint();
  asio::co_spawn(ioc_, accept_loop(), asio::detached);
  thread_ = std::thread([this] { ioc_.run(); });
  return bound;
}

void metrics_server::stop() {
  if (!thread_.joinable()) return;
  asio::post(ioc_, [this] {
    beast::error_code ignored;
    acceptor_.close(ignored);
    ioc_.stop();  // open scrapes are cut: a scraper retries
  });
  thread_.join();
}

asio::awaitable<void> metrics_server::accept_loop() {
  for (;;) {
    auto [ec, socket] = co_await acceptor_.async_accept(use_tuple);
    if (ec == asio::error::operation_aborted || !acceptor_.is_open()) co_return;
    if (ec) {
      asio::steady_timer pause(ioc_, std::chrono::milliseconds(50));
      co_await pause.async_wait(use_tuple);
      continue;
    }
    if (connections_.load() >= max_connections) {
      beast::error_code ignored;
      socket.close(ignored);
      continue;
    }
    asio::co_spawn(ioc_, session(std::move(socket)), asio::detached);
  }
}

asio::awaitable<void> metrics_server::session(tcp::socket socket) {
  connections_.fetch_add(1);
  struct release {
    std::atomic<int>& n;
    ~release() { n.fetch_sub(1); }
  } guard{connections_};
  beast::tcp_stream stream(std::move(socket));
  beast::flat_buffer buffer;
  for (;;) {
    http::request_parser<http::string_body> parser;
    parser.header_limit(max_header_bytes);
    parser.body_limit(0);  // a scrape has no body
    stream.expires_after(request_timeout);
    auto [ec, n] = co_await http::async_read(stream, buffer, parser, use_tuple);
    std::optional<http::response<http::string_body>> res;
    const auto& req = parser.get();
    const unsigned version = req.version() == 10 ? 10 : 11;
    if (ec == http::error::header_limit) {
      res = plain(version, http::status::request_header_fields_too_large, "request headers are too large");
    } else if (ec == http::error::body_limit) {
      res = plain(version, http::status::payload_too_large, "a scrape has no body");
    } else if (ec == http::error::bad_version) {
      res = plain(11, http::status::http_version_not_supported, "only HTTP/1.0 and HTTP/1.1 are served");
    } else if (ec && ec.category() == http::make_error_code(http::error::bad_target).category() &&
               ec != http::error::end_of_stream && ec != http::error::partial_message) {
      res = plain(11, http::status::bad_request, "malformed request");
    } else if (ec) {
      break;  // closed, timed out or stopped: nothing to answer
    } else {
      const std::string_view target = req.target();
      const auto path = target.substr(0, target.find('?'));
      if (path != "/metrics") {
        res = plain(version, http::status::not_found, "not found: the metrics are at /metrics");
      } else if (req.method() != http::verb::get && req.method() != http::verb::head) {
        res = plain(version, http::status::method_not_allowed, "use GET");
        res->set(http::field::allow, "GET, HEAD");
      } else {
        res.emplace(http::status::ok, version);
        res->set(http::field::server, "carechat");
        res->set(http::field::content_type, core::metrics::content_type);
        res->set(http::field::cache_control, "no-store");
        res->body() = registry_.render();
        res->keep_alive(req.keep_alive());
        res->prepare_payload();
        if (req.method() == http::verb::head) res->body().clear();  // Content-Length stays the GET's
      }
    }
    const bool keep = res->keep_alive();
    auto [wec, wn] = co_await http::async_write(stream, *res, use_tuple);
    if (wec || !keep) break;
  }
  beast::error_code ignored;
  stream.socket().shutdown(tcp::socket::shutdown_send, ignored);
  stream.socket().close(ignored);
}

}  // namespace carechat::net
