#include "net/client_address.hpp"

#include <algorithm>

#include "core/text.hpp"

namespace carechat::net {
namespace {

namespace ip = boost::asio::ip;

ip::address unmapped(const ip::address& a) {
  if (a.is_v6() && a.to_v6().is_v4_mapped()) return ip::make_address_v4(ip::v4_mapped, a.to_v6());
  return a;
}

std::optional<ip::address> plain_address(std::string_view text) {
  // A zone ("fe80::1%eth0") names an interface of the writer's host: no client address.
  if (text.find('%') != std::string_view::npos) return std::nullopt;
  boost::system::error_code ec;
  const auto a = ip::make_address(std::string(text), ec);
  if (ec) return std::nullopt;
  return unmapped(a);
}

bool all_digits(std::string_view s) {
  return !s.empty() && s.size() <= 5 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

}  // namespace

std::optional<ip::address> parse_forwarded_address(std::string_view text) {
  text = core::trim_ows(text);
  if (text.empty() || text.size() > 64) return std::nullopt;
  if (text.front() == '[') {  // "[v6]" or "[v6]:port"
    const auto close = text.find(']');
    if (close == std::string_view::npos) return std::nullopt;
    const auto rest = text.substr(close + 1);
    if (!rest.empty() && !(rest.front() == ':' && all_digits(rest.substr(1)))) return std::nullopt;
    const auto inside = text.substr(1, close - 1);
    if (inside.find(':') == std::string_view::npos) return std::nullopt;  // brackets hold IPv6 only
    return plain_address(inside);
  }
  // One colon: IPv4 with a port; more: a bare IPv6 address.
  if (const auto colon = text.find(':');
      colon != std::string_view::npos && text.find(':', colon + 1) == std::string_view::npos) {
    if (!all_digits(text.substr(colon + 1))) return std::nullopt;
    auto a = plain_address(text.substr(0, colon));
    if (!a || !a->is_v4()) return std::nullopt;
    return a;
  }
  return plain_address(text);
}

core::result<trusted_proxies> trusted_proxies::parse(std::string_view list) {
  trusted_proxies out;
  for (const std::string_view item : core::split_list(list)) {
    const auto bad = core::make_error(core::errc::bad_request,
                                      "entries must be IP addresses or CIDR networks (10.0.0.0/8, ::1), got '" +
                                          std::string(item.substr(0, 64)) + "'");
    const auto slash = item.find('/');
    const auto base = plain_address(item.substr(0, slash));
    if (!base) return bad;
    unsigned prefix = base->is_v4() ? 32 : 128;
    if (slash != std::string_view::npos) {
      const auto p = core::parse_decimal<unsigned>(item.substr(slash + 1));
      if (!p || *p > prefix) return bad;
      prefix = *p;
    }
    // The network of the given base (host bits cleared): "10.1.2.3/8" means 10.0.0.0/8.
    if (base->is_v4())
      out.v4_.push_back(ip::make_network_v4(base->to_v4(), static_cast<unsigned short>(prefix)).canonical());
    else
      out.v6_.push_back(ip::make_network_v6(base->to_v6(), static_cast<unsigned short>(prefix)).canonical());
  }
  return out;
}

bool trusted_proxies::contains(const ip::address& given) const {
  const ip::address a = unmapped(given);
  if (a.is_v4()) {
    const ip::network_v4 host(a.to_v4(), 32);
    return std::any_of(v4_.begin(), v4_.end(),
                       [&](const ip::network_v4& n) { return host == n || host.is_subnet_of(n); });
  }
  const ip::network_v6 host(a.to_v6(), 128);
  return std::any_of(v6_.begin(), v6_.end(),
                     [&](const ip::network_v6& n) { return host == n || host.is_subnet_of(n); });
}

std::string client_address(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                           const trusted_proxies& trusted) {
  const auto peer_address = plain_address(peer);
  if (!peer_address) return std::string(peer);
  if (trusted.empty() || forwarded_for.empty() || !trusted.contains(*peer_address)) return peer_address->to_string();
  // Every entry, right-most last: the fields in order, each a comma list.
  std::vector<std::string_view> hops;
  for (const auto field : forwarded_for)
    for (const auto item : core::split_list(field)) hops.push_back(item);
  ip::address last_trusted = *peer_address;
  for (auto it = hops.rbegin(); it != hops.rend(); ++it) {
    const auto hop = parse_forwarded_address(*it);
    if (!hop) break;
    if (!trusted.contains(*hop)) return hop->to_string();
    last_trusted = *hop;
  }
  return last_trusted.to_string();
}

}  // namespace carechat::net
