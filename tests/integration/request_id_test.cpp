// X-Request-Id: a client's sane id (1-64 of [A-Za-z0-9._-]) is kept, anything else replaced, a
// missing one generated (32 hex digits); the id is echoed and kept in the request's audit row
// (both backends, through this suite). And the request log: CARECHAT_LOG_FORMAT=json makes every
// line one JSON object, one per request, naming the route template and the token id, never the
// message text, the token, the query string or the patient id.
#include <regex>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

const std::regex generated_id(R"(^[0-9a-f]{32}$)");

std::string echoed(const http_result& r) {
  auto it = r.headers.find("x-request-id");
  return it == r.headers.end() ? std::string() : it->second;
}

// The request_id column of the audit rows of `who` whose action is `action` (polls: read rows may
// wait CARECHAT_AUDIT_DELAY_MS for their commit).
std::vector<std::string> audited_request_ids(const std::string& db, const std::string& who, const std::string& action,
                                             std::size_t at_least) {
  std::vector<std::string> ids;
  for (int attempt = 0; attempt < 50; ++attempt) {
    ids.clear();
    auto out = run_cli({"audit", "--db", db, "--patient", who});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    std::istringstream lines(out.out);
    std::string line;
    std::getline(lines, line);  // header
    while (std::getline(lines, line)) {
      std::vector<std::string> c;
      std::istringstream fields(line);
      std::string f;
      while (std::getline(fields, f, '\t')) c.push_back(f);
      if (c.size() == 10 && c[4] == action) ids.push_back(c[9]);
    }
    if (ids.size() >= at_least) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  return ids;
}

TEST_F(chat_server_test, a_sane_request_id_is_echoed) {
  auto r = http_->request("GET", "/healthz", {}, {{"X-Request-Id", "lb-7f3a.c_9-Z"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(echoed(r), "lb-7f3a.c_9-Z");
  // On errors too, and on routes the router never reaches (a 404).
  auto missing = http_->request("GET", "/no/such/thing", {}, {{"X-Request-Id", "abc"}});
  EXPECT_EQ(missing.status, 404u);
  EXPECT_EQ(echoed(missing), "abc");
}

TEST_F(chat_server_test, a_missing_or_bad_request_id_is_replaced_by_a_random_one) {
  const auto a = echoed(http_->request("GET", "/healthz"));
  const auto b = echoed(http_->request("GET", "/healthz"));
  EXPECT_TRUE(std::regex_match(a, generated_id)) << a;
  EXPECT_TRUE(std::regex_match(b, generated_id)) << b;
  EXPECT_NE(a, b);
  for (const std::string& bad : {std::string("has space"), std::string(65, 'a'), std::string("semi;colon"),
                                std::string("quote\"d"), std::string("\xc3\xa9t\xc3\xa9")}) {
    const auto got = echoed(http_->request("GET", "/healthz", {}, {{"X-Request-Id", bad}}));
    EXPECT_TRUE(std::regex_match(got, generated_id)) << "for '" << bad << "': " << got;
  }
  // 64 characters is still sane.
  const std::string longest(64, 'x');
  EXPECT_EQ(echoed(http_->request("GET", "/healthz", {}, {{"X-Request-Id", longest}})), longest);
}

TEST_F(chat_server_test, the_request_id_is_kept_in_the_audit_row) {
  boost::json::object body{{"message", "hello"}};
  auto sent = http_->post_json(chat_path() + "/inbound", patient_, boost::json::serialize(body),
                               {{"X-Request-Id", "send-req-1"}});
  ASSERT_EQ(sent.status, 200u) << sent.body;
  EXPECT_EQ(echoed(sent), "send-req-1");
  auto read =
      http_->request("GET", chat_path(), {}, {{"Authorization", "Bearer " + user_}, {"X-Request-Id", "read-req-2"}});
  ASSERT_EQ(read.status, 200u);
  auto refused = http_->request("GET", chat_path(), {},
                                {{"Authorization", "Bearer " + other_patient_}, {"X-Request-Id", "bad id"}});
  ASSERT_EQ(refused.status, 403u);
  const std::string replaced = echoed(refused);
  ASSERT_TRUE(std::regex_match(replaced, generated_id)) << replaced;

  EXPECT_EQ(audited_request_ids(db_, patient, "send_inbound", 1), std::vector<std::string>{"send-req-1"});
  // The read rows: the user's and the refused patient's (its replaced id, as echoed).
  auto reads = audited_request_ids(db_, patient, "read", 2);
  std::sort(reads.begin(), reads.end());
  std::vector<std::string> want{"read-req-2", replaced};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(reads, want);

  // The request ids are part of the rows' hashes (domain/audit_chain.hpp): the chains still verify.
  auto verified = run_cli({"audit", "verify", "--db", db_});
  EXPECT_EQ(verified.exit_code, 0) << verified.out << verified.err;
  EXPECT_NE(verified.out.find("OK tenant=gh"), std::string::npos) << verified.out;
}

TEST_F(chat_server_test, json_logs_have_one_object_per_line_and_no_secrets) {
  restart({{"CARECHAT_LOG_FORMAT", "json"}});
  const std::string secret_text = "SECRET-diagnosis-in-json-log";
  ASSERT_EQ(send_inbound(secret_text).status, 200u);
  auto page = http_->request("GET", chat_path() + "?pageSize=5&SECRETQUERY=1", {},
                             {{"Authorization", "Bearer " + user_}, {"X-Request-Id", "json-req-1"}});
  ASSERT_EQ(page.status, 200u);
  ASSERT_EQ(http_->get("/no/such/route", user_).status, 404u);
  const std::string user_token_id = token_id_of_user("u-1");

  // The request lines are written after the answers: wait for the last one.
  server_->log_says("\"unmatched\"");
  const std::string log = server_->log();
  std::vector<json::object> requests;
  std::istringstream lines(log);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("carechat listening on", 0) == 0) continue;  // stdout's one line, not a log line
    json::error_code ec;
    auto v = json::parse(line, ec);
    ASSERT_FALSE(ec) << "not JSON: " << line;
    ASSERT_TRUE(v.is_object()) << line;
    const auto& o = v.as_object();
    for (const char* key : {"time", "level", "component", "msg"}) EXPECT_TRUE(o.contains(key)) << line;
    if (o.at("msg").is_string() && str(o.at("msg")) == "request") requests.push_back(o);
  }
  ASSERT_EQ(requests.size(), 3u) << log;
  const auto& send = requests[0];
  EXPECT_EQ(str(send.at("method")), "POST");
  EXPECT_EQ(str(send.at("route")), "/{tenant}/{instance}/patient/{patientId}/chat/inbound");
  EXPECT_EQ(send.at("status").as_int64(), 200);
  EXPECT_TRUE(send.at("duration_ms").is_number());
  EXPECT_GT(send.at("bytes").as_int64(), 0);
  EXPECT_EQ(str(send.at("principal")).rfind("tk_", 0), 0u);
  const auto& read = requests[1];
  EXPECT_EQ(str(read.at("route")), "/{tenant}/{instance}/patient/{patientId}/chat");
  EXPECT_EQ(str(read.at("request_id")), "json-req-1");
  EXPECT_EQ(str(read.at("principal")), user_token_id);
  const auto& unmatched = requests[2];
  EXPECT_EQ(str(unmatched.at("route")), "unmatched");
  EXPECT_EQ(unmatched.at("status").as_int64(), 404);

  // Never the message text, a token secret, the query string or the patient id.
  for (const std::string& s : {secret_text, std::string("SECRETQUERY"), std::string("pageSize"), patient_, user_,
                               std::string("cc_"), patient})
    EXPECT_EQ(log.find(s), std::string::npos) << s;
}

TEST_F(chat_server_test, an_unknown_log_format_is_refused_at_start) {
  auto r = run_cli({"token", "list", "--db", db_}, {{"CARECHAT_LOG_FORMAT", "xml"}});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("CARECHAT_LOG_FORMAT"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace carechat::testing
