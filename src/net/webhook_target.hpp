// Where a webhook may go: URL parsing (http/https only, no credentials, length limit) and the
// address rules that keep the server from being pointed at its own network (loopback, private,
// link-local, unique-local, unspecified, multicast and reserved ranges, IPv4 and IPv6, including
// IPv4-mapped IPv6). Checked when an endpoint is configured and again before every connection
// (DNS rebinding). Thread-safety: pure functions, except check_webhook_url (blocking DNS).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>

#include "core/result.hpp"

namespace carechat::net {

struct webhook_target {
  bool tls = false;
  std::string host;    // name or IP literal (IPv6 without brackets)
  std::string port;    // "80"/"443" by default
  std::string target;  // path and query, at least "/"
};

core::result<webhook_target> parse_webhook_url(std::string_view url);

// The reason an address may not be a webhook destination, or "" when it may.
std::string_view forbidden_address_reason(const boost::asio::ip::address& a);

// Resolves the target's host (blocking: run it on the blocking pool) and checks every address it
// resolves to; the caller connects only to these. An IP literal is not looked up.
core::result<std::vector<boost::asio::ip::tcp::endpoint>> resolve_webhook_target(const webhook_target& t,
                                                                                  bool allow_private);

// Parses, resolves (blocking) and checks every address the host resolves to. For configuration
// time (CLI and the PUT route, on the blocking pool).
core::result<void> check_webhook_url(std::string_view url, bool allow_private);

}  // namespace carechat::net
