// Webhook delivery end to end: a real receiver on loopback, the real server binary.
#include <set>

#include "integration/webhook_fixture.hpp"

namespace carechat::testing {
namespace {

using namespace std::chrono_literals;

TEST_F(webhook_test, delivers_the_reference_headers_and_body_with_a_verifiable_signature) {
  configure();
  const auto ids = send_outbound_all(1, "Webhook test...");
  ASSERT_EQ(ids.size(), 1u);
  ASSERT_TRUE(wait_delivered(1)) << server_->log();
  const auto r = receiver_.delivered().front();
  EXPECT_EQ(r.method, "POST");
  EXPECT_EQ(r.target, "/hooks/carechat");
  EXPECT_EQ(r.headers.at("x-webhook-api-key"), test_api_key);
  EXPECT_EQ(r.headers.at("x-webhook-api-secret"), test_api_secret);
  EXPECT_EQ(r.headers.at("content-type"), "application/json");
  EXPECT_EQ(r.headers.at("webhook-id"), event_id_of(ids[0]));
  const auto ts = std::stoll(r.headers.at("webhook-timestamp"));
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
  EXPECT_LE(std::llabs(now - ts), 60);
  EXPECT_TRUE(verify_standard_webhook(test_signing_secret, r.headers.at("webhook-id"), r.headers.at("webhook-timestamp"),
                                      r.body, r.headers.at("webhook-signature")));
  // Exactly the reference body, in the reference's field order.
  const std::string expected = R"({"patientId":")" + patient + R"(","patientUrl":"https://chat.example.org/)" + tenant +
                               "/" + instance + "/patients/" + patient + R"(","tenantName":")" + tenant +
                               R"(","instanceName":")" + instance + R"(","message":"Webhook test...0"})";
  EXPECT_EQ(r.body, expected);

  // A tampered body, id or timestamp fails verification; another secret too.
  std::string tampered = r.body;
  tampered.replace(tampered.find("test"), 4, "TEST");
  EXPECT_FALSE(verify_standard_webhook(test_signing_secret, r.headers.at("webhook-id"),
                                       r.headers.at("webhook-timestamp"), tampered, r.headers.at("webhook-signature")));
  EXPECT_FALSE(verify_standard_webhook(test_signing_secret, "evt_other", r.headers.at("webhook-timestamp"), r.body,
                                       r.headers.at("webhook-signature")));
  EXPECT_FALSE(verify_standard_webhook(test_signing_secret, r.headers.at("webhook-id"), std::to_string(ts + 1), r.body,
                                       r.headers.at("webhook-signature")));
  EXPECT_FALSE(verify_standard_webhook("whsec_c2Vjb25kLXNlY3JldC1rZXktYnl0ZXM=", r.headers.at("webhook-id"),
                                       r.headers.at("webhook-timestamp"), r.body, r.headers.at("webhook-signature")));

  // Patient messages are not sent (message.inbound is opt-in).
  ASSERT_EQ(send_inbound("hello from the patient").status, 200u);
  std::this_thread::sleep_for(600ms);
  EXPECT_EQ(receiver_.requests().size(), 1u);
}

// A message with attachments: the reference body plus "attachments", the same objects as the
// message's in the API (the bytes stay with carechat, behind a token).
TEST_F(webhook_test, a_message_with_an_attachment_lists_it_in_the_body) {
  configure();
  const std::string pdf = "%PDF-1.4\n% discharge instructions\n";
  auto up = http_->request("POST", chat_path() + "/attachments", pdf,
                           {{"Authorization", "Bearer " + user_},
                            {"Content-Type", "application/pdf"},
                            {"Content-Disposition", "attachment; filename=\"instructions.pdf\""}});
  ASSERT_EQ(up.status, 201u) << up.body;
  const auto attachment = json_of(up).as_object();
  boost::json::object body{{"message", "please read"}, {"attachmentIds", boost::json::array{attachment.at("id")}}};
  ASSERT_EQ(http_->post_json(chat_path() + "/outbound", user_, boost::json::serialize(body)).status, 200u);
  ASSERT_TRUE(wait_delivered(1)) << server_->log();
  const auto delivered = boost::json::parse(receiver_.delivered().front().body).as_object();
  EXPECT_EQ(delivered.at("message").as_string(), "please read");
  ASSERT_TRUE(delivered.contains("attachments"));
  ASSERT_EQ(delivered.at("attachments").as_array().size(), 1u);
  EXPECT_EQ(delivered.at("attachments").as_array()[0].as_object(), attachment);
}

