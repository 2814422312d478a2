// Webhook URL rules: schemes, credentials, length, and the address ranges refused by default.
#include "net/webhook_target.hpp"

#include <gtest/gtest.h>

namespace carechat::net {
namespace {

bool refused(const char* address) {
  return !forbidden_address_reason(boost::asio::ip::make_address(address)).empty();
}

TEST(webhook_address, refuses_loopback_private_link_local_and_unspecified_ipv4) {
  for (const char* a : {"127.0.0.1", "127.255.255.254", "10.0.0.1", "10.255.255.255", "172.16.0.1", "172.31.255.255",
                        "192.168.1.1", "169.254.169.254", "0.0.0.0", "100.64.0.1", "224.0.0.1", "255.255.255.255",
                        "192.0.0.8", "198.18.0.1"})
    EXPECT_TRUE(refused(a)) << a;
  for (const char* a : {"8.8.8.8", "1.1.1.1", "172.15.255.255", "172.32.0.1", "192.169.0.1", "100.128.0.1",
                        "93.184.216.34", "11.0.0.1"})
    EXPECT_FALSE(refused(a)) << a;
}

TEST(webhook_address, refuses_the_same_ranges_in_ipv6_including_mapped_ipv4) {
  for (const char* a : {"::", "::1", "fe80::1", "febf::1", "fc00::1", "fd12:3456::1", "ff02::1", "::ffff:127.0.0.1",
                        "::ffff:10.1.2.3", "::ffff:169.254.169.254", "64:ff9b::a00:1", "fec0::1"})
    EXPECT_TRUE(refused(a)) << a;
  for (const char* a : {"2001:4860:4860::8888", "2606:4700:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"})
    EXPECT_FALSE(refused(a)) << a;
}

// Every block of the IANA special-purpose registries that is not globally reachable, at its edges;
// the globally reachable carve-outs are allowed, their neighbours are not.
TEST(webhook_address, follows_the_iana_special_purpose_registries) {
  for (const char* a : {"0.255.255.255", "192.0.0.0", "192.0.0.255", "192.0.0.8", "192.0.0.170", "192.0.2.1",
                        "192.0.2.255", "192.88.99.1", "198.18.0.0", "198.19.255.255", "198.51.100.7", "203.0.113.0",
                        "203.0.113.255", "240.0.0.1", "255.255.255.254", "239.255.255.255"})
    EXPECT_TRUE(refused(a)) << a;
  for (const char* a : {"192.0.0.9", "192.0.0.10", "192.31.196.1", "192.52.193.1", "192.175.48.1", "198.17.255.255",
                        "198.20.0.0", "203.0.112.255", "203.0.114.0", "192.0.3.0"})
    EXPECT_FALSE(refused(a)) << a;
  for (const char* a : {"2001:db8::1", "2001:db8:ffff::1", "2001::1", "2001:0:ffff::1", "2001:2::1", "2001:10::1",
                        "2001:1::4", "2002::1", "3fff::1", "3fff:fff:ffff::1", "5f00::1", "100::1", "64:ff9b:1::1",
                        "2001:1ff::1", "::ffff:203.0.113.5", "64:ff9b::c000:201", "100:0:0:1::1"})
    EXPECT_TRUE(refused(a)) << a;
  for (const char* a : {"2001:1::1", "2001:1::2", "2001:1::3", "2001:3::1", "2001:4:112::1", "2001:20::1",
                        "2001:30::1", "2620:4f:8000::1", "2001:200::1", "2001:db9::1", "4000::1", "100:0:0:2::1"})
    EXPECT_FALSE(refused(a)) << a;
}

TEST(webhook_address, the_reason_names_the_block) {
  EXPECT_EQ(forbidden_address_reason(boost::asio::ip::make_address("203.0.113.9")),
            "documentation address (203.0.113.0/24, TEST-NET-3)");
  EXPECT_EQ(forbidden_address_reason(boost::asio::ip::make_address("2001:db8::9")),
            "documentation address (2001:db8::/32)");
}

TEST(webhook_url, parses_http_and_https_targets) {
  auto t = parse_webhook_url("https://hooks.example.com/carechat?x=1");
  ASSERT_TRUE(t) << t.error().message;
  EXPECT_TRUE(t->tls);
  EXPECT_EQ(t->host, "hooks.example.com");
  EXPECT_EQ(t->port, "443");
  EXPECT_EQ(t->target, "/carechat?x=1");
  t = parse_webhook_url("http://127.0.0.1:9000");
  ASSERT_TRUE(t);
  EXPECT_FALSE(t->tls);
  EXPECT_EQ(t->port, "9000");
  EXPECT_EQ(t->target, "/");
  t = parse_webhook_url("http://[::1]:81/h");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->host, "::1");
}

TEST(webhook_url, refuses_other_schemes_credentials_and_overlong_urls) {
  EXPECT_FALSE(parse_webhook_url("ftp://example.com/"));
  EXPECT_FALSE(parse_webhook_url("file:///etc/passwd"));
  EXPECT_FALSE(parse_webhook_url("https://user:pw@example.com/"));
  EXPECT_FALSE(parse_webhook_url("example.com/hook"));
  EXPECT_FALSE(parse_webhook_url(""));
  EXPECT_FALSE(parse_webhook_url("https://example.com/" + std::string(2100, 'a')));
}

TEST(webhook_url, configuration_check_refuses_loopback_unless_allowed) {
  auto refused_now = check_webhook_url("http://127.0.0.1:9/hook", false);
  ASSERT_FALSE(refused_now);
  EXPECT_NE(refused_now.error().message.find("loopback"), std::string::npos);
  EXPECT_FALSE(check_webhook_url("http://localhost:9/hook", false));
  EXPECT_TRUE(check_webhook_url("http://127.0.0.1:9/hook", true));
}

}  // namespace
}  // namespace carechat::net
