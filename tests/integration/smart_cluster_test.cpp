// SMART launches in flight live in the database (docs/integration.md, "Where a launch in flight is
// kept"): a launch started on one node is taken by a callback on another (PostgreSQL: two nodes on
// one database; SQLite: the same node restarted in between), exactly once, also when two callbacks
// with the same state race on two nodes. The EHR is a real HTTP server answering its
// smart-configuration; the callbacks carry the EHR's `error` answer, which carechat reads only
// after taking the state, so the two outcomes ("refused by the EHR" and "unknown, used or expired
// state") tell whether the state was found, without a code exchange (that flow is the e2e suite's,
// web/e2e/tests/smart_launch.test.mjs).
#include <barrier>
#include <fstream>
#include <thread>

#include "integration/fixture.hpp"
#include "integration/webhook_receiver.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

class smart_cluster_test : public chat_server_test {
 protected:
  void SetUp() override {
    chat_server_test::SetUp();
    ehr_.set_body(json::serialize(json::object{
                      {"issuer", iss()},
                      {"authorization_endpoint", ehr_.url("/auth/authorize")},
                      {"token_endpoint", ehr_.url("/auth/token")},
                      {"jwks_uri", ehr_.url("/keys")},
                      {"code_challenge_methods_supported", json::array{"S256"}},
                  }),
                  "application/json");
    const auto issuers = dir_.path() / "smart-issuers.json";
    std::ofstream(issuers) << json::serialize(json::object{
        {"issuers", json::array{json::object{{"iss", iss()},
                                             {"tenant", tenant},
                                             {"instance", instance},
                                             {"client_id", "carechat-test"},
                                             {"auth", "private_key_jwt"}}}}});
    env_ = {{"CARECHAT_SMART_ISSUERS_FILE", issuers.string()},
            {"CARECHAT_SMART_KEY_FILE", (dir_.path() / "smart-key.pem").string()},  // shared by the nodes
            {"CARECHAT_PUBLIC_URL", "http://carechat.test"}};
    restart(env_);
  }

  std::string iss() const { return ehr_.url("/fhir"); }

  // GET /smart/launch on `node`: the state of the EHR redirect.
  static std::string launch_on(http_client& node, const std::string& iss) {
    auto r = node.request("GET", "/smart/launch?iss=" + iss + "&launch=xyz");
    EXPECT_EQ(r.status, 302u) << r.body;
    const std::string location = r.headers["location"];
    const auto at = location.find("&state=");
    EXPECT_NE(at, std::string::npos) << location;
    if (at == std::string::npos) return {};
    const auto start = at + 7;
    return location.substr(start, location.find('&', start) - start);  // base64url: never encoded
  }

  // The EHR's "access_denied" answer for `state`, on `node`: true when carechat found the launch
  // (and so got as far as the EHR's error), false when the state was unknown, used or expired.
  static bool callback_found_launch(http_client& node, const std::string& state) {
    auto r = node.request("GET", "/smart/callback?state=" + state + "&error=access_denied");
    expect_error(r, 400, "bad_request");
    const std::string message = str(json_of(r).at("error").at("message"));
    if (message.find("the EHR refused the launch") != std::string::npos) return true;
    EXPECT_NE(message.find("unknown, used or expired state"), std::string::npos) << message;
    return false;
  }

  // The node that takes the callbacks: a second process on PostgreSQL; on SQLite (one node per
  // file) the first one, restarted, which no memory of the launch survives.
  http_client& second_node() {
    if (postgres_run()) {
      if (!other_) {
        other_ = std::make_unique<server_process>(db_, env_);
        other_http_ = std::make_unique<http_client>(other_->port());
      }
      return *other_http_;
    }
    restart(env_);
    return *http_;
  }

  webhook_receiver ehr_;
  std::map<std::string, std::string> env_;
  std::unique_ptr<server_process> other_;
  std::unique_ptr<http_client> other_http_;
};

TEST_F(smart_cluster_test, a_launch_on_one_node_is_taken_by_the_callback_on_another_once) {
  const std::string state = launch_on(*http_, iss());
  ASSERT_FALSE(state.empty());
  // Node 1's log now: on SQLite second_node() restarts that process.
  const std::string node1_log = server_->log();
  http_client& node2 = second_node();
  EXPECT_TRUE(callback_found_launch(node2, state)) << "the launch of node 1 is in the database";
  EXPECT_FALSE(callback_found_launch(node2, state)) << "single use";
  EXPECT_FALSE(callback_found_launch(*http_, state)) << "single use on every node";
  EXPECT_FALSE(callback_found_launch(node2, "forged-" + state));
  // The state itself is not stored (only its SHA-256) and logged by neither node.
  EXPECT_EQ(node1_log.find(state), std::string::npos);
  EXPECT_EQ((other_ ? other_->log() : server_->log()).find(state), std::string::npos);
}

TEST_F(smart_cluster_test, two_callbacks_with_one_state_on_two_nodes_succeed_once) {
  if (!postgres_run()) GTEST_SKIP() << "two nodes share PostgreSQL only: runs in the postgres.* pass";
  http_client& node2 = second_node();
  for (int round = 0; round < 5; ++round) {
    const std::string state = launch_on(*http_, iss());
    ASSERT_FALSE(state.empty());
    std::barrier start(2);
    bool found1 = false, found2 = false;
    std::thread t1([&] {
      start.arrive_and_wait();
      found1 = callback_found_launch(*http_, state);
    });
    std::thread t2([&] {
      start.arrive_and_wait();
      found2 = callback_found_launch(node2, state);
    });
    t1.join();
    t2.join();
    EXPECT_NE(found1, found2) << "exactly one callback goes on, round " << round;
  }
}

}  // namespace
}  // namespace carechat::testing