TEST_F(webhook_test, rotation_signs_with_both_secrets) {
  configure();
  auto r = webhook_cli({"set", "--url", receiver_.url(), "--api-key", test_api_key, "--api-secret", test_api_secret,
                        "--rotate"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto line = r.out.find("new_signing_secret\t");
  ASSERT_NE(line, std::string::npos) << r.out;
  std::string fresh = r.out.substr(line + 19);
  fresh = fresh.substr(0, fresh.find('\t'));
  send_outbound_all(1, "rotated");
  ASSERT_TRUE(wait_delivered(1)) << server_->log();
  const auto got = receiver_.delivered().front();
  const auto& sig = got.headers.at("webhook-signature");
  EXPECT_NE(sig.find(' '), std::string::npos) << sig;
  EXPECT_TRUE(verify_standard_webhook(fresh, got.headers.at("webhook-id"), got.headers.at("webhook-timestamp"),
                                      got.body, sig));
  EXPECT_TRUE(verify_standard_webhook(test_signing_secret, got.headers.at("webhook-id"),
                                      got.headers.at("webhook-timestamp"), got.body, sig));
}

TEST_F(webhook_test, receiver_down_then_up_everything_arrives_in_order_none_missing) {
  configure();
  receiver_.down();
  auto ids = send_outbound_all(6, "a-");
  const auto more = send_outbound_all(6, "b-", other_patient);
  ids.insert(ids.end(), more.begin(), more.end());
  std::this_thread::sleep_for(1500ms);  // several failed attempts meanwhile
  receiver_.up();
  ASSERT_TRUE(wait_delivered(ids.size(), 30s)) << server_->log();
  std::vector<std::string> seen;
  std::set<std::string> unique;
  for (const auto& r : receiver_.delivered()) {
    if (unique.insert(r.headers.at("webhook-id")).second) seen.push_back(r.headers.at("webhook-id"));
  }
  std::vector<std::string> expected;
  for (const auto& id : ids) expected.push_back(event_id_of(id));
  // One endpoint: strictly the commit order, across chats too.
  EXPECT_EQ(seen, expected);
  auto log = webhook_cli({"log", "--limit", "200"});
  EXPECT_NE(log.out.find("connect failed"), std::string::npos) << log.out;
}

TEST_F(webhook_test, kill_9_before_delivery_delivers_after_restart_with_the_same_id) {
  configure();
  receiver_.down();
  const auto ids = send_outbound_all(3, "crash-");  // acknowledged, hence committed
  server_->kill_hard();
  receiver_.up();
  restart(server_env());
  ASSERT_TRUE(wait_delivered(3)) << server_->log();
  std::vector<std::string> seen;
  for (const auto& r : receiver_.delivered()) seen.push_back(r.headers.at("webhook-id"));
  ASSERT_EQ(seen.size(), 3u);
  for (std::size_t i = 0; i < 3; ++i) EXPECT_EQ(seen[i], event_id_of(ids[i]));
}

TEST_F(webhook_test, server_errors_are_retried_with_growing_delays_and_the_same_id) {
  receiver_.script({500, 500, 500});
  configure();
  const auto ids = send_outbound_all(1, "retry");
  ASSERT_TRUE(wait_delivered(1, 30s)) << server_->log();
  const auto rs = receiver_.requests();
  ASSERT_EQ(rs.size(), 4u);
  for (const auto& r : rs) EXPECT_EQ(r.headers.at("webhook-id"), event_id_of(ids[0]));
  // Ceilings 200, 400, 800 ms with a 200 ms floor; the upper bound allows for polling and a slow
  // (sanitizer, loaded) machine.
  std::vector<long> gaps;
  for (std::size_t i = 1; i < rs.size(); ++i)
    gaps.push_back(std::chrono::duration_cast<std::chrono::milliseconds>(rs[i].at - rs[i - 1].at).count());
  for (std::size_t i = 0; i < gaps.size(); ++i) {
    EXPECT_GE(gaps[i], 180) << "gap " << i;
    EXPECT_LE(gaps[i], (200L << i) + 2500) << "gap " << i;
  }
  // Each attempt has its own timestamp and a valid signature.
  for (const auto& r : rs)
    EXPECT_TRUE(verify_standard_webhook(test_signing_secret, r.headers.at("webhook-id"),
                                        r.headers.at("webhook-timestamp"), r.body, r.headers.at("webhook-signature")));
  auto log = webhook_cli({"log"});
  ASSERT_EQ(log.exit_code, 0) << log.err;
  EXPECT_NE(log.out.find("\t500\t"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("\t200\t"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("delivered"), std::string::npos) << log.out;
}

TEST_F(webhook_test, retry_after_is_honoured) {
  receiver_.script({503});
  receiver_.set_retry_after("2");
  configure();
  send_outbound_all(1, "later");
  ASSERT_TRUE(wait_delivered(1, 20s)) << server_->log();
  const auto rs = receiver_.requests();
  ASSERT_EQ(rs.size(), 2u);
  EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(rs[1].at - rs[0].at).count(), 1900);
}

TEST_F(webhook_test, the_last_attempt_marks_the_event_failed_and_redeliver_sends_it_again) {
  restart(server_env({{"CARECHAT_WEBHOOK_MAX_ATTEMPTS", "2"}}));
  receiver_.set_default_status(500);
  configure();
  const auto ids = send_outbound_all(1, "doomed");
  ASSERT_TRUE(receiver_.wait_until([](const auto& rs) { return rs.size() >= 2; }, 10s));
  std::this_thread::sleep_for(800ms);
  EXPECT_EQ(receiver_.requests().size(), 2u);
  auto show = webhook_cli({"show"});
  EXPECT_NE(show.out.find("failed\t1"), std::string::npos) << show.out;
  receiver_.set_default_status(200);
  auto again = webhook_cli({"redeliver", event_id_of(ids[0])});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  ASSERT_TRUE(wait_delivered(1)) << server_->log();
  EXPECT_EQ(receiver_.delivered().front().headers.at("webhook-id"), event_id_of(ids[0]));
}

TEST_F(webhook_test, gone_disables_the_endpoint_and_stops_delivery) {
  receiver_.script({410});
  configure();
  send_outbound_all(1, "first");
  ASSERT_TRUE(receiver_.wait_until([](const auto& rs) { return !rs.empty(); }, 10s)) << server_->log();
  std::this_thread::sleep_for(300ms);
  auto show = webhook_cli({"show"});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("enabled\tno"), std::string::npos) << show.out;
  EXPECT_NE(show.out.find("410"), std::string::npos) << show.out;
  send_outbound_all(2, "after-gone");
  std::this_thread::sleep_for(1200ms);
  EXPECT_EQ(receiver_.requests().size(), 1u);
}

TEST_F(webhook_test, private_urls_are_refused_without_the_allow_flag) {
  auto r = webhook_cli({"set", "--url", receiver_.url(), "--api-key", test_api_key, "--api-secret", test_api_secret},
                       {});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("loopback"), std::string::npos) << r.err;
  r = webhook_cli({"set", "--url", "ftp://example.com/x", "--api-key", test_api_key, "--api-secret", test_api_secret});
  EXPECT_EQ(r.exit_code, 2);
  // The server checks again at delivery time: configured while allowed, delivered by a server that is not.
  configure();
  restart();  // no CARECHAT_WEBHOOK_ALLOW_PRIVATE
  send_outbound_all(1, "blocked");
  std::this_thread::sleep_for(1500ms);
  EXPECT_TRUE(receiver_.requests().empty());
  auto log = webhook_cli({"log"});
  EXPECT_NE(log.out.find("refused"), std::string::npos) << log.out;
}

TEST_F(webhook_test, a_slow_receiver_gets_one_request_at_a_time_in_order) {
  receiver_.set_delay(250ms);
  configure();
  const auto ids = send_outbound_all(4, "slow-");
  ASSERT_TRUE(wait_delivered(4, 20s)) << server_->log();
  const auto rs = receiver_.requests();
  ASSERT_EQ(rs.size(), 4u);
  for (std::size_t i = 0; i < rs.size(); ++i) {
    EXPECT_EQ(rs[i].headers.at("webhook-id"), event_id_of(ids[i]));
    // Recorded when answered, each at least one delay after the previous answer: never in parallel.
    if (i > 0) {
      EXPECT_GE(std::chrono::duration_cast<std::chrono::milliseconds>(rs[i].at - rs[i - 1].at).count(), 240);
    }
  }
}

TEST_F(webhook_test, redirects_are_not_followed) {
  receiver_.script({302});
  configure();
  send_outbound_all(1, "moved");
  ASSERT_TRUE(wait_delivered(1, 10s)) << server_->log();
  EXPECT_EQ(receiver_.requests().size(), 2u);  // the 302, then the retry to the same URL
  auto log = webhook_cli({"log"});
  EXPECT_NE(log.out.find("redirect not followed"), std::string::npos) << log.out;
}

TEST_F(webhook_test, opt_in_patient_messages_carry_their_type) {
  configure({"--events", "message.outbound, message.inbound"});  // spaces after commas are fine
  ASSERT_EQ(send_inbound("from the patient").status, 200u);
  ASSERT_TRUE(wait_delivered(1)) << server_->log();
  const auto body = boost::json::parse(receiver_.delivered().front().body).as_object();
  EXPECT_EQ(str(body.at("type")), "message.inbound");
  EXPECT_EQ(str(body.at("message")), "from the patient");
  EXPECT_EQ(str(body.at("patientId")), patient);
}

TEST_F(webhook_test, https_to_a_server_that_does_not_speak_tls_fails_the_handshake_and_is_retried) {
  auto r = webhook_cli({"set", "--url", "https://127.0.0.1:" + std::to_string(receiver_.port()) + "/h", "--api-key",
                        test_api_key, "--api-secret", test_api_secret, "--signing-secret", test_signing_secret});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  send_outbound_all(1, "tls");
  cli_result log;
  for (int i = 0; i < 50; ++i) {
    log = webhook_cli({"log"});
    if (log.out.find("TLS") != std::string::npos) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_NE(log.out.find("TLS handshake failed"), std::string::npos) << log.out;
  EXPECT_NE(log.out.find("retry"), std::string::npos) << log.out;
  EXPECT_TRUE(receiver_.delivered().empty());
}

}  // namespace
}  // namespace carechat::testing
