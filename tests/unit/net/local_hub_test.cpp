// The in-process hub: subscribers get the events of their scope (a chat, or an instance) in order,
// nothing after unsubscribing, and every subscriber of a viewer shares one frame per event.
#include "net/local_hub.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace carechat::net {
namespace {

struct recorder final : live_subscriber {
  std::vector<std::shared_ptr<const live_event>> got;
  void deliver(std::shared_ptr<const live_event> e) override { got.push_back(std::move(e)); }
};

domain::chat_event read_event(std::int64_t position, const std::string& patient) {
  domain::chat_event e;
  e.position = position;
  e.type = domain::event_type::messages_read;
  e.chat = {"gh", "sb-demo", patient};
  e.at = 1000;
  e.reader = domain::party{domain::client_type::user, "u-1", std::string("Root Root")};
  e.up_to_external_id = "IM0123456789abcdef0123456789abcdef";
  e.count = 1;
  return e;
}

TEST(local_hub, scopes_order_and_unsubscribe) {
  local_hub hub;
  recorder p1, p2, instance;
  const auto a = hub.subscribe({"gh", "sb-demo", std::string("p1")}, p1);
  hub.subscribe({"gh", "sb-demo", std::string("p2")}, p2);
  hub.subscribe({"gh", "sb-demo", std::nullopt}, instance);
  EXPECT_EQ(hub.subscribers(), 3u);
  const std::vector<domain::chat_event> batch{read_event(1, "p1"), read_event(2, "p2"), read_event(3, "p1")};
  hub.publish(batch);
  ASSERT_EQ(p1.got.size(), 2u);
  EXPECT_EQ(p1.got[0]->position(), 1);
  EXPECT_EQ(p1.got[1]->position(), 3);
  ASSERT_EQ(p2.got.size(), 1u);
  EXPECT_EQ(instance.got.size(), 3u);
  EXPECT_EQ(instance.got[0].get(), p1.got[0].get());  // one shared event, not a copy each

  hub.unsubscribe(a);
  hub.unsubscribe(a);  // twice is harmless
  hub.publish(std::vector<domain::chat_event>{read_event(4, "p1")});
  EXPECT_EQ(p1.got.size(), 2u);
  EXPECT_EQ(instance.got.size(), 4u);
}

TEST(local_hub, each_viewer_gets_one_frame_shared_by_all_its_sessions) {
  local_hub hub;
  std::vector<recorder> sessions(8);
  for (auto& s : sessions) hub.subscribe({"gh", "sb-demo", std::string("p1")}, s);
  hub.publish(std::vector<domain::chat_event>{read_event(7, "p1")});
  const live_event& e = *sessions[0].got.at(0);
  // Frames are built on first use, from any thread, once.
  std::vector<const std::string*> seen(sessions.size());
  std::vector<std::thread> threads;
  for (std::size_t i = 0; i < sessions.size(); ++i)
    threads.emplace_back([&, i] { seen[i] = &sessions[i].got.at(0)->frame(api::viewer::staff); });
  for (auto& t : threads) t.join();
  for (const auto* f : seen) EXPECT_EQ(f, seen[0]);
  EXPECT_EQ(*seen[0], api::serialize_event(e.event(), api::viewer::staff));
  // The patient's frame is its own (no reader), also built once.
  EXPECT_NE(&e.frame(api::viewer::patient), seen[0]);
  EXPECT_EQ(&e.frame(api::viewer::patient), &e.frame(api::viewer::patient));
  EXPECT_EQ(e.frame(api::viewer::patient), api::serialize_event(e.event(), api::viewer::patient));
  EXPECT_EQ(e.frame(api::viewer::patient).find("Root Root"), std::string::npos);
}

}  // namespace
}  // namespace carechat::net
