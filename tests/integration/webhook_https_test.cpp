// Webhooks over HTTPS end to end: a TLS receiver whose certificate a private CA signed (made by
// test_pki with the openssl command line). Trusted through CARECHAT_WEBHOOK_CA_FILE, deliveries
// arrive signed; without it the certificate is refused and nothing is delivered; a CA file that
// cannot be loaded stops the server at startup.
#include "integration/test_pki.hpp"
#include "integration/webhook_fixture.hpp"

namespace carechat::testing {
namespace {

using namespace std::chrono_literals;

class webhook_https_test : public webhook_test {
 protected:
  test_pki pki_;
  webhook_receiver tls_receiver_{pki_.server()};

  void configure_tls() {
    auto r = webhook_cli({"set", "--url", tls_receiver_.url(), "--api-key", test_api_key, "--api-secret",
                          test_api_secret, "--signing-secret", test_signing_secret});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // The delivery log once it mentions `needle` (or after about 5 s).
  std::string log_once_it_says(const std::string& needle) {
    cli_result log;
    for (int i = 0; i < 50; ++i) {
      log = webhook_cli({"log"});
      if (log.out.find(needle) != std::string::npos) break;
      std::this_thread::sleep_for(100ms);
    }
    return log.out;
  }
};

TEST_F(webhook_https_test, a_receiver_signed_by_the_configured_ca_gets_signed_deliveries) {
  ASSERT_EQ(tls_receiver_.url().rfind("https://127.0.0.1:", 0), 0u);
  restart(server_env({{"CARECHAT_WEBHOOK_CA_FILE", pki_.ca_file()}}));
  configure_tls();
  const auto ids = send_outbound_all(2, "over tls ");
  ASSERT_EQ(ids.size(), 2u);
  ASSERT_TRUE(tls_receiver_.wait_until(
      [](const std::vector<received_webhook>& rs) { return rs.size() >= 2; }, 20s))
      << server_->log() << log_once_it_says("delivered");
  const auto got = tls_receiver_.delivered();
  ASSERT_EQ(got.size(), 2u);
  for (std::size_t i = 0; i < got.size(); ++i) {
    EXPECT_EQ(got[i].headers.at("webhook-id"), event_id_of(ids[i]));
    EXPECT_EQ(got[i].headers.at("x-webhook-api-key"), test_api_key);
    EXPECT_TRUE(verify_standard_webhook(test_signing_secret, got[i].headers.at("webhook-id"),
                                        got[i].headers.at("webhook-timestamp"), got[i].body,
                                        got[i].headers.at("webhook-signature")));
    EXPECT_EQ(str(boost::json::parse(got[i].body).at("message")), "over tls " + std::to_string(i));
  }
  EXPECT_NE(log_once_it_says("delivered").find("delivered"), std::string::npos);
}

TEST_F(webhook_https_test, without_the_ca_the_certificate_is_refused_and_nothing_is_delivered) {
  configure_tls();  // the server runs with the system CAs only
  send_outbound_all(1, "not trusted");
  const auto log = log_once_it_says("TLS handshake failed");
  EXPECT_NE(log.find("TLS handshake failed"), std::string::npos) << log;
  EXPECT_NE(log.find("certificate verify failed"), std::string::npos) << log;
  EXPECT_TRUE(tls_receiver_.requests().empty());  // the request was never sent

  // Trusting the CA afterwards delivers the same event (still pending, same id).
  restart(server_env({{"CARECHAT_WEBHOOK_CA_FILE", pki_.ca_file()}}));
  ASSERT_TRUE(tls_receiver_.wait_until([](const std::vector<received_webhook>& rs) { return !rs.empty(); }, 20s))
      << server_->log();
  EXPECT_EQ(str(boost::json::parse(tls_receiver_.delivered().at(0).body).at("message")), "not trusted0");
}

TEST_F(webhook_https_test, a_ca_file_that_cannot_be_loaded_stops_the_server_at_startup) {
  http_.reset();
  server_.reset();
  for (const auto& bad : {(dir_.path() / "missing.pem").string(), pki_.server().key_file}) {
    auto r = run_cli({"serve", "--db", db_, "--listen", "127.0.0.1:0"}, {{"CARECHAT_WEBHOOK_CA_FILE", bad}});
    EXPECT_EQ(r.exit_code, 1) << bad << "\n" << r.out;
    EXPECT_NE(r.err.find("CARECHAT_WEBHOOK_CA_FILE"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace carechat::testing
