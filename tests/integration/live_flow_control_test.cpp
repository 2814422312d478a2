// Limits of the live endpoints (docs/api/events.md, "Flow control and limits"): a slow consumer is
// closed with 4008 and resumes without loss; at most CARECHAT_MAX_LIVE_PER_TOKEN connections per
// token; a graceful stop closes live connections with 1012 (service restart).
#include <future>
#include <thread>

#include "integration/live_fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

// Sends `count` inbound messages of about `chars` characters from four connections at once (the
// group committer batches them); returns when all are acknowledged.
void send_many(unsigned short port, const std::string& token, int count, std::size_t chars) {
  constexpr int threads = 4;
  const std::string filler(chars, 'x');
  std::vector<std::thread> senders;
  for (int t = 0; t < threads; ++t)
    senders.emplace_back([&, t] {
      http_client own(port);
      for (int i = t; i < count; i += threads) {
        const std::string text = std::to_string(i) + " " + filler;
        auto r = own.post_json(chat_path() + "/inbound", token, json::serialize(json::object{{"message", text}}));
        EXPECT_EQ(r.status, 200u) << r.body;
      }
    });
  for (auto& s : senders) s.join();
}

// Reads frames until the stream closes or stays quiet for `quiet`.
std::vector<json::object> drain(ws_client& ws, std::chrono::milliseconds quiet = std::chrono::milliseconds(3000)) {
  std::vector<json::object> out;
  while (auto f = ws.read(quiet)) out.push_back(frame_object(*f));
  return out;
}

TEST_F(live_test, slow_consumer_is_closed_with_4008_and_resumes_without_loss) {
  // A small queue and a small receive window keep this fast: the server's queue fills once the
  // kernel buffers between us are full of large frames.
  constexpr std::size_t queue_frames = 8;
  // send_many seeds hundreds of large messages from one token at once: a load, not clinic use.
  auto env = rate_limits_off();
  env["CARECHAT_LIVE_QUEUE_FRAMES"] = std::to_string(queue_frames);
  restart(env);
  ws_connect_options small;
  small.receive_buffer_bytes = 4096;
  auto ws = subscribe(events_path(), user_, small);
  ASSERT_EQ(type_of(next(*ws)), "ready");

  // Stop reading; send until the server must have given up on us. The socket buffers hold at most a
  // few MiB (the server's send buffer grows to tcp_wmem's 4 MiB at most), so 800 messages of
  // 9,000 characters (7 MB) are about twice what can be in flight.
  constexpr std::size_t total = 800;
  send_many(server_->port(), patient_, static_cast<int>(total), 9000);

  // Now read: whatever was in flight, then the close.
  std::vector<json::object> received = drain(*ws);
  ASSERT_TRUE(ws->closed()) << "still open after " << received.size() << " frames";
  EXPECT_EQ(ws->close_code(), 4008) << "received " << received.size() << " frames";
  ASSERT_LT(received.size(), total) << "the server must have dropped the connection before sending everything";

  // What arrived is a gap-free prefix, in order.
  std::int64_t last = 0;
  for (const auto& e : received) {
    EXPECT_EQ(type_of(e), "message.created");
    EXPECT_GT(position_of(e), last);
    last = position_of(e);
  }

  // Resume from the last position actually received: every remaining message, in order.
  auto again = subscribe(events_path() + after(last), user_);
  std::vector<json::object> rest;
  auto ready = next_of_type(*again, "ready", &rest);
  EXPECT_EQ(received.size() + rest.size(), total) << "nothing lost, nothing twice";
  std::int64_t previous = last;
  for (const auto& e : rest) {
    EXPECT_GT(position_of(e), previous);
    previous = position_of(e);
  }
  EXPECT_EQ(position_of(ready), previous);

  // Every message is there exactly once: compare with what GET shows, oldest first.
  std::vector<std::string> from_stream;
  for (const auto* part : {&received, &rest})
    for (const auto& e : *part) from_stream.push_back(str(e.at("message").at("externalId")));
  std::vector<std::string> from_get;
  auto all = all_messages(user_);
  for (auto it = all.rbegin(); it != all.rend(); ++it) from_get.push_back(str(it->at("externalId")));
  EXPECT_EQ(from_stream, from_get);
}

