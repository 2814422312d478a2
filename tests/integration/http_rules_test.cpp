// The HTTP and input rules of docs/api/openapi.yaml ("HTTP rules", "Text rules") as a client
// meets them: one valid Host before anything is routed, HTTP/1.0 and 1.1 only, the idle and the
// request timers, text/plain errors on web routes and JSON everywhere else, duplicate JSON keys,
// and which characters count as whitespace or as refused controls.
#include <chrono>
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class http_rules_test : public chat_server_test {
 protected:
  // A raw request and its one answer, on a connection of its own.
  std::optional<http_result> raw(const std::string& bytes) {
    raw_connection c(server_->port());
    if (!c.send(bytes)) return std::nullopt;
    return c.read_response(5s);
  }
  std::string send_request(const std::string& host_lines, const std::string& body = R"({"message":"no host"})") {
    return "POST " + chat_path() + "/inbound HTTP/1.1\r\n" + host_lines + "Authorization: Bearer " + patient_ +
           "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
  }
  http_result post_inbound(const std::string& body) {
    return http_->request("POST", chat_path() + "/inbound", body,
                          {{"Authorization", "Bearer " + patient_}, {"Content-Type", "application/json"}});
  }
  static void expect_plain(const http_result& r, unsigned status) {
    EXPECT_EQ(r.status, status) << r.body;
    auto it = r.headers.find("content-type");
    ASSERT_TRUE(it != r.headers.end());
    EXPECT_EQ(it->second.rfind("text/plain", 0), 0u) << it->second;
  }
};

TEST_F(http_rules_test, a_request_without_one_valid_host_is_400_and_changes_nothing) {
  const std::vector<std::string> bad_hosts = {
      "",                                               // no Host at all
      "Host: 127.0.0.1\r\nHost: 127.0.0.1\r\n",         // two, even equal
      "Host: evil.example\r\nHost: 127.0.0.1\r\n",      // two, different
      "Host: exa mple:99999\r\n",                       // a space, a port out of range
      "Host: example.org:99999\r\n",                    // a port out of range
      "Host: example.org:\r\n",                         // an empty port
      "Host: user@example.org\r\n",                     // userinfo
      "Host: \r\n",                                     // empty
      "Host: [::1\r\n",                                 // an unclosed IPv6 literal
  };
  for (const auto& h : bad_hosts) {
    auto r = raw(send_request(h));
    ASSERT_TRUE(r) << "no answer for " << h;
    expect_error(*r, 400, "bad_request");
  }
  EXPECT_EQ(count_messages(), 0u) << "a send without a valid Host is not stored";
  for (const std::string h : {"Host: 127.0.0.1\r\n", "Host: localhost:8080\r\n", "Host: [::1]:1\r\n",
                              "Host: chat.example.org\r\n"}) {
    auto r = raw(send_request(h, R"({"message":"with a host"})"));
    ASSERT_TRUE(r) << h;
    EXPECT_EQ(r->status, 200u) << h << r->body;
  }
  EXPECT_EQ(count_messages(), 4u);
}

// Two Host headers once let the WebSocket Origin check compare against the first, so an evil page
// whose origin matched that first Host was upgraded.
TEST_F(http_rules_test, a_websocket_upgrade_with_two_hosts_is_refused_whatever_the_origin) {
  const std::string own = "127.0.0.1:" + std::to_string(server_->port());
  auto upgrade = [&](const std::string& host_lines, const std::string& origin) {
    return "GET " + chat_path() + "/events HTTP/1.1\r\n" + host_lines + "Origin: " + origin +
           "\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Version: 13\r\n"
           "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Protocol: carechat.v1, bearer." +
           user_ + "\r\n\r\n";
  };
  auto evil = raw(upgrade("Host: evil.example\r\nHost: " + own + "\r\n", "http://evil.example"));
  ASSERT_TRUE(evil);
  expect_error(*evil, 400, "bad_request");
  auto reversed = raw(upgrade("Host: " + own + "\r\nHost: evil.example\r\n", "http://evil.example"));
  ASSERT_TRUE(reversed);
  expect_error(*reversed, 400, "bad_request");
  // One Host: the server's own origin is upgraded, another is refused (403, as before).
  auto same = raw(upgrade("Host: " + own + "\r\n", "http://" + own));
  ASSERT_TRUE(same);
  EXPECT_EQ(same->status, 101u) << same->body;
  auto cross = raw(upgrade("Host: " + own + "\r\n", "http://evil.example"));
  ASSERT_TRUE(cross);
  expect_error(*cross, 403, "forbidden");
}

TEST_F(http_rules_test, http_1_0_is_served_with_a_host_and_other_versions_are_505) {
  raw_connection c(server_->port());
  ASSERT_TRUE(c.send("GET " + chat_path() + " HTTP/1.0\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + user_ +
                     "\r\n\r\n"));
  auto r = c.read_response(5s);
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 200u) << r->body;
  EXPECT_TRUE(json_of(*r).as_object().contains("content"));
  EXPECT_TRUE(c.closed_by_peer(5s)) << "HTTP/1.0 without keep-alive closes after the answer";

  auto no_host = raw("GET /healthz HTTP/1.0\r\n\r\n");
  ASSERT_TRUE(no_host);
  expect_error(*no_host, 400, "bad_request");
  for (const std::string v : {"HTTP/1.2", "HTTP/0.9", "HTTP/9.9", "HTTP/2.0"}) {
    auto other = raw("GET /healthz " + v + "\r\nHost: 127.0.0.1\r\n\r\n");
    ASSERT_TRUE(other) << v;
    expect_error(*other, 505, "version_not_supported");
  }
}

