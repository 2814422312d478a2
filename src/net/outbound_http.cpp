#include "net/outbound_http.hpp"

#include <openssl/ssl.h>

#include <boost/asio/ssl.hpp>
#include <boost/beast/ssl.hpp>

namespace carechat::net {
namespace {

namespace ssl = boost::asio::ssl;

template <class Stream>
asio::awaitable<outbound_response> exchange(Stream& stream, const outbound_request& r,
                                            std::chrono::steady_clock::time_point deadline) {
  outbound_response out;
  http::request<http::string_body> req{r.method, r.target.target, 11};
  const bool default_port = r.target.port == (r.target.tls ? "443" : "80");
  const bool v6 = r.target.host.find(':') != std::string::npos;
  const std::string host = v6 ? "[" + r.target.host + "]" : r.target.host;
  req.set(http::field::host, default_port ? host : host + ":" + r.target.port);
  req.set(http::field::user_agent, r.user_agent);
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
  parser.body_limit(r.body_limit);
  beast::get_lowest_layer(stream).expires_at(deadline);
  auto [rec, read] = co_await http::async_read(stream, buffer, parser, use_tuple);
  (void)read;
  if (parser.is_header_done()) {
    out.status = static_cast<int>(parser.get().result_int());
    if (auto it = parser.get().find(http::field::retry_after); it != parser.get().end())
      out.retry_after = std::string(it->value().substr(0, 64));
  }
  if (rec == http::error::body_limit) out.body_cut = true;
  else if (!rec) out.body = std::move(parser.get().body());
  if (rec && rec != http::error::body_limit && out.status == 0) out.error = "reading the response failed: " + rec.message();
  co_return out;
}

}  // namespace

asio::awaitable<outbound_response> send_outbound(const outbound_request& r, const std::vector<tcp::endpoint>& addresses,
                                                 ssl::context& tls, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  auto ex = co_await asio::this_coro::executor;
  outbound_response out;
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
