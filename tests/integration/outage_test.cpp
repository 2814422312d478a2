// PostgreSQL restarted under load (pg_ctl restart -m fast, as an operator would): requests meanwhile
// get 503 with Retry-After, never hang; live sockets stay open; service resumes by itself; no
// acknowledged send is lost or stored twice (clients retry with their Idempotency-Key). The test
// runs its own cluster (scripts/pg-test-cluster.sh), which it restarts, so the shared one other
// tests use is never disturbed. PostgreSQL only: it runs in the postgres.* pass.
#include <stdlib.h>
#include <sys/stat.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>

#include "integration/fixture.hpp"
#include "integration/ws_client.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

int cluster(const std::string& command, const std::string& dir) {
  return std::system(("bash '" CARECHAT_SOURCE_DIR "/scripts/pg-test-cluster.sh' " + command + " '" + dir +
                      "' >/dev/null 2>&1")
                         .c_str());
}

class outage_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!postgres_run()) GTEST_SKIP() << "PostgreSQL only: runs in the postgres.* pass of this suite";
    // Under /tmp and world-readable: the cluster belongs to the postgres user when tests run as root.
    char tmpl[] = "/tmp/carechat-pg-outage-XXXXXX";
    ASSERT_NE(mkdtemp(tmpl), nullptr);
    dir_ = tmpl;
    chmod(dir_.c_str(), 0755);
    ASSERT_EQ(cluster("start", dir_ + "/cluster"), 0) << "could not start a PostgreSQL cluster";
    std::ifstream in(dir_ + "/cluster/uri");
    std::getline(in, uri_);
    ASSERT_FALSE(uri_.empty());
  }
  void TearDown() override {
    if (dir_.empty()) return;
    cluster("stop", dir_ + "/cluster");
    std::filesystem::remove_all(dir_);
  }

  std::string dir_, uri_;
};

TEST_F(outage_test, a_database_restart_under_load_loses_nothing_and_heals_by_itself) {
  const std::string token = mint(uri_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient",
                                        patient});
  server_process server(uri_, {{"CARECHAT_PG_STATEMENT_TIMEOUT_MS", "2000"}});
  ws_client live(server.port());
  ASSERT_EQ(live.connect(chat_path() + "/events", token).status, 101u);
  ASSERT_TRUE(live.read());  // ready

  // Senders: each request is retried with its Idempotency-Key until it is acknowledged.
  std::atomic<bool> stop{false};
  std::mutex m;
  std::set<std::string> acked;  // external ids answered 200
  std::atomic<int> unavailable{0}, other{0}, attempts{0};
  std::atomic<long long> slowest_ms{0};
  std::vector<std::thread> senders;
  for (int t = 0; t < 3; ++t) {
    senders.emplace_back([&, t] {
      http_client http(server.port());
      for (int i = 0; !stop.load(); ++i) {
        const std::string key = "outage-" + std::to_string(t) + "-" + std::to_string(i);
        const std::string body = json::serialize(json::object{{"message", key}});
        for (;;) {
          const auto started = std::chrono::steady_clock::now();
          auto r = http.post_json(chat_path() + "/inbound", token, body, {{"Idempotency-Key", key}});
          const auto took = std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                                  started)
                                .count();
          attempts.fetch_add(1);
          long long prev = slowest_ms.load();
          while (took > prev && !slowest_ms.compare_exchange_weak(prev, took)) {
          }
          if (r.status == 200) {
            std::lock_guard lock(m);
            acked.insert(std::string(json::parse(r.body).at("externalId").as_string()));
            break;
          }
          if (r.status == 503) {
            unavailable.fetch_add(1);
            EXPECT_EQ(r.headers["retry-after"], "1") << r.body;
            expect_error(r, 503, "unavailable");
          } else if (r.status != 0) {  // 0: the connection broke; retried like a 503
            other.fetch_add(1);
            ADD_FAILURE() << r.status << " " << r.body;
          }
          if (stop.load()) return;  // an unacknowledged request may be given up
          std::this_thread::sleep_for(50ms);
        }
      }
    });
  }
  // A reader: pages fetched all along; during the outage they are answered 503 at once.
  std::atomic<int> reads_unavailable{0}, reads_ok{0};
  senders.emplace_back([&] {
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
  ASSERT_EQ(cluster("restart", dir_ + "/cluster"), 0);
  // Service comes back by itself: acknowledgements resume without touching carechat.
  std::size_t before_heal = 0;
  {
    std::lock_guard lock(m);
    before_heal = acked.size();
  }
  bool healed = false;
  for (int i = 0; i < 100 && !healed; ++i) {
    std::this_thread::sleep_for(100ms);
    std::lock_guard lock(m);
    healed = acked.size() > before_heal + 10;
  }
  EXPECT_TRUE(healed) << "sends did not resume within 10 s of the restart";
  std::this_thread::sleep_for(1000ms);
  stop = true;
  for (auto& s : senders) s.join();

  EXPECT_GT(reads_unavailable.load(), 0) << "the restart was never noticed: the test proved nothing";
  EXPECT_GT(reads_ok.load(), 0);
  EXPECT_EQ(other.load(), 0);
  // 2 s statement timeout (and as long to learn the fate of a COMMIT cut off by the restart), with
  // room for a loaded machine: a request that waited for the whole outage would take longer.
  EXPECT_LT(slowest_ms.load(), 8'000) << "a request hung for the outage instead of failing fast";

  // Every acknowledged send is there, once.
  http_client http(server.port());
  std::multiset<std::string> stored;
  std::string target = chat_path() + "?pageSize=200";
  for (int guard = 0; guard < 1000; ++guard) {
    auto r = http.get(target, token);
    ASSERT_EQ(r.status, 200u) << r.body;
    auto page = json::parse(r.body);
    for (const auto& msg : page.at("content").as_array()) stored.insert(std::string(msg.at("externalId").as_string()));
    const auto& next = page.at("meta").at("nextPageToken");
    if (next.is_null()) break;
    target = chat_path() + "?pageToken=" + url_encode(std::string(next.as_string()));
  }
  for (const auto& id : acked) EXPECT_EQ(stored.count(id), 1u) << id << " was acknowledged";
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