TEST_F(http_rules_test, a_header_that_trickles_in_is_cut_by_the_request_timer_not_the_idle_one) {
  restart({{"CARECHAT_REQUEST_TIMEOUT_MS", "1000"}, {"CARECHAT_IDLE_TIMEOUT_MS", "20000"}});
  // Idle (no byte of a request yet): kept past the request timer.
  raw_connection idle(server_->port());
  std::this_thread::sleep_for(2500ms);
  ASSERT_TRUE(idle.send("GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  auto r = idle.read_response(5s);
  ASSERT_TRUE(r) << "an idle connection outlived the request timer";
  EXPECT_EQ(r->status, 200u);

  // A header sent a byte every 200 ms: cut about 1 s after its first byte, long before the idle
  // timer (20 s) would have.
  raw_connection slow(server_->port());
  const std::string header = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: " + std::string(100, 'a');
  const auto start = std::chrono::steady_clock::now();
  bool cut = false;
  for (char ch : header) {
    if (!slow.send(std::string(1, ch))) {
      cut = true;
      break;
    }
    if (slow.closed_by_peer(200ms)) {
      cut = true;
      break;
    }
  }
  const auto took = std::chrono::steady_clock::now() - start;
  EXPECT_TRUE(cut) << "the trickling header was never cut";
  EXPECT_LT(took, 10s) << "cut by the idle timer, not the request timer";
}

TEST_F(http_rules_test, web_routes_answer_errors_as_text_and_everything_else_as_json) {
  expect_plain(http_->request("GET", "/app/gh"), 404);
  expect_plain(http_->request("GET", "/assets/no-such-file.js"), 404);
  expect_plain(http_->request("POST", "/portal/gh/sb-demo/patient/p-1"), 405);
  auto host = raw("GET /app/gh/sb-demo/patient/p-1 HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(host);
  expect_plain(*host, 400);
  expect_error(http_->request("GET", "/application"), 404, "not_found");
  expect_error(http_->request("GET", "/no/such/route"), 404, "not_found");
  auto api_host = raw("GET /healthz HTTP/1.1\r\n\r\n");
  ASSERT_TRUE(api_host);
  expect_error(*api_host, 400, "bad_request");
}

TEST_F(http_rules_test, a_json_body_with_a_duplicate_key_is_400_and_changes_nothing) {
  for (const std::string b : {R"({"message":"a","message":"b"})", R"({"message":"a","\u006dessage":"b"})",
                              R"({"message":"a","sender":{"id":"u-1","id":"u-2"}})"})
    expect_error(post_inbound(b), 400, "bad_request");
  expect_error(http_->request("POST", chat_path() + "/read", R"({"upTo":"IMx","upTo":"IMy"})",
                              {{"Authorization", "Bearer " + user_}, {"Content-Type", "application/json"}}),
               400, "bad_request");
  EXPECT_EQ(count_messages(), 0u);
  // Equal keys in different objects are not duplicates.
  auto ok = http_->post_json(chat_path() + "/outbound", client_,
                             R"({"message":"hi","sender":{"id":"u-1","titleName":"Root Root"},"id":"x"})");
  EXPECT_EQ(ok.status, 200u) << ok.body;
}

TEST_F(http_rules_test, only_whitespace_or_invisible_characters_is_empty_and_c1_controls_are_refused) {
  for (const std::string m : {"\xc2\xa0", "\xe3\x80\x80", "\xe2\x80\xa8", "\xe2\x80\xa9", "\xe2\x80\x8b",
                              "\xef\xbb\xbf", " \xc2\xa0\t\xe2\x80\x83\n", "\xe1\x9a\x80\xe2\x81\x9f"}) {
    auto r = post_inbound(json::serialize(json::object{{"message", m}}));
    expect_error(r, 400, "bad_request");
    EXPECT_NE(json_of(r).at("error").at("message").as_string().find("whitespace"), json::string::npos) << r.body;
  }
  for (const std::string m : {"next\xc2\x85line", "\xc2\x80", "csi\xc2\x9b", "\xc2\x85"}) {
    auto r = post_inbound(json::serialize(json::object{{"message", m}}));
    expect_error(r, 400, "bad_request");
    EXPECT_NE(json_of(r).at("error").at("message").as_string().find("control"), json::string::npos) << r.body;
  }
  EXPECT_EQ(count_messages(), 0u);
  // Whitespace inside text is kept as sent.
  auto ok = post_inbound(json::serialize(json::object{{"message", "10\xc2\xa0mg\xe2\x80\xa8twice daily"}}));
  ASSERT_EQ(ok.status, 200u) << ok.body;
  EXPECT_EQ(json_of(ok).at("message").as_string(), "10\xc2\xa0mg\xe2\x80\xa8twice daily");
}

}  // namespace
}  // namespace carechat::testing
