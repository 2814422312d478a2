// The webhook admin routes: role admin only, secrets masked, the delivery log and redelivery.
#include <thread>

#include "integration/webhook_fixture.hpp"

namespace carechat::testing {
namespace {

using namespace std::chrono_literals;

class webhook_admin_test : public webhook_test {
 protected:
  std::string webhook_path(const std::string& suffix = "") { return "/" + tenant + "/" + instance + "/webhook" + suffix; }
  http_result put_config(const std::string& token, const std::string& body) {
    return http_->request("PUT", webhook_path(), body,
                          {{"Authorization", "Bearer " + token}, {"Content-Type", "application/json"}});
  }
  http_result post(const std::string& target, const std::string& token) {
    return http_->request("POST", target, "", {{"Authorization", "Bearer " + token}});
  }
  std::string config_json() {
    boost::json::object o{{"url", receiver_.url()},
                          {"apiKey", test_api_key},
                          {"apiSecret", test_api_secret},
                          {"signingSecret", test_signing_secret}};
    return boost::json::serialize(o);
  }
  void expect_no_secret(const std::string& text) {
    for (const auto& s : {test_api_key, test_api_secret, test_signing_secret})
      EXPECT_EQ(text.find(s), std::string::npos) << "secret printed in full: " << text;
    EXPECT_EQ(text.find(test_signing_secret.substr(6)), std::string::npos) << text;
  }
};

TEST_F(webhook_admin_test, admin_configures_shows_logs_and_redelivers) {
  auto none = get(webhook_path(), admin_);
  expect_error(none, 404, "not_found");

  auto put = put_config(admin_, config_json());
  ASSERT_EQ(put.status, 200u) << put.body;
  expect_no_secret(put.body);
  auto shown = get(webhook_path(), admin_);
  ASSERT_EQ(shown.status, 200u) << shown.body;
  expect_no_secret(shown.body);
  auto v = json_of(shown).as_object();
  EXPECT_EQ(str(v.at("url")), receiver_.url());
  EXPECT_TRUE(v.at("enabled").as_bool());
  EXPECT_EQ(v.at("events").as_array().size(), 1u);

  const auto ids = send_outbound_all(1, "via route");
  ASSERT_TRUE(wait_delivered(1)) << server_->log();
  http_result log;
  for (int i = 0; i < 50; ++i) {  // the attempt is recorded right after the answer
    log = get(webhook_path("/deliveries?limit=5"), admin_);
    if (log.status == 200 && !json_of(log).at("deliveries").as_array().empty()) break;
    std::this_thread::sleep_for(50ms);
  }
  ASSERT_EQ(log.status, 200u) << log.body;
  expect_no_secret(log.body);
  EXPECT_EQ(log.body.find("via route"), std::string::npos) << "message text in the log";
  const auto log_json = json_of(log);
  const auto& first = log_json.at("deliveries").as_array().at(0).as_object();
  EXPECT_EQ(str(first.at("eventId")), event_id_of(ids[0]));
  EXPECT_EQ(first.at("status").as_int64(), 200);
  EXPECT_EQ(str(first.at("outcome")), "delivered");

  auto again = post(webhook_path("/deliveries/" + event_id_of(ids[0]) + "/redeliver"), admin_);
  ASSERT_EQ(again.status, 200u) << again.body;
  ASSERT_TRUE(wait_delivered(2)) << server_->log();
  EXPECT_EQ(receiver_.delivered().at(1).headers.at("webhook-id"), event_id_of(ids[0]));
  expect_error(post(webhook_path("/deliveries/evt_nope/redeliver"), admin_), 404, "not_found");

  auto off = post(webhook_path("/disable"), admin_);
  ASSERT_EQ(off.status, 200u) << off.body;
  EXPECT_FALSE(json_of(get(webhook_path(), admin_)).at("enabled").as_bool());

  // CLI output never shows secrets either.
  auto cli_show = webhook_cli({"show"});
  ASSERT_EQ(cli_show.exit_code, 0) << cli_show.err;
  expect_no_secret(cli_show.out);
  auto cli_log = webhook_cli({"log"});
  expect_no_secret(cli_log.out);
  for (const std::string bad : {"20x", " 20", "0", "-1", "10001"}) {
    auto refused = webhook_cli({"log", "--limit", bad});
    EXPECT_EQ(refused.exit_code, 2) << "--limit '" << bad << "'";
    EXPECT_NE(refused.err.find("--limit must be 1-10000"), std::string::npos) << refused.err;
  }
  EXPECT_EQ(webhook_cli({"log", "--limit", "5"}).exit_code, 0);

  // Configuration changes and redeliveries are audited, patient "*". Their rows are queued with the
  // writer (fire-and-forget, like reads' rows, so may wait CARECHAT_AUDIT_DELAY_MS): poll.
  cli_result audit;
  for (int attempt = 0; attempt < 50; ++attempt) {
    audit = run_cli({"audit", "--db", db_, "--patient", "*"});
    if (audit.out.find("webhook_disable") != std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_NE(audit.out.find("webhook_set"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("webhook_redeliver"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("webhook_disable"), std::string::npos) << audit.out;
}

TEST_F(webhook_admin_test, other_roles_and_other_instances_get_403) {
  for (const auto* token : {&user_, &patient_, &client_, &foreign_user_}) {
    expect_error(get(webhook_path(), *token), 403, "forbidden");
    expect_error(put_config(*token, config_json()), 403, "forbidden");
    expect_error(post(webhook_path("/disable"), *token), 403, "forbidden");
    expect_error(get(webhook_path("/deliveries"), *token), 403, "forbidden");
  }
  const auto other_admin = mint(db_, {"--tenant", "other-tenant", "--instance", instance, "--role", "admin", "--user",
                                      "adm-9", "--name", "Other Admin"});
  expect_error(get(webhook_path(), other_admin), 403, "forbidden");
  expect_error(get(webhook_path(), "cc_not-a-token"), 401, "unauthorized");
  // An admin is staff too: it may send to the patient.
  boost::json::object body{{"message", "from the admin"}};
  EXPECT_EQ(http_->post_json(chat_path() + "/outbound", admin_, boost::json::serialize(body)).status, 200u);
}

TEST_F(webhook_admin_test, bad_configurations_are_400) {
  expect_error(put_config(admin_, "not json"), 400, "bad_request");
  expect_error(put_config(admin_, R"({"url":"ftp://x/","apiKey":"k","apiSecret":"s"})"), 400, "bad_request");
  expect_error(put_config(admin_, R"({"url":"http://127.0.0.1:1/","apiKey":"k"})"), 400, "bad_request");
  boost::json::object o{{"url", receiver_.url()}, {"apiKey", "k"}, {"apiSecret", "s"}, {"events", {"nope"}}};
  expect_error(put_config(admin_, boost::json::serialize(o)), 400, "bad_request");
  auto wrong_method = http_->request("DELETE", webhook_path(), "", {{"Authorization", "Bearer " + admin_}});
  EXPECT_EQ(wrong_method.status, 405u);
}

TEST_F(webhook_admin_test, put_refuses_private_urls_when_the_server_does_not_allow_them) {
  restart();  // no CARECHAT_WEBHOOK_ALLOW_PRIVATE
  auto r = put_config(admin_, config_json());
  expect_error(r, 400, "bad_request");
  EXPECT_NE(r.body.find("loopback"), std::string::npos) << r.body;
}

}  // namespace
}  // namespace carechat::testing
