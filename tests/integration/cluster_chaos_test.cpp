// The cluster under failures: three nodes on one PostgreSQL database behind haproxy (configured
// from scripts/haproxy.cfg.in, health checks on /readyz), 100 live clients spread over the nodes
// through haproxy, senders through every node and through haproxy, a webhook endpoint taking
// every patient message; every 3 s for ~30 s one node is killed (SIGKILL; every fourth time
// stopped with SIGTERM instead) and started again on its port under its name. At the end:
//   - every client's events are exactly the log from where it joined: every position once, in
//     order, with the same event at each, across all its reconnects (resuming with after/epoch
//     through whichever node haproxy picked);
//   - every acknowledged send is stored exactly once;
//   - every message's webhook was delivered at least once, always under one webhook-id, and the
//     endpoint saw them in log order (a redelivery only repeats the event at the head).
// PostgreSQL only (the postgres.* pass): SQLite is one process.
#include <atomic>
#include <iostream>
#include <limits>
#include <map>
#include <mutex>
#include <thread>

#include "integration/haproxy_process.hpp"
#include "integration/keyed_senders.hpp"
#include "integration/live_fixture.hpp"
#include "integration/webhook_fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;
using namespace std::chrono_literals;
using clock_type = std::chrono::steady_clock;

// What a client received at one position: the event's type and, for a message, its externalId.
struct seen_event {
  std::int64_t position = 0;
  std::string what;
  bool operator==(const seen_event&) const = default;
};

std::string describe(const json::object& e) {
  if (type_of(e) == "message.created") return "message " + str(e.at("message").at("externalId"));
  return type_of(e);
}

// One live client of the instance's events through haproxy, on a thread of its own. It keeps
// the last position it processed and the epoch, and on any close (node killed: the balancer cuts
// the tunnel; node stopped: 1012; too slow: 4008) reconnects with ?after=&epoch=, as
// docs/api/events.md tells clients to. Every violation of the protocol is recorded, not thrown.
class live_client {
 public:
  live_client(unsigned short port, std::string token) : port_(port), token_(std::move(token)) {
    thread_ = std::thread([this] { run(); });
  }
  ~live_client() {
    abort_ = true;
    if (thread_.joinable()) thread_.join();
  }

  bool joined() const { return joined_.load(); }
  std::int64_t last() const { return last_.load(); }
  // Run until the last position is at least `head` (then return), or abort.
  void finish_at(std::int64_t head) { until_ = head; }
  void abort() { abort_ = true; }
  void join() {
    if (thread_.joinable()) thread_.join();
  }

  // After join():
  std::int64_t start() const { return start_; }
  std::int64_t epoch() const { return epoch_; }
  const std::vector<seen_event>& events() const { return events_; }
  const std::vector<std::string>& violations() const { return violations_; }
  int reconnects() const { return reconnects_; }
  const std::map<int, int>& close_codes() const { return close_codes_; }
  int refused() const { return refused_; }

 private:
  void run() {
    ws_client ws(port_);
    bool connected = false;
    while (!abort_ && !(joined_ && last_.load() >= until_.load())) {
      if (!connected) {
        std::string target = instance_events_path();
        if (joined_) target += "?after=" + std::to_string(last_.load()) + "&epoch=" + std::to_string(epoch_);
        ws_handshake hs;
        try {
          hs = ws.connect(target, token_);
        } catch (const std::exception&) {
          hs.status = 0;
        }
        if (hs.status != 101) {
          ++refused_;
          std::this_thread::sleep_for(100ms);
          continue;
        }
        if (joined_) ++reconnects_;
        connected = true;
      }
      auto frame = ws.read(200ms);
      if (!frame) {
        if (ws.closed()) {
          ++close_codes_[ws.close_code()];
          connected = false;
        }
        continue;
      }
      json::error_code ec;
      auto v = json::parse(*frame, ec);
      if (ec || !v.is_object()) {
        violation("not a JSON object: " + *frame);
        continue;
      }
      const auto& e = v.as_object();
      const std::string type = type_of(e);
      const std::int64_t position = position_of(e);
      if (type == "ready") {
        const std::int64_t epoch = e.at("epoch").as_int64();
        if (!joined_) {
          start_ = position;
          epoch_ = epoch;
          last_ = position;
          joined_ = true;
        } else if (position != last_.load() || epoch != epoch_) {
          violation("ready at " + std::to_string(position) + " epoch " + std::to_string(epoch) + " after " +
                    std::to_string(last_.load()) + " epoch " + std::to_string(epoch_));
        }
        continue;
      }
      if (!joined_) {
        violation("an event before ready: " + *frame);
        continue;
      }
      if (type == "resync_required" || position != last_.load() + 1) {
        violation("after " + std::to_string(last_.load()) + " got " + *frame);
        if (position <= last_.load()) continue;  // a duplicate: keep the log as first seen
      }
      events_.push_back({position, describe(e)});
      last_ = position;
    }
    if (connected) ws.close(1s);
  }

