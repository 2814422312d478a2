// Durability and concurrency: an acknowledged send survives SIGKILL and SIGTERM, and many clients
// sending at once each find every acknowledged message exactly once.
#include <atomic>
#include <chrono>
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;

// externalId -> how often it appears in the whole chat (archived included).
std::map<std::string, int> census(const std::vector<json::object>& all) {
  std::map<std::string, int> n;
  for (const auto& m : all) ++n[str(m.at("externalId"))];
  return n;
}

TEST_F(chat_server_test, acknowledged_sends_survive_sigkill) {
  restart(rate_limits_off());  // a load test: thousands of sends from one token and address
  // Four senders so the 200 sends take a few group commits, not 200 sequential fsyncs.
  std::vector<std::thread> threads;
  std::mutex mu;
  std::vector<std::string> acked;
  for (int t = 0; t < 4; ++t)
    threads.emplace_back([&, t] {
      http_client c(server_->port());
      for (int i = 0; i < 50; ++i) {
        auto r =
            c.post_json(chat_path() + "/inbound", patient_,
                        json::serialize(json::object{{"message", "k" + std::to_string(t) + "-" + std::to_string(i)}}));
        ASSERT_EQ(r.status, 200u) << r.body;
        std::lock_guard lock(mu);
        acked.push_back(str(json::parse(r.body).at("externalId")));
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(acked.size(), 200u);

  server_->kill_hard();
  EXPECT_FALSE(server_->alive());
  restart();

  auto n = census(all_messages(user_));
  EXPECT_EQ(n.size(), 200u);
  for (const auto& id : acked) EXPECT_EQ(n[id], 1) << id;
}

TEST_F(chat_server_test, sigterm_finishes_in_flight_requests_and_loses_nothing_acknowledged) {
  restart(rate_limits_off());  // a load test: thousands of sends from one token and address
  constexpr int senders = 8;
  std::atomic<int> acks{0};
  std::mutex mu;
  std::vector<std::string> acked;
  std::vector<std::thread> threads;
  for (int t = 0; t < senders; ++t)
    threads.emplace_back([&, t] {
      try {
        http_client c(server_->port());
        for (int i = 0; i < 100000; ++i) {
          auto r = c.post_json(
              chat_path() + "/inbound", patient_,
              json::serialize(json::object{{"message", "g" + std::to_string(t) + "-" + std::to_string(i)}}));
          if (r.status != 200) {
            EXPECT_EQ(r.status, 200u) << r.body;  // the server answers, or closes; never an error
            return;
          }
          {
            std::lock_guard lock(mu);
            acked.push_back(str(json::parse(r.body).at("externalId")));
          }
          ++acks;
        }
      } catch (const std::exception&) {
        // Refused or closed by the stopping server: this request was never acknowledged.
      }
    });
  const auto deadline = std::chrono::steady_clock::now() + 20s;
  while (acks.load() < 150 && std::chrono::steady_clock::now() < deadline) std::this_thread::sleep_for(5ms);
  ASSERT_GE(acks.load(), 150);

  const auto t0 = std::chrono::steady_clock::now();
  const int exit_code = server_->stop();  // SIGTERM while the senders are mid-request
  const auto took = std::chrono::steady_clock::now() - t0;
  for (auto& t : threads) t.join();
  EXPECT_EQ(exit_code, 0) << server_->log();
  EXPECT_LT(took, 10s) << "in-flight requests finish well within the grace period";
  EXPECT_NE(server_->log().find("stopping"), std::string::npos);

  const std::size_t total = acked.size();
  restart();
  auto n = census(all_messages(user_));
  EXPECT_GE(n.size(), total);  // plus at most the requests committed whose answer was cut
  EXPECT_LE(n.size(), total + senders);
  for (const auto& id : acked) EXPECT_EQ(n[id], 1) << id;
}

TEST_F(chat_server_test, hundred_clients_fifty_sends_each_exactly_once) {
  restart(rate_limits_off());  // a load test: thousands of sends from one token and address
  constexpr int clients = 100, sends = 50;
  std::vector<std::vector<std::string>> ids(clients);
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(clients);
  for (int t = 0; t < clients; ++t)
    threads.emplace_back([&, t] {
      try {
        http_client c(server_->port());
        const std::string& token = t % 2 ? patient_ : client_;
        for (int i = 0; i < sends; ++i) {
          auto r = c.post_json(chat_path() + "/inbound", token,
                               json::serialize(json::object{{"message", std::to_string(t) + ":" + std::to_string(i)}}));
          if (r.status != 200) {
            ++failures;
            continue;
          }
          ids[t].push_back(str(json::parse(r.body).at("externalId")));
        }
      } catch (const std::exception&) {
        ++failures;
      }
    });
  for (auto& t : threads) t.join();
  ASSERT_EQ(failures.load(), 0);

  std::vector<json::object> all = all_messages(user_);
  ASSERT_EQ(all.size(), static_cast<std::size_t>(clients * sends));
  auto n = census(all);
  EXPECT_EQ(n.size(), all.size()) << "no externalId appears twice";
  std::size_t acked = 0;
  for (const auto& per : ids)
    for (const auto& id : per) {
      ++acked;
      EXPECT_EQ(n[id], 1) << id;
    }
  EXPECT_EQ(acked, static_cast<std::size_t>(clients * sends));
  // Each client's own messages appear in the order it sent them (older first).
  std::map<int, int> last_seen;
  for (auto it = all.rbegin(); it != all.rend(); ++it) {
    const std::string text = message_text(*it);
    const int t = std::stoi(text.substr(0, text.find(':')));
    const int i = std::stoi(text.substr(text.find(':') + 1));
    auto prev = last_seen.find(t);
    if (prev != last_seen.end()) {
      EXPECT_EQ(i, prev->second + 1) << "client " << t;
    }
    last_seen[t] = i;
  }
  EXPECT_EQ(last_seen.size(), static_cast<std::size_t>(clients));
}

// Regression: with nobody reading its stderr (a dead log collector), the first log line killed the
// server with SIGPIPE.
TEST_F(chat_server_test, server_survives_an_unread_stderr) {
  server_.reset();
  http_.reset();
  server_process s(db_, {}, stderr_mode::reader_closed);
  http_client c(s.port());
  std::this_thread::sleep_for(100ms);
  EXPECT_TRUE(s.alive());
  auto r = c.post_json(chat_path() + "/inbound", patient_, R"({"message":"still here"})");
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(s.stop(), 0) << "a graceful stop that logs must still exit 0, not 128+SIGPIPE";
}

}  // namespace
}  // namespace carechat::testing
