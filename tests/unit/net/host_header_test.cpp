// request_host: exactly one Host field with a valid host[:port] (RFC 9112 section 3.2).
#include "net/host_header.hpp"

#include <gtest/gtest.h>

namespace carechat::net {
namespace {

request with_hosts(std::initializer_list<const char*> hosts) {
  request req{http::verb::get, "/healthz", 11};
  for (const char* h : hosts) req.insert(http::field::host, h);
  return req;
}

TEST(request_host, one_valid_host_is_returned) {
  for (const char* h : {"127.0.0.1", "127.0.0.1:8080", "localhost", "chat.example.org:443", "[::1]", "[::1]:0",
                        "[2001:db8::1]:65535", "xn--bcher-kva.example", "a-b.c_d~e"}) {
    const request req = with_hosts({h});  // the host returned is a view into the request: keep it alive
    auto r = request_host(req);
    ASSERT_TRUE(r) << h << ": " << r.error().message;
    EXPECT_EQ(*r, h);
  }
}

TEST(request_host, missing_repeated_empty_and_malformed_hosts_are_bad_requests) {
  EXPECT_FALSE(request_host(with_hosts({})));
  EXPECT_FALSE(request_host(with_hosts({"a.example", "a.example"})));
  EXPECT_FALSE(request_host(with_hosts({"evil.example", "127.0.0.1:8080"})));
  for (const char* h : {"", "exa mple:99999", "example.org:99999", "example.org:65536", "example.org:", "u@host",
                        "host:80:80", "[::1", "::1", "host/path", "host?q", "host#f", "h\tx", "[v1.x]:80x"}) {
    auto r = request_host(with_hosts({h}));
    EXPECT_FALSE(r) << "'" << h << "'";
    if (!r) {
      EXPECT_EQ(r.error().code, core::errc::bad_request);
    }
  }
}

}  // namespace
}  // namespace carechat::net
