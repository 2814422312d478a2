#include "store/s3/s3_http.hpp"

#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>
#include <optional>

#include "core/text.hpp"

namespace carechat::store::s3 {
namespace {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;
using steady = std::chrono::steady_clock;

constexpr std::size_t error_body_limit = 64 * 1024;

core::error unreachable(const http_endpoint& ep, std::string_view what, const beast::error_code& ec) {
  return core::make_error(core::errc::unavailable,
                          "S3 at " + ep.host_header + ": " + std::string(what) + ": " + ec.message());
}

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// Runs the operation `start` begins on `ioc` (this thread alone) until it completes or `deadline`
// passes; then `cancel` stops it, and the result is timed_out. Each step of an exchange gets what is
// left of its deadline.
template <class Start, class Cancel>
beast::error_code run_until(asio::io_context& ioc, steady::time_point deadline, Start&& start, Cancel&& cancel) {
  std::optional<beast::error_code> result;
  ioc.restart();
  start([&result](beast::error_code ec, auto&&...) { result = ec; });
  const auto left = deadline - steady::now();
  if (left > steady::duration::zero()) ioc.run_for(left);
  if (result) return *result;
  cancel();
  ioc.restart();
  ioc.run();  // the cancelled operation's handler, which must run before its buffers go away
  return asio::error::timed_out;
}

}  // namespace

std::string_view http_reply::header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (n == name) return v;
  return {};
}

core::result<http_endpoint> parse_http_endpoint(std::string_view url) {
  const auto bad = [&](std::string why) {
    return core::make_error(core::errc::bad_request, "S3 endpoint " + std::string(url) + ": " + why);
  };
  if (url.starts_with("https://"))
    return bad("TLS to S3 is not built yet: use http:// (a local MinIO, or a TLS-terminating proxy on this host)");
  if (!url.starts_with("http://")) return bad("expected http://HOST[:PORT]");
  std::string_view rest = url.substr(7);
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos)
    return bad("expected http://HOST[:PORT], without a path, user or query");
  http_endpoint ep;
  const std::size_t colon = rest.rfind(':');
  if (colon == std::string_view::npos) {
    ep.host = std::string(rest);
    ep.port = "80";
    ep.host_header = ep.host;
    return ep;
  }
  const auto port = core::parse_decimal<unsigned>(rest.substr(colon + 1));
  if (!port || *port == 0 || *port > 65535) return bad("the port is not a number from 1 to 65535");
  ep.host = std::string(rest.substr(0, colon));
  if (ep.host.empty()) return bad("no host");
  ep.port = std::to_string(*port);
  ep.host_header = *port == 80 ? ep.host : ep.host + ':' + ep.port;
  return ep;
}

core::result<http_reply> http_exchange(const http_endpoint& endpoint, const http_call& call,
                                       const http_timeouts& timeouts) {
  asio::io_context ioc(1);
  tcp::resolver resolver(ioc);
  tcp::socket socket(ioc);
  const auto close = [&socket] {
    beast::error_code ignored;
    socket.close(ignored);
  };

  const steady::time_point connect_by = steady::now() + timeouts.connect;
  tcp::resolver::results_type addresses;
  beast::error_code ec = run_until(
      ioc, connect_by,
      [&](auto done) {
        resolver.async_resolve(endpoint.host, endpoint.port,
                               [&addresses, done](beast::error_code e, tcp::resolver::results_type r) mutable {
                                 addresses = std::move(r);
                                 done(e);
                               });
      },
      [&resolver] { resolver.cancel(); });
  if (ec) return unreachable(endpoint, "resolve", ec);
  ec = run_until(
      ioc, connect_by, [&](auto done) { asio::async_connect(socket, addresses, std::move(done)); }, close);
  if (ec) return unreachable(endpoint, "connect", ec);

  http::request<http::span_body<const char>> req{http::string_to_verb(call.method), call.target, 11};
  if (req.method() == http::verb::unknown)
    return core::make_error(core::errc::internal, "S3 client: unknown method " + call.method);
  req.set(http::field::host, endpoint.host_header);
  req.set(http::field::user_agent, "carechat");
  for (const auto& [name, value] : call.headers) req.set(name, value);
  req.body() = {call.body.data(), call.body.size()};
  req.prepare_payload();

  const steady::time_point reply_by = steady::now() + timeouts.request;
  ec = run_until(
      ioc, reply_by, [&](auto done) { http::async_write(socket, req, std::move(done)); }, close);
  if (ec) return unreachable(endpoint, "send " + call.method, ec);

  beast::flat_buffer buffer;
  http::response_parser<http::string_body> parser;
  parser.header_limit(16 * 1024);
  parser.body_limit(std::max(call.max_reply_body, error_body_limit));
  if (call.head) parser.skip(true);  // a HEAD's Content-Length describes the object, not a body
  ec = run_until(
      ioc, reply_by, [&](auto done) { http::async_read(socket, buffer, parser, std::move(done)); }, close);
  if (ec == http::error::body_limit || ec == http::error::header_limit)
    return core::make_error(core::errc::internal,
                            "S3 at " + endpoint.host_header + ": a reply to " + call.method + " larger than expected");
  if (ec) return unreachable(endpoint, "read the reply to " + call.method, ec);
  close();

  http::response<http::string_body> res = parser.release();
  http_reply reply;
  reply.status = res.result_int();
  for (const auto& field : res)
    reply.headers.emplace_back(lower_ascii(field.name_string()), std::string(field.value()));
  reply.body = std::move(res.body());
  if (reply.status < 300 && reply.body.size() > call.max_reply_body)
    return core::make_error(core::errc::internal,
                            "S3 at " + endpoint.host_header + ": a reply to " + call.method + " larger than expected");
  return reply;
}

}  // namespace carechat::store::s3
