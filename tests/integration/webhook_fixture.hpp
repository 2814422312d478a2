// Fixture of the webhook integration tests: the chat fixture's database and tokens, an admin token,
// a loopback receiver, and a server allowed to deliver to loopback with short retry delays.
#pragma once

#include <chrono>
#include <string>

#include "integration/fixture.hpp"
#include "integration/webhook_receiver.hpp"

namespace carechat::testing {

inline const std::string test_signing_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
inline const std::string test_api_key = "key-0123456789abcdef";
inline const std::string test_api_secret = "apisecret-0123456789abcdefghij";

class webhook_test : public chat_server_test {
 protected:
  void SetUp() override {
    chat_server_test::SetUp();
    admin_ = mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "admin", "--user", "adm-1", "--name",
                        "Ada Admin"});
    restart(server_env());
  }

  // Loopback allowed, quick polling and retries (base 200 ms), patientUrl base fixed.
  std::map<std::string, std::string> server_env(std::map<std::string, std::string> extra = {}) {
    std::map<std::string, std::string> env{{"CARECHAT_WEBHOOK_ALLOW_PRIVATE", "1"},
                                           {"CARECHAT_WEBHOOK_POLL_MS", "100"},
                                           {"CARECHAT_WEBHOOK_RETRY_BASE_MS", "200"},
                                           {"CARECHAT_WEBHOOK_RETRY_MAX_MS", "2000"},
                                           {"CARECHAT_WEBHOOK_TIMEOUT_MS", "2000"},
                                           {"CARECHAT_PUBLIC_URL", "https://chat.example.org"},
                                           // One name across restarts (on another port each time):
                                           // a restarted node gives up its claims at once.
                                           {"CARECHAT_NODE_ID", "webhook-test-node"}};
    for (auto& [k, v] : extra) env[k] = v;
    return env;
  }

  cli_result webhook_cli(std::vector<std::string> args, std::map<std::string, std::string> env = {
                                                            {"CARECHAT_WEBHOOK_ALLOW_PRIVATE", "1"}}) {
    std::vector<std::string> full = {"webhook"};
    full.insert(full.end(), args.begin(), args.end());
    full.insert(full.end(), {"--db", db_, "--tenant", tenant, "--instance", instance});
    return run_cli(full, env);
  }

  void configure(std::vector<std::string> extra = {}) {
    std::vector<std::string> args = {"set",       "--url",        receiver_.url(),   "--api-key",       test_api_key,
                                     "--api-secret", test_api_secret, "--signing-secret", test_signing_secret};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = webhook_cli(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }

  // Sends staff messages and returns their externalIds.
  std::vector<std::string> send_outbound_all(int n, const std::string& prefix, const std::string& p = patient) {
    std::vector<std::string> ids;
    for (int i = 0; i < n; ++i) {
      boost::json::object body{{"message", prefix + std::to_string(i)}};
      auto r = http_->post_json(chat_path(p) + "/outbound", user_, boost::json::serialize(body));
      EXPECT_EQ(r.status, 200u) << r.body;
      if (r.status == 200) ids.push_back(str(json_of(r).at("externalId")));
    }
    return ids;
  }

  static std::string event_id_of(const std::string& external_id) { return "evt_" + external_id.substr(2); }

  bool wait_delivered(std::size_t n, std::chrono::milliseconds timeout = std::chrono::seconds(20)) {
    return receiver_.wait_until(
        [n](const std::vector<received_webhook>& rs) {
          std::size_t ok = 0;
          for (const auto& r : rs) ok += r.answered >= 200 && r.answered < 300;
          return ok >= n;
        },
        timeout);
  }

  webhook_receiver receiver_;
  std::string admin_;
};

}  // namespace carechat::testing
