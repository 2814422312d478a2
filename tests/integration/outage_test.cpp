// PostgreSQL restarted under load (pg_ctl restart -m fast, as an operator would): requests meanwhile
// get 503 with Retry-After, never hang; live sockets stay open; service resumes by itself; no
// acknowledged send is lost or stored twice (clients retry with their Idempotency-Key). The test
// runs its own cluster (scripts/pg-test-cluster.sh), which it restarts, so the shared one other
// tests use is never disturbed. PostgreSQL only: it runs in the postgres.* pass.
#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "integration/fixture.hpp"
#include "integration/keyed_senders.hpp"
#include "integration/pg_clusters.hpp"
#include "integration/ws_client.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class outage_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!postgres_run()) GTEST_SKIP() << "PostgreSQL only: runs in the postgres.* pass of this suite";
    ASSERT_TRUE(clusters_.start("db")) << "could not start a PostgreSQL cluster";
    uri_ = clusters_.uri("db");
  }

  pg_clusters clusters_;
  std::string uri_;
};

TEST_F(outage_test, a_database_restart_under_load_loses_nothing_and_heals_by_itself) {
  const std::string token = mint(uri_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient",
                                        patient});
  // A load: three senders without pause on one token (abuse limits off).
  auto env = rate_limits_off();
  env["CARECHAT_PG_STATEMENT_TIMEOUT_MS"] = "2000";
  server_process server(uri_, env);
  ws_client live(server.port());
  ASSERT_EQ(live.connect(chat_path() + "/events", token).status, 101u);
  ASSERT_TRUE(live.read());  // ready

  // Senders: each request is retried with its Idempotency-Key until it is acknowledged.
  keyed_senders senders(3, [&](int) { return server.port(); }, chat_path() + "/inbound", token);
  std::atomic<bool> stop{false};
  std::atomic<long long> slowest_ms{0};
  std::vector<std::thread> readers;
  // A reader: pages fetched all along; during the outage they are answered 503 at once.
  std::atomic<int> reads_unavailable{0}, reads_ok{0};
  readers.emplace_back([&] {
    http_client http(server.port());
    while (!stop.load()) {
      const auto started = std::chrono::steady_clock::now();
      auto r = http.get(chat_path() + "?pageSize=5", token);
      const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started)
                            .count();
      long long prev = slowest_ms.load();
      while (took > prev && !slowest_ms.compare_exchange_weak(prev, took)) {
      }
      if (r.status == 200) reads_ok.fetch_add(1);
      else if (r.status == 503) {
        reads_unavailable.fetch_add(1);
        EXPECT_EQ(r.headers["retry-after"], "1");
      } else if (r.status != 0) {
        ADD_FAILURE() << r.status << " " << r.body;
      }
      std::this_thread::sleep_for(20ms);
    }
  });
  std::this_thread::sleep_for(1500ms);
  ASSERT_TRUE(clusters_.restart("db"));
  // Service comes back by itself: acknowledgements resume without touching carechat.
  const std::size_t before_heal = senders.acknowledged_count();
  bool healed = false;
  for (int i = 0; i < 100 && !healed; ++i) {
    std::this_thread::sleep_for(100ms);
    healed = senders.acknowledged_count() > before_heal + 10;
  }
  EXPECT_TRUE(healed) << "sends did not resume within 10 s of the restart";
  std::this_thread::sleep_for(1000ms);
  stop = true;
  senders.stop();
  for (auto& r : readers) r.join();

  EXPECT_GT(reads_unavailable.load(), 0) << "the restart was never noticed: the test proved nothing";
  EXPECT_GT(reads_ok.load(), 0);
  EXPECT_EQ(senders.unexpected(), 0);
  slowest_ms = std::max(slowest_ms.load(), senders.slowest_ms());
  // 2 s statement timeout (and as long to learn the fate of a COMMIT cut off by the restart), with
  // room for a loaded machine: a request that waited for the whole outage would take longer.
  EXPECT_LT(slowest_ms.load(), 8'000) << "a request hung for the outage instead of failing fast";

  // Every acknowledged send is there, once.
  http_client http(server.port());
  const auto stored = stored_external_ids(http, chat_path(), token);
  for (const auto& id : senders.acknowledged()) EXPECT_EQ(stored.count(id), 1u) << id << " was acknowledged";
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()).size(), stored.size()) << "a message stored twice";

  // The live socket stayed open through the outage and carries what is sent now.
  auto sent = http.post_json(chat_path() + "/inbound", token, R"({"message":"after the restart"})");
  ASSERT_EQ(sent.status, 200u) << sent.body;
  bool seen = false;  // after every event the senders caused, in order
  while (!seen) {
    auto frame = live.read(5s);
    ASSERT_TRUE(frame) << "the live socket closed (code " << live.close_code() << ") or went silent";
    seen = frame->find("after the restart") != std::string::npos;
  }
  EXPECT_TRUE(seen);
}

}  // namespace
}  // namespace carechat::testing
