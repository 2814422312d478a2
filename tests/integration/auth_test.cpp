// Authentication (401) and isolation (403): no route answers without a valid token, and no token
// reaches another tenant's, instance's or patient's chat.
#include <chrono>
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

struct route {
  const char* method;
  std::string suffix;  // appended to the chat path
  bool json_body;
};

// Every chat route, with a request that would succeed for an authorised caller.
const std::vector<route>& every_route() {
  static const std::vector<route> r = {
      {"GET", "", false},
      {"GET", "?pageSize=5&includeArchived=true", false},
      {"GET", "/search?query=secret", false},
      {"POST", "/inbound", true},
      {"POST", "/outbound", true},
      {"POST", "/archive?archiveDate=2999-01-01T00:00:00.000Z", false},
      {"POST", "/restore", false},
  };
  return r;
}

class auth_test : public chat_server_test {
 protected:
  // One request on `rt` against `path` with the given Authorization header value (none if empty).
  http_result call(const route& rt, const std::string& path, const std::string& authorization,
                   const std::string& body_text = "should never be stored") {
    std::map<std::string, std::string> h;
    if (!authorization.empty()) h["Authorization"] = authorization;
    std::string body;
    if (rt.json_body) {
      h["Content-Type"] = "application/json";
      json::object b{{"message", body_text}};
      if (std::string(rt.suffix) == "/outbound") b["sender"] = json::object{{"id", "u-5"}, {"titleName", "A B"}};
      body = json::serialize(b);
    }
    return http_->request(rt.method, path + rt.suffix, body, h);
  }

  void seed() {
    ASSERT_EQ(send_inbound("the patient's secret message").status, 200u);
    ASSERT_EQ(send_outbound("the care team's secret reply").status, 200u);
  }

  // Whatever was refused, the chat holds exactly what seed() put there, none of it archived.
  void expect_chat_untouched() {
    auto all = all_messages(user_, false);
    ASSERT_EQ(all.size(), 2u);
    EXPECT_EQ(message_text(all[0]), "the care team's secret reply");
  }
};

TEST_F(auth_test, missing_authorization_is_401_with_a_bearer_challenge) {
  seed();
  for (const auto& rt : every_route()) {
    auto r = call(rt, chat_path(), "");
    expect_error(r, 401, "unauthorized");
    EXPECT_EQ(r.headers["www-authenticate"], "Bearer") << rt.method << " " << rt.suffix;
  }
  expect_chat_untouched();
}

TEST_F(auth_test, malformed_and_unknown_tokens_are_401) {
  seed();
  const std::vector<std::string> bad = {
      "Bearer",                                                 // no token
      "Bearer ",                                                // empty token
      "Basic dXNlcjpwYXNz",                                     // another scheme
      "Bearer garbage",                                         // not a token
      "Bearer cc_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA",  // well-formed, never issued
      "Bearer " + user_ + "x",                                  // a real one, altered
      "Bearer " + user_.substr(0, user_.size() - 1),            // a real one, truncated
      "Bearer " + user_ + " " + user_,                          // two tokens
      user_,                                                    // no scheme
  };
  for (const auto& rt : every_route())
    for (const auto& h : bad) {
      auto r = call(rt, chat_path(), h);
      expect_error(r, 401, "unauthorized");
      EXPECT_EQ(r.headers["www-authenticate"], "Bearer");
    }
  // The scheme is case-insensitive (RFC 7235): this one is fine.
  EXPECT_EQ(http_->request("GET", chat_path(), {}, {{"Authorization", "bearer " + user_}}).status, 200u);
  expect_chat_untouched();
}

TEST_F(auth_test, revoked_token_is_refused_while_the_server_runs) {
  seed();
  const std::string doomed = mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "user", "--user",
                                        "u-doomed", "--name", "Doomed User"});
  ASSERT_EQ(http_->get(chat_path(), doomed).status, 200u);
  const std::string id = token_id_of_user("u-doomed");
  ASSERT_EQ(id.rfind("tk_", 0), 0u) << id;
  auto revoked = run_cli({"token", "revoke", "--db", db_, id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;

  // The server cached the token when it was used above; the revocation (made by another process)
  // reaches it within CARECHAT_TOKEN_RECHECK_MS (250 ms). Give it a generous 5 s before failing.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (http_->get(chat_path(), doomed).status == 200u && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  for (const auto& rt : every_route()) expect_error(call(rt, chat_path(), "Bearer " + doomed), 401, "unauthorized");
  // The listing shows it revoked; other tokens still work; revoking twice or an unknown id fails.
  auto list = run_cli({"token", "list", "--db", db_});
  EXPECT_EQ(list.out.find(user_), std::string::npos) << "token list never prints secrets";
  EXPECT_EQ(http_->get(chat_path(), user_).status, 200u);
  EXPECT_NE(run_cli({"token", "revoke", "--db", db_, "tk_doesnotexist"}).exit_code, 0);
  expect_chat_untouched();
}

TEST_F(auth_test, user_of_another_tenant_is_403_on_every_route) {
  seed();
  for (const auto& rt : every_route()) {
    auto r = call(rt, chat_path(), "Bearer " + foreign_user_);
    expect_error(r, 403, "forbidden");
    EXPECT_EQ(r.body.find("secret"), std::string::npos);
  }
  expect_chat_untouched();
}

TEST_F(auth_test, tokens_are_403_in_another_instance) {
  // The patient's own chat id, but under another instance of the same tenant.
  const std::string elsewhere = chat_path(patient, tenant, "sb-other");
  for (const std::string& t : {user_, patient_, client_})
    for (const auto& rt : every_route()) expect_error(call(rt, elsewhere, "Bearer " + t), 403, "forbidden");
  auto inst_user = mint(db_, {"--tenant", tenant, "--instance", "sb-other", "--role", "user", "--user", "u-2", "--name",
                              "Other Instance"});
  EXPECT_TRUE(all_messages(inst_user, true, elsewhere).empty()) << "nothing was stored by the refused sends";
}

TEST_F(auth_test, patient_token_on_another_patients_chat_is_403_on_every_route) {
  seed();
  for (const auto& rt : every_route()) {
    auto r = call(rt, chat_path(), "Bearer " + other_patient_);
    expect_error(r, 403, "forbidden");
    EXPECT_EQ(r.body.find("secret"), std::string::npos) << "never data";
  }
  // Including with a page token the other patient could have seen in a URL.
  auto page = json_of(http_->get(chat_path() + "?pageSize=1", user_));
  const std::string next = str(page.at("meta").at("nextPageToken"));
  expect_error(http_->get(chat_path() + "?pageToken=" + url_encode(next), other_patient_), 403, "forbidden");
  expect_chat_untouched();
  // And the other patient's own chat received nothing either.
  EXPECT_TRUE(all_messages(user_, true, chat_path(other_patient)).empty());
}

TEST_F(auth_test, role_rules_for_sends) {
  seed();
  expect_error(call(every_route()[4], chat_path(), "Bearer " + patient_), 403, "forbidden");  // outbound
  expect_error(call(every_route()[3], chat_path(), "Bearer " + user_), 403, "forbidden");     // inbound
  expect_chat_untouched();
}

}  // namespace
}  // namespace carechat::testing
