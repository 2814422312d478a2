// A first end-to-end check of the live endpoint: subscribe, receive a message event, resume.
#include "integration/fixture.hpp"
#include "integration/ws_client.hpp"

namespace carechat::testing {
namespace {

TEST_F(chat_server_test, live_message_then_resume_from_position) {
  ws_client ws(server_->port());
  auto hs = ws.connect(chat_path() + "/events", user_);
  ASSERT_EQ(hs.status, 101u) << hs.body;
  EXPECT_EQ(hs.subprotocol, "carechat.v1");
  auto ready = ws.read();
  ASSERT_TRUE(ready);
  EXPECT_EQ(boost::json::parse(*ready).at("type").as_string(), "ready");

  ASSERT_EQ(send_inbound("live one").status, 200u);
  auto ev = ws.read();
  ASSERT_TRUE(ev);
  auto e = boost::json::parse(*ev);
  EXPECT_EQ(e.at("type").as_string(), "message.created");
  EXPECT_EQ(e.at("message").at("message").as_string(), "live one");
  const auto pos = e.at("position").as_int64();
  ws.close();

  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_inbound("missed " + std::to_string(i)).status, 200u);
  ws_client again(server_->port());
  ASSERT_EQ(again.connect(chat_path() + "/events?after=" + std::to_string(pos), user_).status, 101u);
  for (int i = 0; i < 3; ++i) {
    auto f = again.read();
    ASSERT_TRUE(f) << i;
    EXPECT_EQ(boost::json::parse(*f).at("message").at("message").as_string(), "missed " + std::to_string(i));
  }
  auto r = again.read();
  ASSERT_TRUE(r);
  EXPECT_EQ(boost::json::parse(*r).at("type").as_string(), "ready");
}

}  // namespace
}  // namespace carechat::testing
