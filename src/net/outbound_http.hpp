// One outbound HTTP(S) exchange to addresses the caller resolved: connect, TLS (system CAs plus
// the configured extra ones, SNI, host name verification), send, read the answer with its body up
// to a limit. Redirects are not followed; one deadline covers the whole exchange. Webhook
// deliveries (net/webhook_client) and the SMART client (EHR discovery, JWKS, token exchange) both
// speak through it. Thread-safety: a coroutine; the SSL context is shared and only read.
#pragma once

#include <chrono>
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "net/asio.hpp"
#include "net/webhook_target.hpp"

namespace carechat::net {

struct outbound_request {
  http::verb method = http::verb::post;
  webhook_target target;
  std::string user_agent = "carechat/1";
  std::vector<std::pair<std::string, std::string>> headers;  // Content-Type among them when there is a body
  std::string body;
  std::size_t body_limit = 64 * 1024;  // answer bodies past this are cut off (body_cut)
};

struct outbound_response {
  int status = 0;                          // 0: no HTTP answer
  std::string error;                       // operational text only (never headers or bodies)
  std::optional<std::string> retry_after;  // the Retry-After header, as sent
  std::string body;
  bool body_cut = false;                   // the body was longer than body_limit
};

asio::awaitable<outbound_response> send_outbound(const outbound_request& req, const std::vector<tcp::endpoint>& addresses,
                                                 boost::asio::ssl::context& tls, std::chrono::milliseconds timeout);

}  // namespace carechat::net
