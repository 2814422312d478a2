// Live delivery and resume (docs/api/events.md): every subscriber gets each event once, with the
// message exactly as GET shows it to that viewer; a reconnect with after=<position> replays what
// was missed, in order and without duplicates, also across a server restart; archive and restore
// reach subscribers.
#include <set>

#include "integration/live_fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

TEST_F(live_test, message_reaches_every_subscriber_as_that_viewer_sees_it) {
  std::int64_t ready_user = -1, ready_patient = -1, ready_client = -1, ready_instance = -1;
  auto as_user = subscribe_live(events_path(), user_, &ready_user);
  auto as_patient = subscribe_live(events_path(), patient_, &ready_patient);
  auto as_client = subscribe_live(events_path(), client_, &ready_client);
  auto instance_wide = subscribe_live(instance_events_path(), user_, &ready_instance);
  // Nothing was ever sent: every stream starts at the same, current position.
  EXPECT_EQ(ready_user, 0);
  EXPECT_EQ(ready_patient, ready_user);
  EXPECT_EQ(ready_client, ready_user);
  EXPECT_EQ(ready_instance, ready_user);

  const auto sent = send_in("hello, care team", patient_);
  const std::string id = str(sent.at("externalId"));
  const auto staff_view = message_as_seen_by(user_, id);
  const auto client_view = message_as_seen_by(client_, id);
  const auto patient_view = message_as_seen_by(patient_, id);
  ASSERT_TRUE(staff_view.contains("readBy")) << "staff see readBy";
  ASSERT_FALSE(patient_view.contains("readBy")) << "the patient never sees readBy";
  ASSERT_TRUE(patient_view.contains("readAt"));

  struct expectation {
    const char* who;
    ws_client* ws;
    const json::object* view;
  };
  std::set<std::int64_t> positions;
  for (const auto& x :
       {expectation{"user", as_user.get(), &staff_view}, expectation{"patient", as_patient.get(), &patient_view},
        expectation{"client", as_client.get(), &client_view},
        expectation{"instance", instance_wide.get(), &staff_view}}) {
    SCOPED_TRACE(x.who);
    auto e = next(*x.ws);
    EXPECT_EQ(type_of(e), "message.created") << json::serialize(e);
    EXPECT_EQ(e.at("patientId"), json::value(patient));
    ASSERT_TRUE(e.contains("message"));
    EXPECT_EQ(e.at("message"), json::value(*x.view))
        << "event: " << json::serialize(e.at("message")) << "\nGET:   " << json::serialize(*x.view);
    EXPECT_EQ(e.at("at"), sent.at("createdAt"));
    EXPECT_GT(position_of(e), ready_user);
    positions.insert(position_of(e));
    EXPECT_TRUE(nothing_arrives(*x.ws, ms(50))) << "exactly one event per send";
  }
  EXPECT_EQ(positions.size(), 1u) << "one event, one position, whoever receives it";

  // An outbound message from an API client reaches the patient without readBy, staff with it.
  auto r = http_->post_json(chat_path() + "/outbound", client_,
                            R"({"message":"from the nurse","sender":{"id":"n-7","titleName":"Nurse Seven"}})");
  ASSERT_EQ(r.status, 200u) << r.body;
  const std::string out_id = str(json_of(r).at("externalId"));
  auto to_patient = next(*as_patient);
  EXPECT_EQ(to_patient.at("message"), json::value(message_as_seen_by(patient_, out_id)));
  EXPECT_FALSE(to_patient.at("message").as_object().contains("readBy"));
  auto to_user = next(*as_user);
  EXPECT_EQ(to_user.at("message"), json::value(message_as_seen_by(user_, out_id)));
  EXPECT_EQ(to_user.at("message").at("sender").at("id"), json::value("n-7"));
  EXPECT_EQ(position_of(to_user), position_of(to_patient));
  EXPECT_GT(position_of(to_user), *positions.begin());
  EXPECT_EQ(position_of(next(*as_client)), position_of(to_user));
  EXPECT_EQ(position_of(next(*instance_wide)), position_of(to_user));
}

