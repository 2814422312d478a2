#include "net/client_address.hpp"

#include <gtest/gtest.h>

namespace carechat::net {
namespace {

trusted_proxies proxies(std::string_view list) {
  auto p = trusted_proxies::parse(list);
  EXPECT_TRUE(p) << list;
  return p ? *p : trusted_proxies{};
}

std::optional<std::string> parsed(std::string_view text) {
  auto a = parse_forwarded_address(text);
  if (!a) return std::nullopt;
  return a->to_string();
}

TEST(client_address, forwarded_entries_in_every_usual_form) {
  EXPECT_EQ(parsed("192.0.2.7"), "192.0.2.7");
  EXPECT_EQ(parsed("  192.0.2.7\t"), "192.0.2.7");
  EXPECT_EQ(parsed("192.0.2.7:8443"), "192.0.2.7");
  EXPECT_EQ(parsed("2001:db8::1"), "2001:db8::1");
  EXPECT_EQ(parsed("[2001:db8::1]"), "2001:db8::1");
  EXPECT_EQ(parsed("[2001:db8::1]:443"), "2001:db8::1");
  EXPECT_EQ(parsed("::ffff:192.0.2.7"), "192.0.2.7");   // IPv4-mapped: the IPv4 address, one key for both
  EXPECT_EQ(parsed("2001:DB8:0:0::1"), "2001:db8::1");  // one spelling per address
}

TEST(client_address, garbage_is_no_address) {
  for (const char* bad : {"", " ", "unknown", "example.org", "192.0.2", "192.0.2.256", "192.0.2.7:", "192.0.2.7:x",
                          "192.0.2.7:123456", "[192.0.2.7]", "[2001:db8::1", "[2001:db8::1]x", "2001:db8::1%eth0",
                          "fe80::1%1", "_hidden", "1.2.3.4, 5.6.7.8", "<script>"})
    EXPECT_FALSE(parse_forwarded_address(bad)) << bad;
  EXPECT_FALSE(parse_forwarded_address(std::string(100, '1')));
}

TEST(client_address, trusted_list_matches_addresses_and_cidr_networks) {
  const auto p = proxies(" 10.0.0.0/8, 127.0.0.1 ,192.168.1.0/24, fd00::/8, ::1, 203.0.113.9/32");
  EXPECT_TRUE(p.contains(*parse_forwarded_address("10.255.1.2")));
  EXPECT_TRUE(p.contains(*parse_forwarded_address("127.0.0.1")));
  EXPECT_FALSE(p.contains(*parse_forwarded_address("127.0.0.2")));
  EXPECT_TRUE(p.contains(*parse_forwarded_address("192.168.1.200")));
  EXPECT_FALSE(p.contains(*parse_forwarded_address("192.168.2.1")));
  EXPECT_FALSE(p.contains(*parse_forwarded_address("11.0.0.1")));
  EXPECT_TRUE(p.contains(*parse_forwarded_address("fd12:3456::1")));
  EXPECT_FALSE(p.contains(*parse_forwarded_address("fe80::2")));
  EXPECT_TRUE(p.contains(*parse_forwarded_address("::1")));
  EXPECT_TRUE(p.contains(*parse_forwarded_address("203.0.113.9")));
  EXPECT_FALSE(p.contains(*parse_forwarded_address("203.0.113.10")));
  // An IPv4-mapped peer (a dual-stack listener) is its IPv4 address.
  EXPECT_TRUE(p.contains(boost::asio::ip::make_address("::ffff:10.1.2.3")));
  // Host bits of a network are cleared: 10.1.2.3/16 is 10.1.0.0/16.
  const auto q = proxies("10.1.2.3/16");
  EXPECT_TRUE(q.contains(*parse_forwarded_address("10.1.200.1")));
  EXPECT_FALSE(q.contains(*parse_forwarded_address("10.2.0.1")));
  EXPECT_TRUE(proxies("0.0.0.0/0").contains(*parse_forwarded_address("8.8.8.8")));
  EXPECT_TRUE(proxies("").empty());
}

TEST(client_address, trusted_list_refuses_what_is_not_an_address_or_network) {
  for (const char* bad : {"proxy.local", "10.0.0.0/33", "::1/129", "10.0.0.0/", "10.0.0.0/x", "10.0.0.0/8/8",
                          "127.0.0.1, nonsense", "[::1]", "10.0.0.1:80", "fe80::1%eth0"}) {
    auto p = trusted_proxies::parse(bad);
    EXPECT_FALSE(p) << bad;
    if (!p) {
      EXPECT_NE(p.error().message.find("CIDR"), std::string::npos) << p.error().message;
    }
  }
}

TEST(client_address, the_peer_without_a_trusted_proxy_whatever_the_header_says) {
  const trusted_proxies none;
  EXPECT_EQ(client_address("192.0.2.7", {"203.0.113.1"}, none), "192.0.2.7");
  // A peer that is not in the list: its X-Forwarded-For is ignored.
  const auto p = proxies("10.0.0.1");
  EXPECT_EQ(client_address("192.0.2.7", {"203.0.113.1"}, p), "192.0.2.7");
  EXPECT_EQ(client_address("::ffff:192.0.2.7", {}, p), "192.0.2.7");
  EXPECT_EQ(client_address("", {"203.0.113.1"}, p), "");  // the socket was already gone
}

TEST(client_address, behind_trusted_proxies_the_right_most_untrusted_hop) {
  const auto p = proxies("10.0.0.0/8, ::1");
  // The client wrote "6.6.6.6" itself; the proxy appended what it saw.
  EXPECT_EQ(client_address("10.0.0.1", {"6.6.6.6, 198.51.100.4"}, p), "198.51.100.4");
  // Two proxies in a row, spaces, and the header split over two fields.
  EXPECT_EQ(client_address("10.0.0.1", {"6.6.6.6 ,198.51.100.4", " 10.2.3.4 "}, p), "198.51.100.4");
  EXPECT_EQ(client_address("::1", {"[2001:db8::5]:51000"}, p), "2001:db8::5");
  EXPECT_EQ(client_address("10.0.0.1", {"2001:db8::5, ::1"}, p), "2001:db8::5");
  // No header: the proxy itself is the client.
  EXPECT_EQ(client_address("10.0.0.1", {}, p), "10.0.0.1");
  // Only trusted hops: the left-most one.
  EXPECT_EQ(client_address("10.0.0.1", {"10.9.9.9, 10.8.8.8"}, p), "10.9.9.9");
  // Garbage ends the walk at the last trusted hop; nothing left of it is believed.
  EXPECT_EQ(client_address("10.0.0.1", {"198.51.100.4, garbage"}, p), "10.0.0.1");
  EXPECT_EQ(client_address("10.0.0.1", {"198.51.100.4, unknown, 10.7.7.7"}, p), "10.7.7.7");
  EXPECT_EQ(client_address("10.0.0.1", {",,, ,"}, p), "10.0.0.1");
}

}  // namespace
}  // namespace carechat::net
