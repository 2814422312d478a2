// The request's Host, checked once before routing (RFC 9112 section 3.2): exactly one Host field
// whose value is a valid `uri-host [ ":" port ]`. Everything that uses the host afterwards (the
// WebSocket Origin check, the pages' CSP) then sees one valid value. Thread-safety: pure function.
#pragma once

#include <string_view>

#include "core/result.hpp"
#include "net/asio.hpp"

namespace carechat::net {

// The one Host value of `req`, or bad_request when it is missing, given twice (or more), empty,
// or not a host (reg-name, IPv4 or a bracketed IPv6 literal) with an optional port 0-65535.
core::result<std::string_view> request_host(const request& req);

}  // namespace carechat::net