// Regression: a connection told to close while it was still replaying the log (too many live events
// held back, or a server stop) returned from the replay without sending its close frame, and then
// sat open forever receiving nothing (websocket_session::replay).
TEST_F(live_test, slow_consumer_during_replay_is_closed_with_4008_too) {
  constexpr int queue_frames = 8;
  // send_many seeds hundreds of large messages from one token at once: a load, not clinic use.
  auto env = rate_limits_off();
  env["CARECHAT_LIVE_QUEUE_FRAMES"] = std::to_string(queue_frames);
  restart(env);
  // More backlog than the socket buffers hold, so the replay blocks while we do not read.
  constexpr int backlog = 500;
  send_many(server_->port(), patient_, backlog, 9000);
  ws_connect_options small;
  small.receive_buffer_bytes = 4096;
  auto ws = subscribe(events_path() + after(0), user_, small);
  // While it is stuck replaying, more live events arrive than it may hold back.
  std::this_thread::sleep_for(ms(100));
  for (int i = 0; i < queue_frames + 4; ++i) send_in("live " + std::to_string(i), patient_);

  const auto received = drain(*ws);
  ASSERT_TRUE(ws->closed()) << "no close after " << received.size() << " frames: the replay left it hanging";
  EXPECT_EQ(ws->close_code(), 4008);
  ASSERT_FALSE(received.empty());
  EXPECT_LT(received.size(), static_cast<std::size_t>(backlog));
  std::int64_t last = 0;
  for (const auto& e : received) {
    EXPECT_EQ(type_of(e), "message.created") << "no ready: the replay did not finish";
    EXPECT_GT(position_of(e), last);
    last = position_of(e);
  }
  auto again = subscribe(events_path() + after(last), user_);
  std::vector<json::object> rest;
  next_of_type(*again, "ready", &rest);
  EXPECT_EQ(received.size() + rest.size(), static_cast<std::size_t>(backlog + queue_frames + 4));
}

TEST_F(live_test, live_connections_per_token_are_capped) {
  restart({{"CARECHAT_MAX_LIVE_PER_TOKEN", "2"}});
  auto first = subscribe_live(events_path(), user_);
  auto second = subscribe_live(instance_events_path(), user_);  // both endpoints count

  ws_client third(server_->port());
  auto hs = third.connect(events_path(), user_);
  expect_error(as_http(hs), 429, "too_many_requests");

  // The cap is per token: other tokens (even of the same role) are not affected.
  const std::string second_user = mint(
      db_, {"--tenant", tenant, "--instance", instance, "--role", "user", "--user", "u-2", "--name", "Second User"});
  auto other = subscribe_live(events_path(), second_user);
  auto as_patient = subscribe_live(events_path(), patient_);

  // The connections over the cap never existed; the two within it still work.
  send_in("still live", patient_);
  EXPECT_EQ(type_of(next(*first)), "message.created");
  EXPECT_EQ(type_of(next(*second)), "message.created");

  // Closing one frees its slot (the server notices the close a moment later).
  first->close();
  ws_handshake again;
  for (int attempt = 0; attempt < 50; ++attempt) {
    ws_client retry(server_->port());
    again = retry.connect(events_path(), user_);
    if (again.status == 101u) {
      EXPECT_EQ(type_of(next(retry)), "ready");
      break;
    }
    EXPECT_EQ(again.status, 429u) << again.body;
    std::this_thread::sleep_for(ms(20));
  }
  EXPECT_EQ(again.status, 101u) << "a closed connection's slot is freed";

  // A connection the client just drops (no close frame) frees its slot too. The probe above was
  // itself dropped a moment ago, so wait for its slot first.
  {
    ws_client dropped(server_->port());
    unsigned first_status = 0;
    for (int attempt = 0; attempt < 50 && first_status != 101u; ++attempt) {
      if (attempt > 0) std::this_thread::sleep_for(ms(20));
      first_status = dropped.connect(events_path(), user_).status;
    }
    ASSERT_EQ(first_status, 101u);
  }  // destructor closes the socket
  unsigned status = 0;
  for (int attempt = 0; attempt < 50 && status != 101u; ++attempt) {
    ws_client retry(server_->port());
    status = retry.connect(events_path(), user_).status;
    if (status != 101u) std::this_thread::sleep_for(ms(20));
  }
  EXPECT_EQ(status, 101u);
}

