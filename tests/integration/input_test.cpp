// Bad input is refused with a clear 4xx JSON error and changes nothing; the transport limits
// (body size, header size) hold; unknown routes, wrong methods and malformed ids are refused.
#include <chrono>
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

std::string repeat(const std::string& s, std::size_t n) {
  std::string out;
  out.reserve(s.size() * n);
  for (std::size_t i = 0; i < n; ++i) out += s;
  return out;
}

class input_test : public chat_server_test {
 protected:
  void SetUp() override {
    chat_server_test::SetUp();
    ASSERT_EQ(send_inbound("before").status, 200u);
  }
  http_result post_inbound(const std::string& body, const std::string& content_type = "application/json") {
    std::map<std::string, std::string> h{{"Authorization", "Bearer " + patient_}};
    if (!content_type.empty()) h["Content-Type"] = content_type;
    return http_->request("POST", chat_path() + "/inbound", body, h);
  }
  // The request line and headers of an inbound send, up to and including the blank line.
  std::string head(const std::string& framing) {
    return "POST " + chat_path() + "/inbound HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer " + patient_ +
           "\r\nContent-Type: application/json\r\n" + framing + "\r\n";
  }
};

TEST_F(input_test, body_that_is_not_json_is_400) {
  for (const std::string b :
       {"hello", "{", "", "{\"message\":\"x\"} trailing", "{'message':'x'}", "{\"message\":\"x\",}"})
    expect_error(post_inbound(b), 400, "bad_request");
  expect_error(post_inbound(repeat("[", 100) + repeat("]", 100)), 400, "bad_request");
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, wrong_content_type_is_415) {
  const std::string ok_body = R"({"message":"typed"})";
  for (const std::string ct : {"text/plain", "application/x-www-form-urlencoded", "application/jsonx",
                               "application/json; charset=latin1", "multipart/form-data; boundary=x"})
    expect_error(post_inbound(ok_body, ct), 415, "unsupported_media_type");
  expect_error(post_inbound(ok_body, ""), 415, "unsupported_media_type");
  EXPECT_EQ(count_messages(), 1u);
  // The same body with an acceptable type goes through (any case, a UTF-8 charset).
  EXPECT_EQ(post_inbound(ok_body, "Application/JSON; charset=UTF-8").status, 200u);
  EXPECT_EQ(count_messages(), 2u);
}

TEST_F(input_test, message_must_be_present_and_a_string) {
  for (const std::string b :
       {"{}", R"({"msg":"x"})", R"({"Message":"x"})", R"({"message":42})", R"({"message":null})", R"({"message":true})",
        R"({"message":["x"]})", R"({"message":{"text":"x"}})", "[]", R"(["message","x"])", R"("message")", "null", "7"})
    expect_error(post_inbound(b), 400, "bad_request");
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, empty_or_blank_message_is_400) {
  for (const std::string m : {"", " ", "   ", "\t", "\n", " \r\n\t "})
    expect_error(post_inbound(json::serialize(json::object{{"message", m}})), 400, "bad_request");
  // Outbound too.
  expect_error(http_->post_json(chat_path() + "/outbound", user_, R"({"message":"  "})"), 400, "bad_request");
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, invalid_utf8_is_400) {
  const std::vector<std::string> bad = {
      "a\xff b",           // never valid
      "\xc0\xaf",          // overlong '/'
      "\xe2\x82",          // truncated sequence
      "\xed\xa0\x80",      // a UTF-16 surrogate encoded as UTF-8
      "\xf4\x90\x80\x80",  // above U+10FFFF
      "\x80",              // lone continuation byte
  };
  for (const auto& b : bad) expect_error(post_inbound("{\"message\":\"" + b + "\"}"), 400, "bad_request");
  // A lone surrogate escape decodes to no valid character either.
  expect_error(post_inbound(R"({"message":"\ud800"})"), 400, "bad_request");
  EXPECT_EQ(count_messages(), 1u);
  // Valid multi-byte text, raw and escaped, is fine and comes back byte for byte.
  auto r = post_inbound("{\"message\":\"caf\xc3\xa9 \xf0\x9f\x98\x80 \\u00e9\"}");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r).at("message").as_string(), "caf\xc3\xa9 \xf0\x9f\x98\x80 \xc3\xa9");
}

TEST_F(input_test, control_characters_are_400_but_typed_whitespace_is_kept) {
  for (const std::string m : {R"(nul\u0000byte)", R"(bell\u0007)", R"(esc\u001b[31m)", R"(del\u007f)"})
    expect_error(post_inbound("{\"message\":\"" + m + "\"}"), 400, "bad_request");
  EXPECT_EQ(count_messages(), 1u);
  auto r = post_inbound(R"({"message":"line one\nline two\r\n\tindented"})");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r).at("message").as_string(), "line one\nline two\r\n\tindented");
}