TEST_F(live_test, reconnect_with_after_replays_exactly_what_was_missed_then_goes_live) {
  std::int64_t start = -1;
  auto ws = subscribe_live(events_path(), user_, &start);
  send_in("seen live", patient_);
  auto seen = next(*ws);
  ASSERT_EQ(type_of(seen), "message.created");
  const std::int64_t last = position_of(seen);
  ws->close();

  std::vector<std::string> missed;
  for (int i = 0; i < 50; ++i) {
    missed.push_back("missed " + std::to_string(i));
    send_in(missed.back(), patient_);
  }

  auto again = subscribe(events_path() + after(last), user_);
  std::vector<std::string> texts;
  std::int64_t previous = last;
  std::vector<json::object> replayed;
  auto ready = next_of_type(*again, "ready", &replayed);
  for (const auto& e : replayed) {
    EXPECT_EQ(type_of(e), "message.created") << json::serialize(e);
    EXPECT_GT(position_of(e), previous) << "positions strictly increase";
    previous = position_of(e);
    texts.push_back(message_text(e.at("message").as_object()));
  }
  EXPECT_EQ(texts, missed) << "exactly the missed messages, in send order, no duplicates";
  EXPECT_EQ(position_of(ready), previous) << "ready names the last position sent";

  // Then live: the next send arrives once, after ready.
  send_in("live again", patient_);
  auto live = next(*again);
  EXPECT_EQ(type_of(live), "message.created");
  EXPECT_EQ(message_text(live.at("message").as_object()), "live again");
  EXPECT_GT(position_of(live), previous);
  EXPECT_TRUE(nothing_arrives(*again));

  // after=<the newest position> replays nothing: ready comes first.
  auto current = subscribe(events_path() + after(position_of(live)), user_);
  auto r = next(*current);
  EXPECT_EQ(type_of(r), "ready") << json::serialize(r);
  EXPECT_EQ(position_of(r), position_of(live));
}

TEST_F(live_test, replay_and_live_events_do_not_overlap_when_sends_race_the_reconnect) {
  // Sends run while the reconnect replays: each message must arrive exactly once, in order,
  // whether it came from the log or live.
  send_in("before", patient_);
  constexpr int racing = 40;
  std::vector<std::string> want = {"before"};
  for (int i = 0; i < racing; ++i) want.push_back("race " + std::to_string(i));

  std::thread sender([&] {
    http_client own(server_->port());
    for (int i = 0; i < racing; ++i) {
      auto r = own.post_json(chat_path() + "/inbound", patient_,
                             json::serialize(json::object{{"message", "race " + std::to_string(i)}}));
      EXPECT_EQ(r.status, 200u) << r.body;
    }
  });
  std::this_thread::sleep_for(ms(5));
  auto ws = subscribe(events_path() + after(0), user_);
  std::vector<std::string> got;
  std::int64_t previous = 0;
  bool ready = false;
  while (got.size() < want.size()) {
    auto e = next(*ws);
    if (e.empty()) break;
    if (type_of(e) == "ready") {
      EXPECT_FALSE(ready) << "one ready";
      ready = true;
      EXPECT_EQ(position_of(e), previous);
      continue;
    }
    EXPECT_GT(position_of(e), previous);
    previous = position_of(e);
    got.push_back(message_text(e.at("message").as_object()));
  }
  sender.join();
  if (!ready) {
    EXPECT_EQ(type_of(next(*ws)), "ready");
  }
  EXPECT_EQ(got, want);
  EXPECT_TRUE(nothing_arrives(*ws, ms(200))) << "no duplicates after the last message";
}

