// One webhook POST (through net/outbound_http) over HTTP or HTTPS (system CAs, SNI, host name verification) to addresses the
// caller resolved and checked (net/webhook_target): connect, send, read the answer (body up to 64 KiB). Redirects
// are not followed. One deadline covers the whole exchange. Thread-safety: a coroutine; the SSL
// context is shared and only read.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/ssl/context.hpp>

#include "core/result.hpp"
#include "net/asio.hpp"
#include "net/webhook_target.hpp"

namespace carechat::net {

struct webhook_request {
  webhook_target target;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
};

struct webhook_response {
  int status = 0;                          // 0: no HTTP answer
  std::string error;                       // operational text only (never headers or bodies)
  std::optional<std::string> retry_after;  // the Retry-After header, as sent
};

inline constexpr std::size_t webhook_response_body_limit = 64 * 1024;

// A client context: verify peers against the system's CA store plus, when `extra_ca_file` is not
// empty, the PEM certificates in that file (CARECHAT_WEBHOOK_CA_FILE: a clinic's private CA). An
// unreadable or certificate-less file is an error, reported at startup rather than at first delivery.
core::result<boost::asio::ssl::context> make_webhook_tls_context(const std::string& extra_ca_file);

// Connects to one of `addresses` (already resolved and checked: resolve_webhook_target).
asio::awaitable<webhook_response> post_webhook(const webhook_request& req, const std::vector<tcp::endpoint>& addresses,
                                               boost::asio::ssl::context& tls, std::chrono::milliseconds timeout);

}  // namespace carechat::net
