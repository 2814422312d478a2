// A database failover under load: a primary with a synchronous standby, a carechat node whose
// connection string lists both (target_session_attrs=read-write); the primary is killed (SIGKILL)
// while patients send, and the standby promoted (pg_ctl promote, as a failover tool would). The node
// reconnects to the new primary by itself (it is never restarted), answers 503 + Retry-After
// meanwhile, and every send acknowledged before, during or after the failover is there exactly
// once afterwards: synchronous replication means an acknowledged commit is on the standby too.
// PostgreSQL only: runs in the postgres.* pass, on clusters of its own.
#include <thread>

#include "integration/fixture.hpp"
#include "integration/keyed_senders.hpp"
#include "integration/pg_clusters.hpp"

namespace carechat::testing {
namespace {

using namespace std::chrono_literals;

class failover_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!postgres_run()) GTEST_SKIP() << "PostgreSQL only: runs in the postgres.* pass of this suite";
    ASSERT_TRUE(clusters_.start("primary"));
    ASSERT_TRUE(clusters_.standby("primary", "standby"));
    // Both hosts; libpq connects to the one that takes writes.
    uri_ = "postgresql://postgres@127.0.0.1:" + clusters_.port("primary") + ",127.0.0.1:" +
           clusters_.port("standby") + "/carechat_test?target_session_attrs=read-write";
  }

  pg_clusters clusters_;
  std::string uri_;
};

TEST_F(failover_test, the_standby_takes_over_and_no_acknowledged_send_is_lost) {
  const std::string token = mint(uri_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient",
                                        patient});
  // A load: three senders without pause on one token (abuse limits off).
  auto env = rate_limits_off();
  env["CARECHAT_PG_STATEMENT_TIMEOUT_MS"] = "2000";
  server_process node(uri_, env);
  keyed_senders senders(3, [&](int) { return node.port(); }, chat_path() + "/inbound", token);

  std::this_thread::sleep_for(1500ms);
  const std::size_t before = senders.acknowledged_count();
  ASSERT_GT(before, 0u) << "nothing was sent before the failover";
  ASSERT_TRUE(clusters_.kill("primary"));
  std::this_thread::sleep_for(500ms);  // the failover tool notices
  ASSERT_TRUE(clusters_.promote("standby"));

  // The node finds the new primary by itself.
  bool resumed = false;
  for (int i = 0; i < 150 && !resumed; ++i) {
    std::this_thread::sleep_for(100ms);
    resumed = senders.acknowledged_count() > before + 20;
  }
  EXPECT_TRUE(resumed) << "sends did not resume within 15 s of the promotion";
  std::this_thread::sleep_for(1000ms);
  senders.stop();
  EXPECT_TRUE(node.alive()) << "the node was never restarted";
  EXPECT_EQ(senders.unexpected(), 0);
  EXPECT_LT(senders.slowest_ms(), 8'000) << "a request hung through the failover instead of failing fast";

  http_client http(node.port());
  const auto stored = stored_external_ids(http, chat_path(), token);
  const auto acked = senders.acknowledged();
  for (const auto& id : acked) EXPECT_EQ(stored.count(id), 1u) << id << " was acknowledged";
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()).size(), stored.size()) << "a message stored twice";
  EXPECT_GE(stored.size(), acked.size());
  // Read from the only server left: the promoted standby holds them all.
  test::postgres_schema::admin_exec_at(clusters_.uri("standby"), "SELECT 1");  // it answers
  EXPECT_EQ(test::postgres_schema::admin_scalar_at(clusters_.uri("standby"), "SELECT count(*) FROM messages"),
            std::to_string(stored.size()));
  EXPECT_THROW(test::postgres_schema::admin_exec_at(clusters_.uri("primary"), "SELECT 1"), std::runtime_error)
      << "the old primary is gone";
}

}  // namespace
}  // namespace carechat::testing