TEST_F(live_test, resume_after_a_server_restart_misses_nothing) {
  auto ws = subscribe_live(events_path(), user_);
  for (int i = 0; i < 3; ++i) send_in("before restart " + std::to_string(i), patient_);
  std::int64_t last = 0;
  for (int i = 0; i < 3; ++i) {
    auto e = next(*ws);
    EXPECT_EQ(message_text(e.at("message").as_object()), "before restart " + std::to_string(i));
    last = position_of(e);
  }
  // Two more that this subscriber never saw live, then the restart, then two more.
  send_in("unseen 0", patient_);
  send_in("unseen 1", patient_);
  ws->close();
  restart();
  send_in("after restart 0", patient_);
  send_in("after restart 1", patient_);

  auto again = subscribe(events_path() + after(last), user_);
  std::vector<json::object> replayed;
  auto ready = next_of_type(*again, "ready", &replayed);
  std::vector<std::string> texts;
  std::int64_t previous = last;
  for (const auto& e : replayed) {
    EXPECT_GT(position_of(e), previous) << "positions continue across the restart";
    previous = position_of(e);
    texts.push_back(message_text(e.at("message").as_object()));
  }
  EXPECT_EQ(texts, (std::vector<std::string>{"unseen 0", "unseen 1", "after restart 0", "after restart 1"}));
  EXPECT_EQ(position_of(ready), previous);

  send_in("live after restart", patient_);
  auto live = next(*again);
  EXPECT_EQ(message_text(live.at("message").as_object()), "live after restart");
  EXPECT_GT(position_of(live), previous);

  // The whole log from the start: every message once, in order, on the instance stream too.
  auto everything = subscribe(instance_events_path() + after(0), client_);
  std::vector<json::object> all;
  next_of_type(*everything, "ready", &all);
  ASSERT_EQ(all.size(), 8u);
  for (std::size_t i = 1; i < all.size(); ++i) EXPECT_GT(position_of(all[i]), position_of(all[i - 1]));
  EXPECT_EQ(message_text(all.front().at("message").as_object()), "before restart 0");
  EXPECT_EQ(message_text(all.back().at("message").as_object()), "live after restart");
}

TEST_F(live_test, archive_and_restore_reach_subscribers) {
  for (int i = 0; i < 3; ++i) {
    send_in("old " + std::to_string(i), patient_);
    std::this_thread::sleep_for(ms(3));  // distinct createdAt, so the cut below is exact
  }
  const auto kept = send_in("kept", patient_);
  auto as_user = subscribe_live(events_path(), user_);
  auto as_patient = subscribe_live(events_path(), patient_);
  auto instance_wide = subscribe_live(instance_events_path(), client_);

  const std::string cut = str(kept.at("createdAt"));
  auto r = http_->request("POST", chat_path() + "/archive?archiveDate=" + url_encode(cut), {},
                          {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(json_of(r).at("archived").as_int64(), 3);
  std::int64_t archived_at = -1;
  for (ws_client* ws : {as_user.get(), as_patient.get(), instance_wide.get()}) {
    auto e = next(*ws);
    EXPECT_EQ(type_of(e), "chat.archived") << json::serialize(e);
    EXPECT_EQ(e.at("patientId"), json::value(patient));
    EXPECT_EQ(e.at("count").as_int64(), 3);
    EXPECT_EQ(e.at("archiveDate"), json::value(cut));
    EXPECT_TRUE(std::regex_match(str(e.at("at")), created_at_re));
    if (archived_at < 0) archived_at = position_of(e);
    EXPECT_EQ(position_of(e), archived_at);
  }

  // Archiving again changes nothing and emits nothing.
  r = http_->request("POST", chat_path() + "/archive?archiveDate=" + url_encode(cut), {},
                     {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(json_of(r).at("archived").as_int64(), 0);

  r = http_->request("POST", chat_path() + "/restore", {}, {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(r.status, 200u) << r.body;
  for (ws_client* ws : {as_user.get(), as_patient.get(), instance_wide.get()}) {
    auto e = next(*ws);
    EXPECT_EQ(type_of(e), "chat.restored") << json::serialize(e) << " (a no-op archive emits no event)";
    EXPECT_EQ(e.at("count").as_int64(), 3);
    EXPECT_GT(position_of(e), archived_at);
  }
  r = http_->request("POST", chat_path() + "/restore", {}, {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(json_of(r).at("restored").as_int64(), 0);
  EXPECT_TRUE(nothing_arrives(*as_user)) << "a restore of nothing emits nothing";

  // The same events replay from the log.
  auto replay = subscribe(events_path() + after(archived_at - 1), patient_);
  auto a = next(*replay);
  EXPECT_EQ(type_of(a), "chat.archived");
  EXPECT_EQ(a.at("archiveDate"), json::value(cut));
  EXPECT_EQ(a.at("count").as_int64(), 3);
  EXPECT_EQ(type_of(next(*replay)), "chat.restored");
  EXPECT_EQ(type_of(next(*replay)), "ready");
}

}  // namespace
}  // namespace carechat::testing
