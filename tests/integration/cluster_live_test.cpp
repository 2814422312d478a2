// Several nodes on one PostgreSQL database: a message sent through any node reaches live
// subscribers on every node, in log order, exactly once; resuming works on any node; with the
// NOTIFY hints off, polling alone still delivers everything. PostgreSQL only (the postgres.* pass).
#include <atomic>
#include <thread>

#include "integration/live_fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

class cluster_live_test : public chat_server_test {
 protected:
  void SetUp() override {
    if (!postgres_run()) GTEST_SKIP() << "several nodes share PostgreSQL only: runs in the postgres.* pass";
    chat_server_test::SetUp();
  }

  // Reads frames until `want` message.created events arrived (or a timeout); returns their positions.
  static std::vector<std::int64_t> read_messages(ws_client& ws, std::size_t want, std::set<std::string>* texts) {
    std::vector<std::int64_t> positions;
    const auto deadline = std::chrono::steady_clock::now() + 20s;
    while (positions.size() < want && std::chrono::steady_clock::now() < deadline) {
      auto frame = ws.read(2s);
      if (!frame) continue;
      auto e = frame_object(*frame);
      if (type_of(e) != "message.created") continue;
      positions.push_back(position_of(e));
      if (texts != nullptr) texts->insert(std::string(e.at("message").at("message").as_string()));
    }
    return positions;
  }

  void sends_from_both_nodes_reach_both_in_order(std::map<std::string, std::string> env) {
    restart(env);
    server_process other(db_, env);
    http_client other_http(other.port());

    // Subscribers on both nodes, before anything is sent: one per chat scope, one instance-wide.
    ws_client chat_on_b(other.port());
    ASSERT_EQ(chat_on_b.connect(chat_path() + "/events", user_).status, 101u);
    ASSERT_TRUE(chat_on_b.read());  // ready
    ws_client instance_on_a(server_->port());
    ASSERT_EQ(instance_on_a.connect("/" + tenant + "/" + instance + "/chat/events", user_).status, 101u);
    ASSERT_TRUE(instance_on_a.read());

    constexpr int per_node = 40;
    std::vector<std::thread> senders;
    for (int node = 0; node < 2; ++node)
      senders.emplace_back([&, node] {
        http_client http(node == 0 ? server_->port() : other.port());
        for (int i = 0; i < per_node; ++i) {
          json::object body{{"message", "node " + std::to_string(node) + " #" + std::to_string(i)}};
          auto r = http.post_json(chat_path() + "/inbound", patient_, json::serialize(body));
          EXPECT_EQ(r.status, 200u) << r.body;
        }
      });
    for (auto& t : senders) t.join();

    std::set<std::string> seen_b, seen_a;
    const auto on_b = read_messages(chat_on_b, 2 * per_node, &seen_b);
    const auto on_a = read_messages(instance_on_a, 2 * per_node, &seen_a);
    ASSERT_EQ(on_b.size(), 2u * per_node) << "node B's subscriber missed messages";
    ASSERT_EQ(on_a.size(), 2u * per_node) << "node A's subscriber missed messages";
    EXPECT_EQ(seen_b.size(), 2u * per_node) << "a duplicate";
    EXPECT_EQ(seen_a, seen_b);
    // In log order on both; the instance stream sees every position of the log, none skipped.
    EXPECT_EQ(on_a, on_b);
    for (std::size_t i = 1; i < on_a.size(); ++i) EXPECT_EQ(on_a[i], on_a[i - 1] + 1) << "at " << i;

    // Nothing more arrives: exactly once.
    auto extra = chat_on_b.read(500ms);
    EXPECT_FALSE(extra && type_of(frame_object(*extra)) == "message.created") << *extra;

    // Resuming on the other node from a position seen on this one replays exactly the rest.
    ws_client resume(other.port());
    ASSERT_EQ(resume.connect(chat_path() + "/events?after=" + std::to_string(on_a[per_node - 1]), user_).status, 101u);
    const auto rest = read_messages(resume, per_node, nullptr);
    EXPECT_EQ(std::vector<std::int64_t>(on_a.begin() + per_node, on_a.end()), rest);
  }
};

TEST_F(cluster_live_test, sends_through_either_node_reach_subscribers_on_both_once_in_log_order) {
  sends_from_both_nodes_reach_both_in_order({});
}

TEST_F(cluster_live_test, without_hints_polling_alone_delivers_everything) {
  sends_from_both_nodes_reach_both_in_order({{"CARECHAT_CLUSTER_HINTS", "0"}});
}

// Read-your-writes across nodes: a send through one node, then a page through the other, shows
// it (on PostgreSQL the latest-page cache is off unless asked for).
TEST_F(cluster_live_test, a_page_read_through_another_node_shows_a_write_at_once) {
  server_process other(db_);
  http_client other_http(other.port());
  for (int i = 0; i < 20; ++i) {
    ASSERT_EQ(other_http.get(chat_path() + "?pageSize=1", user_).status, 200u);  // warm any cache
    const std::string text = "write " + std::to_string(i);
    ASSERT_EQ(send_inbound(text).status, 200u);
    auto page = json_of(other_http.get(chat_path() + "?pageSize=1", user_));
    EXPECT_EQ(page.at("content").at(0).at("message").as_string(), text);
  }
}

}  // namespace
}  // namespace carechat::testing
