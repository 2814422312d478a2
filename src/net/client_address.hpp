// Who a request comes from, for per-address rate limits: the TCP peer, unless the peer is one of
// the operator's trusted reverse proxies (CARECHAT_TRUSTED_PROXIES), in which case the right-most
// address of X-Forwarded-For that is not itself a trusted proxy. X-Forwarded-For from any other
// peer is ignored: a client can write anything there, only a trusted proxy's own append counts.
// Thread-safety: trusted_proxies is immutable after parse (share it freely); the rest are pure.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/network_v4.hpp>
#include <boost/asio/ip/network_v6.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/result.hpp"

namespace carechat::net {

// An IP address as written in a header or a list: "192.0.2.7", "2001:db8::1", "[2001:db8::1]",
// "[2001:db8::1]:443" or "192.0.2.7:443" (some proxies append the port); an IPv4-mapped IPv6
// address is taken as its IPv4 address. Nothing else (names, "unknown", garbage).
std::optional<boost::asio::ip::address> parse_forwarded_address(std::string_view text);

class trusted_proxies {
 public:
  trusted_proxies() = default;
  // A comma-separated list of addresses and CIDR networks ("10.0.0.0/8, 127.0.0.1, ::1, fd00::/8");
  // empty: none. An error names the first entry that is neither.
  static core::result<trusted_proxies> parse(std::string_view list);

  bool empty() const { return v4_.empty() && v6_.empty(); }
  bool contains(const boost::asio::ip::address& a) const;

 private:
  std::vector<boost::asio::ip::network_v4> v4_;
  std::vector<boost::asio::ip::network_v6> v6_;
};

// The client's address as text ("192.0.2.7", "2001:db8::1"). `peer`: the TCP peer's address (may
// be empty when the socket was already gone). `forwarded_for`: the request's X-Forwarded-For
// field values in order (several fields are one list, RFC 9110 section 5.3). Walking the list from
// the right, trusted hops are skipped; the first untrusted address is the client. An entry that is
// not an address ends the walk at the last trusted hop (a proxy that wrote it is misconfigured,
// and nothing left of it can be believed); a list of trusted hops only gives its left-most.
std::string client_address(std::string_view peer, const std::vector<std::string_view>& forwarded_for,
                           const trusted_proxies& trusted);

}  // namespace carechat::net
