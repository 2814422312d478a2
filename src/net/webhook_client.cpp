#include "net/webhook_client.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

namespace carechat::net {
namespace {

namespace ssl = boost::asio::ssl;

template <class Stream>
asio::awaitable<webhook_response> exchange(Stream& stream, const webhook_request& r,
                                           std::chrono::steady_clock::time_point deadline) {
  webhook_response out;
  http::request<http::string_body> req{http::verb::post, r.target.target, 11};
  const bool default_port = r.target.port == (r.target.tls ? "443" : "80");
  const bool v6 = r.target.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + r.target.host + "]" : r.target.host;
  req.set(http::field::host, default_port ? host : host + ":" + r.target.port);
  req.set(http::field::user_agent, "carechat-webhooks/1");
  req.set(http::field::content_type, "application/json");
  for (const auto& [name, value] : r.headers) req.set(name, value);
  req.body() = r.body;
  req.keep_alive(false);
  req.prepare_payload();
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [wec, written] = co_await http::async_write(stream, req, use_tuple);
  (void)written;
  if (wec) {
    out.error = "sending the request failed: " + wec.message();
    co_return out;
  }
  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.body_limit(webhook_response_body_limit);
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  (void)read;
  if (parser.is_header_done()) {
    out.status = static_cast<int>(parser.get().result_int());
    if (auto it = parser.get().find(http::field::retry_after); it != parser.get().end())
      out.retry_after = std::string(it->value().substr(0, 64));
  }
  // A body past the limit is cut off: the status is what counts.
  if (rec && rec != http::error::body_limit && out.status == 0) out.error = "reading the response failed: " + rec.message();
  co_return out;
}

}  // namespace

core::result<ssl::context> make_webhook_tls_context(const std::string& extra_ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.set_default_verify_paths();
  ctx.set_verify_mode(ssl::verify_peer);
  ctx.set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                  ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1);
  if (!extra_ca_file.empty()) {
    boost::system::error_code ec;
    ctx.load_verify_file(extra_ca_file, ec);
    if (ec)
      return core::make_error(core::errc::bad_request,
                              "cannot load CA certificates from " + extra_ca_file + ": " + ec.message());
  }
  return ctx;
}

asio::awaitable<webhook_response> post_webhook(const webhook_request& r, const std::vector<tcp::endpoint>& addresses,
                                               ssl::context& tls, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto ex = co_await asio::this_coro::executor;
  webhook_response out;
  beast::tcp_stream stream(ex);
  stream.expires_at(deadline);
  auto [cec, connected] = co_await stream.async_connect(addresses, use_tuple);
  (void)connected;
  if (cec) {
    out.error = cec == beast::error::timeout ? "connect timed out" : "connect failed: " + cec.message();
    co_return out;
  }
  if (!r.target.tls) {
    out = co_await exchange(stream, r, deadline);
    beast::error_code ignored;
    stream.socket().shutdown(tcp::socket::shutdown_both, ignored);
    co_return out;
  }
  beast::ssl_stream<beast::tcp_stream> tls_stream(std::move(stream), tls);
  if (!SSL_set_tlsext_host_name(tls_stream.native_handle(), r.target.host.c_str())) {
    out.error = "TLS: cannot set SNI";
    co_return out;
  }
  tls_stream.set_verify_callback(ssl::host_name_verification(r.target.host));
  beast::get_lowest_layer(tls_stream).expires_at(deadline);
  auto [hec] = co_await tls_stream.async_handshake(ssl::stream_base::client, use_tuple);
  if (hec) {
    out.error = "TLS handshake failed: " + hec.message();
    co_return out;
  }
  out = co_await exchange(tls_stream, r, deadline);
  beast::get_lowest_layer(tls_stream).expires_after(std::chrono::seconds(2));
  (void)co_await tls_stream.async_shutdown(use_tuple);
  co_return out;
}

}  // namespace carechat::net