  void violation(std::string what) {
    if (violations_.size() < 5) violations_.push_back(std::move(what));
    else if (violations_.size() == 5) violations_.push_back("...");
  }

  const unsigned short port_;
  const std::string token_;
  std::atomic<bool> abort_{false};
  std::atomic<bool> joined_{false};
  std::atomic<std::int64_t> last_{-1};
  std::atomic<std::int64_t> until_{std::numeric_limits<std::int64_t>::max()};
  // The client thread's, read after join():
  std::int64_t start_ = 0;
  std::int64_t epoch_ = 0;
  std::vector<seen_event> events_;
  std::vector<std::string> violations_;
  int reconnects_ = 0;
  int refused_ = 0;
  std::map<int, int> close_codes_;
  std::thread thread_;  // last
};

class cluster_chaos_test : public chat_server_test {
 protected:
  static constexpr int node_count = 3;
  static constexpr int client_count = 100;
  static constexpr auto chaos_period = 3s;
  static constexpr auto chaos_duration = 30s;

  void SetUp() override {
    if (!postgres_run()) GTEST_SKIP() << "several nodes share PostgreSQL only: runs in the postgres.* pass";
    chat_server_test::SetUp();
    // The fixture's server is not one of the cluster's nodes (its webhook worker would refuse the
    // loopback endpoint): only the nodes below serve this database.
    http_.reset();
    server_.reset();
  }

  std::map<std::string, std::string> node_env(int i) const {
    // A load: 100 live clients and continuous senders on one token (abuse limits off).
    std::map<std::string, std::string> env = rate_limits_off();
    env["CARECHAT_NODE_ID"] = "n" + std::to_string(i + 1);
    env["CARECHAT_MAX_LIVE_PER_TOKEN"] = "1000";  // a per-node cap: all clients use one token
    env["CARECHAT_READER_THREADS"] = "2";
    env["CARECHAT_WEBHOOK_ALLOW_PRIVATE"] = "1";
    env["CARECHAT_WEBHOOK_POLL_MS"] = "100";
    env["CARECHAT_WEBHOOK_RETRY_BASE_MS"] = "200";
    env["CARECHAT_WEBHOOK_RETRY_MAX_MS"] = "1000";
    env["CARECHAT_WEBHOOK_TIMEOUT_MS"] = "2000";
    return env;
  }

  void start_node(int i, unsigned short port) {
    nodes_[i] = std::make_unique<server_process>(db_, node_env(i), stderr_mode::capture, port);
  }

  std::unique_ptr<server_process> nodes_[node_count];
};