TEST_F(live_test, graceful_stop_closes_live_connections_with_1012) {
  auto chat = subscribe_live(events_path(), patient_);
  auto instance_wide = subscribe_live(instance_events_path(), user_);
  // One idle connection, one that has just received an event.
  send_in("before stop", patient_);
  EXPECT_EQ(type_of(next(*chat)), "message.created");

  // stop() waits for the process to exit; the server waits for our close replies, so read meanwhile.
  const auto started = std::chrono::steady_clock::now();
  auto exit_status = std::async(std::launch::async, [&] { return server_->stop(); });
  for (ws_client* ws : {chat.get(), instance_wide.get()}) {
    std::vector<json::object> rest;
    for (;;) {
      auto f = ws->read(ms(5000));
      if (!f) break;
      rest.push_back(frame_object(*f));
    }
    EXPECT_TRUE(ws->closed());
    EXPECT_EQ(ws->close_code(), 1012) << "service restart";
  }
  EXPECT_EQ(exit_status.get(), 0);
  const auto took = std::chrono::steady_clock::now() - started;
  EXPECT_LT(took, std::chrono::seconds(5)) << "the closing handshakes finished; the 10 s grace was not needed";
}

TEST_F(live_test, graceful_stop_during_a_replay_closes_with_1012) {
  constexpr int backlog = 500;
  restart(rate_limits_off());  // send_many seeds 500 messages from one token at once: a load
  send_many(server_->port(), patient_, backlog, 9000);
  ws_connect_options small;
  small.receive_buffer_bytes = 4096;
  auto ws = subscribe(events_path() + after(0), user_, small);
  std::this_thread::sleep_for(ms(100));  // the replay is now blocked on our full window

  const auto started = std::chrono::steady_clock::now();
  auto exit_status = std::async(std::launch::async, [&] { return server_->stop(); });
  std::this_thread::sleep_for(ms(100));  // let the stop reach the connection before we read again
  const auto received = drain(*ws, ms(5000));
  EXPECT_TRUE(ws->closed()) << "after " << received.size() << " frames";
  EXPECT_EQ(ws->close_code(), 1012) << "after " << received.size() << " frames";
  EXPECT_LT(received.size(), static_cast<std::size_t>(backlog)) << "the replay stopped";
  EXPECT_EQ(exit_status.get(), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(5))
      << "the closing handshake finished; the 10 s grace was not needed";
}

TEST_F(live_test, live_limits_from_the_environment_are_validated_at_start) {
  for (const auto& [name, value] :
       std::vector<std::pair<std::string, std::string>>{{"CARECHAT_LIVE_QUEUE_FRAMES", "0"},
                                                        {"CARECHAT_LIVE_QUEUE_FRAMES", "many"},
                                                        {"CARECHAT_MAX_LIVE_PER_TOKEN", "0"},
                                                        {"CARECHAT_ALLOWED_ORIGINS", "evil.example"}}) {
    SCOPED_TRACE(name + "=" + value);
    // An address that cannot be bound: were the value accepted, serve would fail (exit 1), not hang.
    auto r = run_cli({"serve", "--db", (dir_.path() / "unused.db").string(), "--listen", "256.256.256.256:0"},
                     {{name, value}});
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace carechat::testing