TEST_F(input_test, message_length_is_counted_in_characters) {
  struct sample {
    std::string unit;  // one character
    const char* what;
  };
  std::size_t stored = 1;
  for (const sample& s : {sample{"a", "ASCII"}, sample{"\xc3\xa9", "2-byte"}, sample{"\xe2\x82\xac", "3-byte"},
                          sample{"\xf0\x9f\x98\x80", "4-byte"}}) {
    auto ok = post_inbound(json::serialize(json::object{{"message", repeat(s.unit, 10'000)}}));
    ASSERT_EQ(ok.status, 200u) << s.what << ": " << ok.body.substr(0, 200);
    EXPECT_EQ(json_of(ok).at("message").as_string().size(), 10'000 * s.unit.size()) << s.what;
    ++stored;
    expect_error(post_inbound(json::serialize(json::object{{"message", repeat(s.unit, 10'001)}})), 400, "bad_request");
  }
  EXPECT_EQ(count_messages(), stored);
}

TEST_F(input_test, body_at_the_limit_is_read_and_one_byte_more_is_413) {
  // Exactly 1 MiB: a short message padded with JSON whitespace, so only the transport limit matters.
  const std::string prefix = R"({"message":"padded"})";
  const std::string at_limit = prefix + std::string((1u << 20) - prefix.size(), ' ');
  ASSERT_EQ(at_limit.size(), 1u << 20);
  auto r = post_inbound(at_limit);
  EXPECT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(count_messages(), 2u);

  // One byte more, sent whole over a raw socket while the answer is read.
  raw_connection c(server_->port());
  const std::string over = at_limit + " ";
  std::thread writer([&] { c.send(head("Content-Length: " + std::to_string(over.size()) + "\r\n") + over); });
  auto res = c.read_response(10s);
  writer.join();
  ASSERT_TRUE(res) << "no answer to an oversized body";
  expect_error(*res, 413, "payload_too_large");
  EXPECT_EQ(count_messages(), 2u);
}

TEST_F(input_test, oversized_content_length_is_refused_before_the_body_arrives) {
  raw_connection c(server_->port());
  ASSERT_TRUE(c.send(head("Content-Length: 104857600\r\n")));  // 100 MiB announced, none sent
  const auto t0 = std::chrono::steady_clock::now();
  auto res = c.read_response(5s);
  const auto waited = std::chrono::steady_clock::now() - t0;
  ASSERT_TRUE(res) << "the server waited for a body it will never accept";
  EXPECT_LT(waited, 2s);
  expect_error(*res, 413, "payload_too_large");
  EXPECT_EQ(res->headers["connection"], "close");
  EXPECT_TRUE(c.closed_by_peer(2s)) << "the connection is closed rather than left to read 100 MiB";

  // A client that asks first (Expect: 100-continue) is told 413, never invited to send.
  raw_connection asking(server_->port());
  ASSERT_TRUE(asking.send(head("Content-Length: 2097152\r\nExpect: 100-continue\r\n")));
  auto refused = asking.read_response(5s);
  ASSERT_TRUE(refused);
  expect_error(*refused, 413, "payload_too_large");
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, oversized_chunked_body_is_413) {
  raw_connection c(server_->port());
  ASSERT_TRUE(c.send(head("Transfer-Encoding: chunked\r\n")));
  std::atomic<std::size_t> sent{0};
  std::thread writer([&] {
    const std::string chunk = "10000\r\n" + std::string(0x10000, 'x') + "\r\n";  // 64 KiB each
    // Up to 64 MiB, far beyond what socket buffers absorb, until the server stops the upload.
    for (int i = 0; i < 1024 && c.send(chunk); ++i) sent += 0x10000;
  });
  auto res = c.read_response(10s);
  writer.join();
  ASSERT_TRUE(res) << "no answer to an oversized chunked body";
  expect_error(*res, 413, "payload_too_large");
  EXPECT_LT(sent.load(), 64u << 20) << "the server kept reading past the limit";
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, chunked_body_within_the_limit_is_accepted) {
  raw_connection c(server_->port());
  const std::string a = R"({"message":"chun)", b = R"(ked"})";
  auto hex = [](std::size_t n) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%zx", n);
    return std::string(buf);
  };
  ASSERT_TRUE(c.send(head("Transfer-Encoding: chunked\r\n") + hex(a.size()) + "\r\n" + a + "\r\n" + hex(b.size()) +
                     "\r\n" + b + "\r\n0\r\n\r\n"));
  auto res = c.read_response(5s);
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200u) << res->body;
  EXPECT_EQ(json::parse(res->body).at("message").as_string(), "chunked");
  EXPECT_EQ(count_messages(), 2u);
}

TEST_F(input_test, oversized_headers_are_431) {
  auto r = http_->request("GET", chat_path(), {},
                          {{"Authorization", "Bearer " + user_}, {"X-Big", std::string(20'000, 'a')}});
  EXPECT_EQ(r.status, 431u);
  EXPECT_EQ(http_->get(chat_path(), user_).status, 200u) << "a new connection works";
}

TEST_F(input_test, a_malformed_request_is_answered_400_not_reset) {
  for (const std::string& bad : {std::string("GET /healthz HTTP/1.1\r\nBad Header Name: x\r\n\r\n"),
                                  std::string("G@T /healthz HTTP/1.1\r\n\r\n")}) {
    raw_connection c(server_->port());
    ASSERT_TRUE(c.send(bad));
    auto res = c.read_response(5s);
    ASSERT_TRUE(res) << "no answer to " << bad;
    expect_error(*res, 400, "bad_request");
  }
  EXPECT_EQ(http_->get(chat_path(), user_).status, 200u) << "a new connection works";
}

TEST_F(input_test, unknown_routes_are_404) {
  const std::string p = "/gh/sb-demo/patient/" + patient;
  for (const std::string& t : std::vector<std::string>{
           "/", "/nope", "/gh", "/gh/sb-demo/patient/" + patient, p + "/chats", p + "/chat/unknown",
           p + "/chat/inbound/extra", "/gh/sb-demo/patients/" + patient + "/chat", "/gh/sb-demo/patient/chat",
           "/gh/sb-demo/patient/" + patient + "/chat/search/x", "/healthz/x"})
    expect_error(http_->get(t, user_), 404, "not_found");
  expect_error(http_->request("POST", p + "/chat/send", R"({"message":"x"})",
                              {{"Authorization", "Bearer " + patient_}, {"Content-Type", "application/json"}}),
               404, "not_found");
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, wrong_method_is_405_with_allow) {
  const std::map<std::string, std::string> auth{{"Authorization", "Bearer " + user_}};
  struct probe {
    const char* method;
    std::string path;
    const char* allow;
  };
  const std::string p = chat_path();
  for (const probe& pr : {probe{"GET", p + "/inbound", "POST"}, probe{"GET", p + "/outbound", "POST"},
                          probe{"GET", p + "/archive", "POST"}, probe{"GET", p + "/restore", "POST"},
                          probe{"PUT", p + "/inbound", "POST"}, probe{"DELETE", p + "/archive", "POST"},
                          probe{"POST", p, "GET"}, probe{"DELETE", p, "GET"}, probe{"PATCH", p, "GET"},
                          probe{"POST", p + "/search", "GET"}, probe{"POST", "/healthz", "GET"}}) {
    auto r = http_->request(pr.method, pr.path, {}, auth);
    expect_error(r, 405, "method_not_allowed");
    EXPECT_EQ(r.headers["allow"], pr.allow) << pr.method << " " << pr.path;
  }
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, malformed_path_ids_are_400) {
  const std::string tail = "/chat";
  const std::vector<std::string> bad = {
      "/gh/sb-demo/patient/bad!id/chat",
      "/gh/sb-demo/patient/a%20b/chat",
      "/gh/sb-demo/patient/" + std::string(65, 'p') + "/chat",
      "/gh/sb-demo/patient/..%2F..%2Fetc/chat",
      "/gh/sb-demo/patient/%C3%A9/chat",
      "/gh/sb-demo/patient/x%00y/chat",
      "/g@h/sb-demo/patient/" + patient + "/chat",
      "/gh/sb%3Bdemo/patient/" + patient + "/chat",
      "/gh//patient/" + patient + "/chat",
  };
  for (const auto& t : bad) {
    expect_error(http_->get(t, user_), 400, "bad_request");
    expect_error(http_->request("POST", t.substr(0, t.size() - tail.size()) + "/chat/inbound", R"({"message":"x"})",
                                {{"Authorization", "Bearer " + patient_}, {"Content-Type", "application/json"}}),
                 400, "bad_request");
  }
  // 64 characters of the allowed alphabet is an id.
  EXPECT_EQ(http_->get("/gh/sb-demo/patient/" + std::string(64, 'p') + "/chat", user_).status, 200u);
  EXPECT_EQ(http_->get("/gh/sb-demo/patient/A.b_c-9/chat", user_).status, 200u);
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(input_test, healthz_is_200_without_a_token) {
  auto r = http_->request("GET", "/healthz");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"status":"ok"})"));
  EXPECT_EQ(http_->request("GET", "/healthz?probe=1").status, 200u);
}

// Readiness for a load balancer: ready while the database answers with the schema this build runs
// on; a schema migrated past it (a newer node upgraded the database) takes the node out.
TEST_F(input_test, readyz_is_200_while_the_database_is_usable) {
  auto r = http_->request("GET", "/readyz");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json::parse(r.body), json::parse(R"({"status":"ready"})"));
  expect_error(http_->request("POST", "/readyz"), 405, "method_not_allowed");
  if (database_.postgres()) {
    database_.schema().exec("INSERT INTO carechat_schema_versions (version, description) VALUES (999, 'newer')");
  } else {
    ASSERT_EQ(std::system(("sqlite3 '" + db_ + "' 'PRAGMA user_version = 999;'").c_str()), 0);
  }
  auto newer = http_->request("GET", "/readyz");
  expect_error(newer, 503, "unavailable");
  EXPECT_EQ(newer.headers["retry-after"], "1");
  EXPECT_EQ(http_->request("GET", "/healthz").status, 200u) << "alive, just not ready";
}

}  // namespace
}  // namespace carechat::testing