TEST_F(cluster_chaos_test, nodes_killed_and_restarted_lose_no_send_no_live_event_and_no_webhook) {
  webhook_receiver receiver;
  auto configured = run_cli({"webhook", "set", "--db", db_, "--tenant", tenant, "--instance", instance, "--url",
                             receiver.url(), "--api-key", test_api_key, "--api-secret", test_api_secret,
                             "--signing-secret", test_signing_secret, "--events", "message.inbound"},
                            {{"CARECHAT_WEBHOOK_ALLOW_PRIVATE", "1"}});
  ASSERT_EQ(configured.exit_code, 0) << configured.err;

  unsigned short ports[node_count];
  for (int i = 0; i < node_count; ++i) {
    start_node(i, 0);
    ports[i] = nodes_[i]->port();
  }
  haproxy_process balancer({ports[0], ports[1], ports[2]});

  // The clients join (spread over the nodes by haproxy's leastconn) before anything is sent.
  std::vector<std::unique_ptr<live_client>> clients;
  for (int c = 0; c < client_count; ++c) clients.push_back(std::make_unique<live_client>(balancer.port(), user_));
  for (auto deadline = clock_type::now() + 30s; clock_type::now() < deadline;) {
    int joined = 0;
    for (auto& c : clients) joined += c->joined();
    if (joined == client_count) break;
    std::this_thread::sleep_for(50ms);
  }
  for (auto& c : clients) ASSERT_TRUE(c->joined()) << "a client never got its ready frame";

  // A sender on each node directly, and one through haproxy; each waits for its answer, retries
  // with its Idempotency-Key until acknowledged, then sends the next after a short pause.
  keyed_sender_options direct{.pause = 20ms, .through_balancer = false};
  keyed_sender_options balanced{.pause = 20ms, .through_balancer = true};
  keyed_senders on_nodes(node_count, [&](int t) { return ports[t]; }, chat_path() + "/inbound", patient_, direct);
  keyed_senders via_balancer(1, [&](int) { return balancer.port(); }, chat_path() + "/inbound", patient_, balanced);

  int kills = 0, stops = 0;
  for (auto end = clock_type::now() + chaos_duration; clock_type::now() < end;) {
    std::this_thread::sleep_for(chaos_period);
    const int victim = (kills + stops) % node_count;
    if ((kills + stops) % 4 == 3) {
      EXPECT_EQ(nodes_[victim]->stop(), 0) << "a graceful stop exits 0";
      ++stops;
    } else {
      nodes_[victim]->kill_hard();
      ++kills;
    }
    std::this_thread::sleep_for(300ms);
    start_node(victim, ports[victim]);
  }
  on_nodes.stop();
  via_balancer.stop();

  // Every send that will ever commit has: the log's head now is where every client must end.
  http_client http(balancer.port());
  auto page = http.get(chat_path() + "?pageSize=1", user_);
  ASSERT_EQ(page.status, 200u) << page.body;
  const std::int64_t head = json_of(page).at("meta").at("position").as_int64();
  for (auto& c : clients) c->finish_at(head);
  const auto deadline = clock_type::now() + 60s;
  for (auto& c : clients) {
    while (c->last() < head && clock_type::now() < deadline) std::this_thread::sleep_for(20ms);
    c->abort();
    c->join();
  }

  // The log itself, read once more from where the first client joined, through any node.
  std::int64_t start = head, epoch = 0;
  for (auto& c : clients) start = std::min(start, c->start());
  epoch = clients.front()->epoch();
  std::vector<seen_event> log;
  {
    ws_client ws(balancer.port());
    ASSERT_EQ(ws.connect(instance_events_path() + "?after=" + std::to_string(start) + "&epoch=" + std::to_string(epoch),
                         user_)
                  .status,
              101u);
    for (;;) {
      auto frame = ws.read(10s);
      ASSERT_TRUE(frame) << "the replay stopped at " << (log.empty() ? start : log.back().position);
      auto e = frame_object(*frame);
      if (type_of(e) == "ready") break;
      log.push_back({position_of(e), describe(e)});
    }
  }
  ASSERT_EQ(static_cast<std::int64_t>(log.size()), head - start) << "the log has a hole";
  for (std::size_t i = 0; i < log.size(); ++i) ASSERT_EQ(log[i].position, start + 1 + static_cast<std::int64_t>(i));

  // 1. Every client saw exactly the log from where it joined.
  int reconnects = 0, refused = 0;
  std::map<int, int> close_codes;
  for (std::size_t c = 0; c < clients.size(); ++c) {
    const auto& client = *clients[c];
    reconnects += client.reconnects();
    refused += client.refused();
    for (auto [code, n] : client.close_codes()) close_codes[code] += n;
    EXPECT_TRUE(client.violations().empty()) << "client " << c << ": " << client.violations().front();
    const std::vector<seen_event> expected(log.begin() + (client.start() - start), log.end());
    EXPECT_EQ(client.events().size(), expected.size()) << "client " << c << " joined at " << client.start();
    EXPECT_TRUE(client.events() == expected) << "client " << c << " saw other events than the log's";
  }

  // 2. Every acknowledged send is stored exactly once; nothing is stored twice.
  EXPECT_EQ(on_nodes.unexpected() + via_balancer.unexpected(), 0);
  const auto stored = stored_external_ids(http, chat_path(), user_);
  std::set<std::string> acknowledged = on_nodes.acknowledged();
  for (const auto& id : via_balancer.acknowledged()) acknowledged.insert(id);
  for (const auto& id : acknowledged) EXPECT_EQ(stored.count(id), 1u) << id;
  EXPECT_EQ(std::set<std::string>(stored.begin(), stored.end()).size(), stored.size()) << "a message stored twice";

  // 3. Webhooks: every message of the log delivered, under one id, in log order.
  std::map<std::string, std::size_t> index_of;  // externalId -> place in the log's messages
  for (const auto& e : log)
    if (e.what.rfind("message ", 0) == 0) index_of.emplace(e.what.substr(8), index_of.size());
  ASSERT_EQ(index_of.size(), stored.size()) << "every stored message has its event in the log";
  const bool all_delivered = receiver.wait_until(
      [&](const std::vector<received_webhook>& rs) {
        std::set<std::string> ok;
        for (const auto& r : rs)
          if (r.answered >= 200 && r.answered < 300) ok.insert(r.headers.at("webhook-id"));
        return ok.size() >= index_of.size();
      },
      60s);
  EXPECT_TRUE(all_delivered);
  std::set<std::string> delivered;
  std::size_t previous = 0, redeliveries = 0, out_of_order = 0, foreign = 0, other_ids = 0;
  std::string first_out_of_order;
  for (const auto& r : receiver.requests()) {
    const auto body = json::parse(r.body).as_object();
    const std::string external_id = str(body.at("externalId"));
    other_ids += r.headers.at("webhook-id") != "evt_" + external_id.substr(2);
    auto it = index_of.find(external_id);
    if (it == index_of.end()) {
      ++foreign;
      continue;
    }
    if (it->second < previous && out_of_order++ == 0)
      first_out_of_order = external_id + " (message " + std::to_string(it->second) + ") after message " +
                           std::to_string(previous);
    previous = std::max(previous, it->second);
    if (!delivered.insert(external_id).second) ++redeliveries;
  }
  EXPECT_EQ(other_ids, 0u) << "an event delivered under another webhook-id than its own";
  EXPECT_EQ(foreign, 0u) << "webhooks for messages not in the log";
  EXPECT_EQ(out_of_order, 0u) << "first: " << first_out_of_order;
  EXPECT_EQ(delivered.size(), index_of.size()) << "a message's webhook never came";
  // One delivery per attempt: an event goes out again only when the node sending it died (or
  // stopped) before it could record the answer, at most once per kill or stop.
  EXPECT_LE(redeliveries, static_cast<std::size_t>(kills + stops));

  // The chaos happened: nodes died with clients and senders on them.
  EXPECT_GT(acknowledged.size(), 100u);
  EXPECT_GE(reconnects, kills + stops) << "kills that nobody noticed";
  std::string codes;
  for (auto [code, n] : close_codes) codes += " " + std::to_string(code) + "x" + std::to_string(n);
  std::cout << "[ chaos ] " << kills << " kills, " << stops << " stops; " << acknowledged.size() << " sends acknowledged ("
            << on_nodes.broken() + via_balancer.broken() << " cut, " << on_nodes.unavailable() + via_balancer.unavailable()
            << " 503, slowest " << std::max(on_nodes.slowest_ms(), via_balancer.slowest_ms()) << " ms); " << log.size()
            << " events; " << reconnects << " reconnects (closes:" << codes << "), " << refused
            << " refused handshakes; " << receiver.requests().size() << " webhook requests, " << redeliveries
            << " redelivered" << std::endl;
}

}  // namespace
}  // namespace carechat::testing
