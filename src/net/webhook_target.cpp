#include "net/webhook_target.hpp"

#include <algorithm>
#include <array>

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/url/parse.hpp>

#include "domain/webhook.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;

// One block of the IANA IPv4 and IPv6 Special-Purpose Address Registries
// (iana-ipv4-special-registry, iana-ipv6-special-registry, as of 2025), plus the multicast
// blocks and deprecated site-local, which the special-purpose registries leave to others. An
// address takes the most specific block that holds it; it is refused unless that block's
// "Globally Reachable" is true (the anycast services carved out of 192.0.0.0/24 and 2001::/23).
// Addresses outside every block are ordinary unicast and allowed.
struct special_block {
  std::array<unsigned char, 16> prefix;  // IPv4 blocks use the first 4 bytes
  int length;                            // prefix length in bits
  bool v6;
  bool globally_reachable;
  std::string_view name;
};

constexpr special_block v4(unsigned char a, unsigned char b, unsigned char c, unsigned char d, int len,
                           std::string_view name, bool reachable = false) {
  return {{a, b, c, d}, len, false, reachable, name};
}

constexpr special_block v6(std::array<unsigned char, 16> p, int len, std::string_view name, bool reachable = false) {
  return {p, len, true, reachable, name};
}

constexpr special_block special_blocks[] = {
    v4(0, 0, 0, 0, 8, "'this network' address (0.0.0.0/8)"),
    v4(10, 0, 0, 0, 8, "private address (10.0.0.0/8)"),
    v4(100, 64, 0, 0, 10, "shared (carrier-grade NAT) address (100.64.0.0/10)"),
    v4(127, 0, 0, 0, 8, "loopback address (127.0.0.0/8)"),
    v4(169, 254, 0, 0, 16, "link-local address (169.254.0.0/16)"),
    v4(172, 16, 0, 0, 12, "private address (172.16.0.0/12)"),
    v4(192, 0, 0, 0, 24, "IETF protocol assignment (192.0.0.0/24)"),
    v4(192, 0, 0, 9, 32, "port control protocol anycast (192.0.0.9/32)", true),
    v4(192, 0, 0, 10, 32, "TURN anycast (192.0.0.10/32)", true),
    v4(192, 0, 2, 0, 24, "documentation address (192.0.2.0/24, TEST-NET-1)"),
    v4(192, 31, 196, 0, 24, "AS112 address (192.31.196.0/24)", true),
    v4(192, 52, 193, 0, 24, "AMT address (192.52.193.0/24)", true),
    v4(192, 88, 99, 0, 24, "deprecated 6to4 relay anycast address (192.88.99.0/24)"),
    v4(192, 168, 0, 0, 16, "private address (192.168.0.0/16)"),
    v4(192, 175, 48, 0, 24, "AS112 direct delegation address (192.175.48.0/24)", true),
    v4(198, 18, 0, 0, 15, "benchmarking address (198.18.0.0/15)"),
    v4(198, 51, 100, 0, 24, "documentation address (198.51.100.0/24, TEST-NET-2)"),
    v4(203, 0, 113, 0, 24, "documentation address (203.0.113.0/24, TEST-NET-3)"),
    v4(224, 0, 0, 0, 4, "multicast address (224.0.0.0/4)"),
    v4(240, 0, 0, 0, 4, "reserved address (240.0.0.0/4)"),
    v4(255, 255, 255, 255, 32, "limited broadcast address (255.255.255.255/32)"),
    v6({}, 128, "unspecified address (::/128)"),
    v6({0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "loopback address (::1/128)"),
    v6({0, 0x64, 0xff, 0x9b, 0, 1}, 48, "local-use IPv4/IPv6 translation address (64:ff9b:1::/48)"),
    v6({0x01, 0x00}, 64, "discard-only address (100::/64)"),
    v6({0x01, 0x00, 0, 0, 0, 0, 0, 1}, 64, "dummy address (100:0:0:1::/64)"),
    v6({0x20, 0x01}, 23, "IETF protocol assignment (2001::/23)"),
    v6({0x20, 0x01, 0, 0}, 32, "TEREDO address (2001::/32)"),
    v6({0x20, 0x01, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, 128, "port control protocol anycast (2001:1::1/128)",
       true),
    v6({0x20, 0x01, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2}, 128, "TURN anycast (2001:1::2/128)", true),
    v6({0x20, 0x01, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 3}, 128, "DNS-SD SRP anycast (2001:1::3/128)", true),
    v6({0x20, 0x01, 0, 2, 0, 0}, 48, "benchmarking address (2001:2::/48)"),
    v6({0x20, 0x01, 0, 3}, 32, "AMT address (2001:3::/32)", true),
    v6({0x20, 0x01, 0, 4, 0x01, 0x12}, 48, "AS112 address (2001:4:112::/48)", true),
    v6({0x20, 0x01, 0, 0x10}, 28, "deprecated ORCHID address (2001:10::/28)"),
    v6({0x20, 0x01, 0, 0x20}, 28, "ORCHIDv2 address (2001:20::/28)", true),
    v6({0x20, 0x01, 0, 0x30}, 28, "drone remote ID address (2001:30::/28)", true),
    v6({0x20, 0x01, 0x0d, 0xb8}, 32, "documentation address (2001:db8::/32)"),
    v6({0x20, 0x02}, 16, "6to4 address (2002::/16)"),
    v6({0x26, 0x20, 0, 0x4f, 0x80, 0}, 48, "AS112 direct delegation address (2620:4f:8000::/48)", true),
    v6({0x3f, 0xff}, 20, "documentation address (3fff::/20)"),
    v6({0x5f, 0x00}, 16, "segment routing SID address (5f00::/16)"),
    v6({0xfc}, 7, "unique-local address (fc00::/7)"),
    v6({0xfe, 0x80}, 10, "link-local address (fe80::/10)"),
    v6({0xfe, 0xc0}, 10, "deprecated site-local address (fec0::/10)"),
    v6({0xff}, 8, "multicast address (ff00::/8)"),
};

bool in_block(const unsigned char* bytes, const special_block& b) {
  for (int bit = 0; bit < b.length; ++bit) {
    const int byte = bit / 8, shift = 7 - bit % 8;
    if (((bytes[byte] >> shift) & 1) != ((b.prefix[static_cast<std::size_t>(byte)] >> shift) & 1)) return false;
  }
  return true;
}

std::string_view reason_for(const unsigned char* bytes, bool is_v6) {
  const special_block* best = nullptr;
  for (const auto& b : special_blocks)
    if (b.v6 == is_v6 && in_block(bytes, b) && (best == nullptr || b.length > best->length)) best = &b;
  if (best == nullptr || best->globally_reachable) return {};
  return best->name;
}

}  // namespace

std::string_view forbidden_address_reason(const boost::asio::ip::address& a) {
  if (a.is_v4()) return reason_for(a.to_v4().to_bytes().data(), false);
  const auto v6 = a.to_v6();
  const auto b = v6.to_bytes();
  // Addresses that embed an IPv4 address reach it: IPv4-mapped (::ffff:0:0/96), IPv4-compatible
  // (::a.b.c.d, deprecated) and the well-known NAT64 prefix (64:ff9b::/96, globally reachable
  // itself). They are judged by the IPv4 address inside.
  const bool zeros_to_10 = std::all_of(b.begin(), b.begin() + 10, [](unsigned char x) { return x == 0; });
  const bool mapped = zeros_to_10 && b[10] == 0xff && b[11] == 0xff;
  const bool compat = zeros_to_10 && b[10] == 0 && b[11] == 0 && !v6.is_loopback() && !v6.is_unspecified();
  const bool nat64 = b[0] == 0x00 && b[1] == 0x64 && b[2] == 0xff && b[3] == 0x9b &&
                     std::all_of(b.begin() + 4, b.begin() + 12, [](unsigned char x) { return x == 0; });
  if (mapped || compat || nat64) return reason_for(b.data() + 12, false);
  return reason_for(b.data(), true);
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
