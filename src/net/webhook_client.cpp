#include "net/webhook_client.hpp"

#include "net/outbound_http.hpp"

namespace carechat::net {

namespace ssl = boost::asio::ssl;

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
  outbound_request req;
  req.method = http::verb::post;
  req.target = r.target;
  req.user_agent = "carechat-webhooks/1";
  req.headers.emplace_back("Content-Type", "application/json");
  for (const auto& h : r.headers) req.headers.push_back(h);
  req.body = r.body;
  req.body_limit = webhook_response_body_limit;
  auto answer = co_await send_outbound(req, addresses, tls, timeout);
  // A body past the limit is cut off: the status is what counts.
  webhook_response out;
  out.status = answer.status;
  out.error = std::move(answer.error);
  out.retry_after = std::move(answer.retry_after);
  co_return out;
}

}  // namespace carechat::net
