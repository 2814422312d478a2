#include "net/host_header.hpp"

#include <boost/url/parse.hpp>

#include "core/text.hpp"

namespace carechat::net {

core::result<std::string_view> request_host(const request& req) {
  const auto bad = [](std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); };
  auto [first, last] = req.equal_range(http::field::host);
  if (first == last) return bad("the Host header is required");
  if (std::next(first) != last) return bad("the Host header is given more than once");
  const std::string_view value = first->value();
  // The authority grammar of RFC 3986, minus userinfo (not allowed in Host). Boost.URL accepts any
  // number of port digits, so the port's range is checked here.
  auto authority = boost::urls::parse_authority(boost::urls::string_view(value.data(), value.size()));
  if (!authority || authority->has_userinfo() || authority->encoded_host().empty())
    return bad("the Host header is not a valid host[:port]");
  if (authority->has_port() && !core::parse_decimal<std::uint16_t>(authority->port()))
    return bad("the Host header's port is not a number from 0 to 65535");
  return value;
}

}  // namespace carechat::net
