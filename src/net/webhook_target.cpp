#include "net/webhook_target.hpp"

#include <algorithm>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/url/parse.hpp>

#include "domain/webhook.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

std::string_view v4_reason(const boost::asio::ip::address_v4& a) {
  const auto b = a.to_bytes();
  if (b[0] == 0) return "unspecified or 'this network' address (0.0.0.0/8)";
  if (b[0] == 127) return "loopback address (127.0.0.0/8)";
  if (b[0] == 10) return "private address (10.0.0.0/8)";
  if (b[0] == 172 && (b[1] & 0xf0) == 16) return "private address (172.16.0.0/12)";
  if (b[0] == 192 && b[1] == 168) return "private address (192.168.0.0/16)";
  if (b[0] == 169 && b[1] == 254) return "link-local address (169.254.0.0/16)";
  if (b[0] == 100 && (b[1] & 0xc0) == 64) return "shared (carrier-grade NAT) address (100.64.0.0/10)";
  if (b[0] == 192 && b[1] == 0 && b[2] == 0) return "IETF protocol assignment (192.0.0.0/24)";
  if (b[0] == 198 && (b[1] & 0xfe) == 18) return "benchmarking address (198.18.0.0/15)";
  if (b[0] >= 224) return "multicast or reserved address (224.0.0.0/3)";
  return {};
}

}  // namespace

std::string_view forbidden_address_reason(const boost::asio::ip::address& a) {
  if (a.is_v4()) return v4_reason(a.to_v4());
  const auto v6 = a.to_v6();
  if (v6.is_v4_mapped()) return v4_reason(boost::asio::ip::make_address_v4(boost::asio::ip::v4_mapped, v6));
  const auto b = v6.to_bytes();
  if (v6.is_unspecified()) return "unspecified address (::)";
  if (v6.is_loopback()) return "loopback address (::1)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0x80) return "link-local address (fe80::/10)";
  if (b[0] == 0xfe && (b[1] & 0xc0) == 0xc0) return "site-local address (fec0::/10)";
  if ((b[0] & 0xfe) == 0xfc) return "unique-local address (fc00::/7)";
  if (b[0] == 0xff) return "multicast address (ff00::/8)";
  // IPv4-compatible (::a.b.c.d, deprecated) and NAT64 (64:ff9b::/96) embed an IPv4 address.
  bool compat = true;
  for (int i = 0; i < 12; ++i) compat = compat && b[static_cast<std::size_t>(i)] == 0;
  const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
                     std::all_of(b.begin() + 4, b.begin() + 12, [](unsigned char x) { return x == 0; });
  if (compat || nat64) {
    const boost::asio::ip::address_v4 embedded({b[12], b[13], b[14], b[15]});
    return v4_reason(embedded);
  }
  return {};
}

core::result<webhook_target> parse_webhook_url(std::string_view text) {
  if (text.empty() || text.size() > domain::webhook_max_url_length)
    return make_error(errc::bad_request, "url is required (at most 2048 characters)");
  auto u = boost::urls::parse_absolute_uri(text);
  if (!u) return make_error(errc::bad_request, "url is not an absolute http(s) URL");
  webhook_target t;
  const auto scheme = u->scheme_id();
  if (scheme == boost::urls::scheme::https) {
    t.tls = true;
  } else if (scheme != boost::urls::scheme::http) {
    return make_error(errc::bad_request, "url must use http or https");
  }
  if (u->has_userinfo()) return make_error(errc::bad_request, "url may not contain credentials (user:password@)");
  switch (u->host_type()) {
    case boost::urls::host_type::ipv4: t.host = u->host_ipv4_address().to_string(); break;
    case boost::urls::host_type::ipv6: t.host = u->host_ipv6_address().to_string(); break;
    case boost::urls::host_type::name: t.host = u->host_name(); break;
    default: return make_error(errc::bad_request, "url needs a host name or IP address");
  }
  if (t.host.empty()) return make_error(errc::bad_request, "url needs a host");
  if (u->has_port()) {
    if (u->port_number() == 0) return make_error(errc::bad_request, "url has an invalid port");
    t.port = std::to_string(u->port_number());
  } else {
    t.port = t.tls ? "443" : "80";
  }
  t.target = std::string(u->encoded_path());
  if (t.target.empty()) t.target = "/";
  if (u->has_query()) t.target += "?" + std::string(u->encoded_query());
  return t;
}

core::result<std::vector<boost::asio::ip::tcp::endpoint>> resolve_webhook_target(const webhook_target& t,
                                                                                  bool allow_private) {
  using endpoint = boost::asio::ip::tcp::endpoint;
  std::vector<endpoint> out;
  const auto port = static_cast<unsigned short>(std::stoul(t.port));
  boost::system::error_code ec;
  const auto literal = boost::asio::ip::make_address(t.host, ec);
  if (!ec) {
    out.emplace_back(literal, port);
  } else {
    boost::asio::io_context ioc;
    boost::asio::ip::tcp::resolver resolver(ioc);
    auto results = resolver.resolve(t.host, t.port, ec);
    if (ec || results.empty())
      return make_error(errc::bad_request, "host " + t.host + " does not resolve" + (ec ? ": " + ec.message() : ""));
    for (const auto& entry : results) out.push_back(entry.endpoint());
  }
  if (!allow_private)
    for (const auto& ep : out) {
      const auto reason = forbidden_address_reason(ep.address());
      if (!reason.empty())
        return make_error(errc::bad_request, "host " + t.host + " resolves to a " + std::string(reason) +
                                                 " (refused; CARECHAT_WEBHOOK_ALLOW_PRIVATE=1 allows it)");
    }
  return out;
}

core::result<void> check_webhook_url(std::string_view url, bool allow_private) {
  auto t = parse_webhook_url(url);
  if (!t) return std::move(t).error();
  auto addresses = resolve_webhook_target(*t, allow_private);
  if (!addresses) return core::make_error(errc::bad_request, "url: " + addresses.error().message);
  return {};
}

}  // namespace carechat::net
