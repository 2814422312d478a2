// Read state over HTTP (docs/api/events.md, "Read state over HTTP"): POST .../chat/read for staff,
// patient and API client, the messages.read events it emits, unreadCount and anchor=firstUnread,
// the error cases, and the staff inbox GET /{tenant}/{instance}/chat/unread.
#include <thread>

#include "integration/live_fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

const json::value root_root = json::object{{"clientType", "USER"}, {"id", "u-1"}, {"titleName", "Root Root"}};
const json::value the_patient = json::object{{"clientType", "PATIENT"}, {"id", patient}, {"titleName", nullptr}};

std::vector<std::string> ids_of(const json::object& page) {
  std::vector<std::string> out;
  for (const auto& m : page.at("content").as_array()) out.push_back(str(m.at("externalId")));
  return out;
}
std::string id_of(const json::object& message) { return str(message.at("externalId")); }
std::int64_t unread_count(const json::object& page) { return page.at("meta").at("unreadCount").as_int64(); }

class read_state_test : public live_test {
 protected:
  // The message `id` as `token` sees it.
  json::object seen(const std::string& token, const std::string& id) { return message_as_seen_by(token, id); }

  // Checks a messages.read frame; `reader` null means the frame must carry none (the patient's view).
  void expect_read_event(const json::object& e, const std::string& direction, std::int64_t count,
                         const std::string& up_to, const std::string& read_at, const json::value& reader) {
    EXPECT_EQ(type_of(e), "messages.read") << json::serialize(e);
    if (type_of(e) != "messages.read") return;
    EXPECT_EQ(e.at("patientId"), json::value(patient));
    EXPECT_EQ(e.at("direction"), json::value(direction));
    EXPECT_EQ(e.at("count").as_int64(), count);
    EXPECT_EQ(e.at("upToExternalId"), json::value(up_to));
    EXPECT_EQ(e.at("readAt"), json::value(read_at));
    EXPECT_EQ(e.at("at"), json::value(read_at));
    if (reader.is_null()) {
      EXPECT_FALSE(e.contains("reader")) << "the patient is not told who read: " << json::serialize(e);
    } else {
      ASSERT_TRUE(e.contains("reader")) << json::serialize(e);
      EXPECT_EQ(e.at("reader"), reader);
    }
  }

  // Proves that no event is pending on `ws`: a fresh message's event is the very next frame.
  void expect_no_event_before_next_message(const std::vector<ws_client*>& sockets, const std::string& marker) {
    const auto sent = send_in(marker, patient_);
    for (ws_client* ws : sockets) {
      auto e = next(*ws);
      EXPECT_EQ(type_of(e), "message.created") << "an unexpected event came first: " << json::serialize(e);
      if (e.contains("message")) {
        EXPECT_EQ(e.at("message").at("externalId"), sent.at("externalId"));
      }
    }
  }
};

TEST_F(read_state_test, staff_mark_patient_messages_read_with_events_and_unread_counts) {
  const auto p0 = send_in("already read", patient_);
  ASSERT_EQ(json_of(mark_read(user_)).at("marked").as_int64(), 1);

  auto as_user = subscribe_live(events_path(), user_);
  auto as_patient = subscribe_live(events_path(), patient_);
  auto instance_wide = subscribe_live(instance_events_path(), client_);
  const std::vector<ws_client*> sockets{as_user.get(), as_patient.get(), instance_wide.get()};

  const auto a = send_in("first", patient_);
  const auto b = send_in("second", patient_);
  const auto c = send_in("third", patient_);
  for (ws_client* ws : sockets)
    for (int i = 0; i < 3; ++i) EXPECT_EQ(type_of(next(*ws)), "message.created");

  // Staff see three unread; the patient has nothing of the care team's to read.
  auto staff_page = page(user_);
  EXPECT_EQ(unread_count(staff_page), 3);
  EXPECT_TRUE(staff_page.at("meta").at("firstUnreadExternalId").is_null()) << "only with anchor=firstUnread";
  EXPECT_EQ(unread_count(page(client_)), 3);
  EXPECT_EQ(unread_count(page(patient_)), 0);

  // anchor=firstUnread opens at the oldest unread with pageSize/4 of context.
  auto anchored = page(user_, "?anchor=firstUnread&pageSize=4");
  EXPECT_EQ(anchored.at("meta").at("firstUnreadExternalId"), a.at("externalId"));
  EXPECT_EQ(ids_of(anchored), (std::vector<std::string>{id_of(c), id_of(b), id_of(a), id_of(p0)}));
  EXPECT_TRUE(anchored.at("meta").at("nextPageToken").is_null()) << "p0 is the oldest message";
  EXPECT_TRUE(anchored.at("meta").at("prevPageToken").is_null()) << "c is the newest message";
  // A smaller page: no context, and tokens that walk both ways from the anchor.
  auto small = page(user_, "?anchor=firstUnread&pageSize=2");
  EXPECT_EQ(ids_of(small), (std::vector<std::string>{id_of(b), id_of(a)}));
  ASSERT_TRUE(small.at("meta").at("prevPageToken").is_string());
  ASSERT_TRUE(small.at("meta").at("nextPageToken").is_string());
  auto newer = page(user_, "?pageToken=" + url_encode(str(small.at("meta").at("prevPageToken"))));
  EXPECT_EQ(ids_of(newer), (std::vector<std::string>{id_of(c)}));
  auto older = page(user_, "?pageToken=" + url_encode(str(small.at("meta").at("nextPageToken"))));
  EXPECT_EQ(ids_of(older), (std::vector<std::string>{id_of(p0)}));
  EXPECT_TRUE(older.at("meta").at("firstUnreadExternalId").is_null()) << "token pages name no anchor";

  // Read up to the second message: two become read.
  auto r = mark_read(user_, json::serialize(json::object{{"upTo", b.at("externalId")}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  auto receipt = json_of(r).as_object();
  EXPECT_EQ(receipt.at("marked").as_int64(), 2);
  EXPECT_EQ(receipt.at("upToExternalId"), b.at("externalId"));
  const std::string read_at = str(receipt.at("readAt"));
  EXPECT_TRUE(std::regex_match(read_at, created_at_re)) << read_at;
  expect_read_event(next(*as_user), "inbound", 2, id_of(b), read_at, root_root);
  expect_read_event(next(*as_patient), "inbound", 2, id_of(b), read_at, nullptr);
  expect_read_event(next(*instance_wide), "inbound", 2, id_of(b), read_at, root_root);

  for (const auto* m : {&a, &b}) {
    auto staff_view = seen(user_, id_of(*m));
    EXPECT_EQ(staff_view.at("readAt"), json::value(read_at));
    EXPECT_EQ(staff_view.at("readBy"), root_root);
    auto patient_view = seen(patient_, id_of(*m));
    EXPECT_EQ(patient_view.at("readAt"), json::value(read_at)) << "the patient sees when";
    EXPECT_FALSE(patient_view.contains("readBy")) << "but not who";
  }
  EXPECT_TRUE(seen(user_, id_of(c)).at("readAt").is_null());
  EXPECT_TRUE(seen(user_, id_of(c)).at("readBy").is_null());
  EXPECT_NE(seen(user_, id_of(p0)).at("readAt"), json::value(read_at)) << "already read: unchanged";
  EXPECT_EQ(unread_count(page(user_)), 1);
  EXPECT_EQ(page(user_, "?anchor=firstUnread").at("meta").at("firstUnreadExternalId"), c.at("externalId"));

  // An empty body reads the rest; upToExternalId is then the newest message read.
  r = mark_read(user_);
  ASSERT_EQ(r.status, 200u) << r.body;
  receipt = json_of(r).as_object();
  EXPECT_EQ(receipt.at("marked").as_int64(), 1);
  EXPECT_EQ(receipt.at("upToExternalId"), c.at("externalId"));
  const std::string read_at2 = str(receipt.at("readAt"));
  expect_read_event(next(*as_user), "inbound", 1, id_of(c), read_at2, root_root);
  expect_read_event(next(*as_patient), "inbound", 1, id_of(c), read_at2, nullptr);
  expect_read_event(next(*instance_wide), "inbound", 1, id_of(c), read_at2, root_root);
  EXPECT_EQ(unread_count(page(user_)), 0);
  // Without unread messages, anchor=firstUnread is the newest page.
  auto none = page(user_, "?anchor=firstUnread&pageSize=2");
  EXPECT_TRUE(none.at("meta").at("firstUnreadExternalId").is_null());
  EXPECT_EQ(ids_of(none), (std::vector<std::string>{id_of(c), id_of(b)}));

  // Reading again marks nothing and emits nothing.
  r = mark_read(user_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r).at("marked").as_int64(), 0);
  r = mark_read(user_, json::serialize(json::object{{"upTo", a.at("externalId")}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r).at("marked").as_int64(), 0);
  expect_no_event_before_next_message(sockets, "marker");
}

TEST_F(read_state_test, patient_read_receipts_for_the_care_teams_messages) {
  const auto in = send_in("from the patient", patient_);
  auto as_user = subscribe_live(events_path(), user_);
  auto as_patient = subscribe_live(events_path(), patient_);

  const auto o1 = send_out("your results are in");
  const auto o2 = send_out("please call us");
  for (ws_client* ws : {as_user.get(), as_patient.get()})
    for (int i = 0; i < 2; ++i) EXPECT_EQ(type_of(next(*ws)), "message.created");

  EXPECT_EQ(unread_count(page(patient_)), 2) << "the care team's messages, for the patient";
  EXPECT_EQ(unread_count(page(user_)), 1) << "staff count only the patient's message";
  EXPECT_EQ(page(patient_, "?anchor=firstUnread").at("meta").at("firstUnreadExternalId"), o1.at("externalId"));
  EXPECT_EQ(page(user_, "?anchor=firstUnread").at("meta").at("firstUnreadExternalId"), in.at("externalId"));

  // The patient may not mark its own messages (wrong direction for a patient): 400, nothing changes.
  auto wrong = mark_read(patient_, json::serialize(json::object{{"upTo", in.at("externalId")}}));
  expect_error(wrong, 400, "bad_request");
  EXPECT_EQ(unread_count(page(patient_)), 2);

  auto r = mark_read(patient_);
  ASSERT_EQ(r.status, 200u) << r.body;
  auto receipt = json_of(r).as_object();
  EXPECT_EQ(receipt.at("marked").as_int64(), 2);
  EXPECT_EQ(receipt.at("upToExternalId"), o2.at("externalId"));
  const std::string read_at = str(receipt.at("readAt"));
  expect_read_event(next(*as_user), "outbound", 2, id_of(o2), read_at, the_patient);
  expect_read_event(next(*as_patient), "outbound", 2, id_of(o2), read_at, nullptr);

  for (const auto* m : {&o1, &o2}) {
    auto staff_view = seen(user_, id_of(*m));
    EXPECT_EQ(staff_view.at("readAt"), json::value(read_at)) << "a read receipt";
    EXPECT_EQ(staff_view.at("readBy"), the_patient) << "read by the patient";
    EXPECT_EQ(seen(patient_, id_of(*m)).at("readAt"), json::value(read_at));
  }
  EXPECT_TRUE(seen(user_, id_of(in)).at("readAt").is_null()) << "the patient's own message is untouched";
  EXPECT_EQ(unread_count(page(patient_)), 0);
  EXPECT_EQ(unread_count(page(user_)), 1);
  EXPECT_EQ(json_of(mark_read(patient_)).at("marked").as_int64(), 0);
  expect_no_event_before_next_message({as_user.get(), as_patient.get()}, "marker");
}

TEST_F(read_state_test, api_client_reads_for_the_patient_or_as_a_named_staff_user) {
  const auto in = send_in("from the patient", patient_);
  const auto out = send_out("from the care team");
  auto as_user = subscribe_live(events_path(), user_);

  // No reader: the patient's app reports the patient's reads (outbound).
  auto r = mark_read(client_);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r).at("marked").as_int64(), 1);
  EXPECT_EQ(json_of(r).at("upToExternalId"), out.at("externalId"));
  expect_read_event(next(*as_user), "outbound", 1, id_of(out), str(json_of(r).at("readAt")), the_patient);
  EXPECT_EQ(seen(user_, id_of(out)).at("readBy"), the_patient);
  EXPECT_TRUE(seen(user_, id_of(in)).at("readAt").is_null());

  // Invalid named readers are refused before anything changes.
  expect_error(mark_read(client_, R"({"reader":{"id":"n-7"}})"), 400, "bad_request");
  expect_error(mark_read(client_, R"({"reader":{"id":"bad id!","titleName":"X"}})"), 400, "bad_request");
  expect_error(mark_read(client_, R"({"reader":{"id":"n-7","titleName":"   "}})"), 400, "bad_request");
  // A user's reader comes from its token.
  expect_error(mark_read(user_, R"({"reader":{"id":"n-7","titleName":"Nurse Seven"}})"), 400, "bad_request");
  EXPECT_EQ(unread_count(page(user_)), 1);

  // With a reader: the patient's messages, read by that staff user.
  r = mark_read(client_,
                json::serialize(json::object{{"upTo", in.at("externalId")},
                                             {"reader", json::object{{"id", "n-7"}, {"titleName", "Nurse Seven"}}}}));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r).at("marked").as_int64(), 1);
  const json::value nurse = json::object{{"clientType", "USER"}, {"id", "n-7"}, {"titleName", "Nurse Seven"}};
  expect_read_event(next(*as_user), "inbound", 1, id_of(in), str(json_of(r).at("readAt")), nurse);
  EXPECT_EQ(seen(user_, id_of(in)).at("readBy"), nurse);
  EXPECT_EQ(unread_count(page(user_)), 0);
}

TEST_F(read_state_test, mark_read_errors_change_nothing) {
  const auto in = send_in("from the patient", patient_);
  const auto out = send_out("from the care team");
  auto as_user = subscribe_live(events_path(), user_);

  // upTo that is not an externalId, or not a string.
  expect_error(mark_read(user_, R"({"upTo":"nope"})"), 400, "bad_request");
  expect_error(mark_read(user_, R"({"upTo":5})"), 400, "bad_request");
  expect_error(mark_read(user_, R"({"upTo":"IM00000000000000000000000000000000"})"), 400, "bad_request");
  // upTo names a message of the wrong direction (staff mark the patient's messages).
  expect_error(mark_read(user_, json::serialize(json::object{{"upTo", out.at("externalId")}})), 400, "bad_request");
  // upTo names a message of another chat.
  const auto elsewhere = send_in("other chat", other_patient_, other_patient);
  expect_error(mark_read(user_, json::serialize(json::object{{"upTo", elsewhere.at("externalId")}})), 400,
               "bad_request");
  // Not JSON, or the wrong content type with a body.
  expect_error(mark_read(user_, "{not json"), 400, "bad_request");
  expect_error(
      http_->request("POST", chat_path() + "/read", json::serialize(json::object{{"upTo", in.at("externalId")}}),
                     {{"Authorization", "Bearer " + user_}, {"Content-Type", "text/plain"}}),
      415, "unsupported_media_type");
  // Who may: another patient, another tenant, no token.
  expect_error(mark_read(other_patient_), 403, "forbidden");
  expect_error(mark_read(foreign_user_), 403, "forbidden");
  expect_error(http_->request("POST", chat_path() + "/read"), 401, "unauthorized");
  expect_error(mark_read("cc_garbage"), 401, "unauthorized");

  EXPECT_TRUE(seen(user_, id_of(in)).at("readAt").is_null());
  EXPECT_TRUE(seen(user_, id_of(out)).at("readAt").is_null());
  EXPECT_EQ(unread_count(page(user_)), 1);
  EXPECT_EQ(unread_count(page(patient_)), 1);
  expect_no_event_before_next_message({as_user.get()}, "marker");
}

// ---- the staff inbox: GET /{tenant}/{instance}/chat/unread ----

class inbox_test : public read_state_test {
 protected:
  std::string inbox_path(const std::string& t = tenant, const std::string& i = instance) {
    return "/" + t + "/" + i + "/chat/unread";
  }
  json::object inbox(const std::string& query = {}, const std::string& token = {}) {
    auto r = http_->get(inbox_path() + query, token.empty() ? user_ : token);
    EXPECT_EQ(r.status, 200u) << r.body;
    return r.status == 200 ? json_of(r).as_object() : json::object{};
  }
  static std::vector<std::string> patients_of(const json::object& box) {
    std::vector<std::string> out;
    for (const auto& c : box.at("content").as_array()) out.push_back(str(c.at("patientId")));
    return out;
  }
  static const json::object& entry(const json::object& box, const std::string& p) {
    for (const auto& c : box.at("content").as_array())
      if (str(c.at("patientId")) == p) return c.as_object();
    static const json::object none;
    ADD_FAILURE() << p << " not in the inbox: " << json::serialize(box);
    return none;
  }
  // Sends and waits a few ms, so the createdAt of consecutive messages differ.
  json::object send_apart(const std::string& text, const std::string& token, const std::string& p) {
    auto m = send_in(text, token, p);
    std::this_thread::sleep_for(std::chrono::milliseconds(3));
    return m;
  }
};

TEST_F(inbox_test, chats_with_unread_patient_messages_newest_unread_first) {
  EXPECT_EQ(inbox(),
            (json::object{{"meta", json::object{{"pageSize", 20}, {"found", false}}}, {"content", json::array{}}}));

  const auto a1 = send_apart("a1", patient_, patient);
  const auto b1 = send_apart("b1", other_patient_, other_patient);
  const auto b2 = send_apart("b2", other_patient_, other_patient);
  auto box = inbox();
  EXPECT_EQ(patients_of(box), (std::vector<std::string>{other_patient, patient}));
  EXPECT_TRUE(box.at("meta").at("found").as_bool());
  {
    const auto& b = entry(box, other_patient);
    EXPECT_EQ(b.at("unreadCount").as_int64(), 2);
    EXPECT_EQ(b.at("oldestUnreadAt"), b1.at("createdAt"));
    EXPECT_EQ(b.at("latestUnreadAt"), b2.at("createdAt"));
    EXPECT_EQ(b.at("latestMessageAt"), b2.at("createdAt"));
    const auto& a = entry(box, patient);
    EXPECT_EQ(a.at("unreadCount").as_int64(), 1);
    EXPECT_EQ(a.at("oldestUnreadAt"), a1.at("createdAt"));
    EXPECT_EQ(a.at("latestUnreadAt"), a1.at("createdAt"));
  }

  // A newer message moves the first patient to the top.
  const auto a2 = send_apart("a2", patient_, patient);
  box = inbox();
  EXPECT_EQ(patients_of(box), (std::vector<std::string>{patient, other_patient}));
  EXPECT_EQ(entry(box, patient).at("unreadCount").as_int64(), 2);
  EXPECT_EQ(entry(box, patient).at("oldestUnreadAt"), a1.at("createdAt"));
  EXPECT_EQ(entry(box, patient).at("latestUnreadAt"), a2.at("createdAt"));

  // A staff reply is the latest message but not unread: the order stays by the latest unread.
  const auto reply = send_out("we'll call", other_patient);
  box = inbox();
  EXPECT_EQ(patients_of(box), (std::vector<std::string>{patient, other_patient}));
  EXPECT_EQ(entry(box, other_patient).at("latestMessageAt"), reply.at("createdAt"));
  EXPECT_EQ(entry(box, other_patient).at("latestUnreadAt"), b2.at("createdAt"));
  EXPECT_EQ(entry(box, other_patient).at("unreadCount").as_int64(), 2);

  // pageSize limits the entries.
  auto one = inbox("?pageSize=1");
  EXPECT_EQ(patients_of(one), (std::vector<std::string>{patient}));
  EXPECT_EQ(one.at("meta").at("pageSize").as_int64(), 1);
  expect_error(http_->get(inbox_path() + "?pageSize=0", user_), 400, "bad_request");
  expect_error(http_->get(inbox_path() + "?pageSize=x", user_), 400, "bad_request");
  EXPECT_EQ(patients_of(inbox({}, client_)), (std::vector<std::string>{patient, other_patient})) << "clients too";

  // Reading a chat takes it out.
  ASSERT_EQ(mark_read(user_).status, 200u);
  EXPECT_EQ(patients_of(inbox()), (std::vector<std::string>{other_patient}));

  // Archived messages do not count: archive b1 (strictly before b2).
  auto r =
      http_->request("POST", chat_path(other_patient) + "/archive?archiveDate=" + url_encode(str(b2.at("createdAt"))),
                     {}, {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(json_of(r).at("archived").as_int64(), 1);
  box = inbox();
  EXPECT_EQ(entry(box, other_patient).at("unreadCount").as_int64(), 1);
  EXPECT_EQ(entry(box, other_patient).at("oldestUnreadAt"), b2.at("createdAt"));
  r = http_->request("POST", chat_path(other_patient) + "/archive?archiveDate=2999-01-01T00:00:00Z", {},
                     {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(patients_of(inbox()), std::vector<std::string>{});
  EXPECT_FALSE(inbox().at("meta").at("found").as_bool());
  // And a restore brings them back as unread.
  r = http_->request("POST", chat_path(other_patient) + "/restore", {}, {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(entry(inbox(), other_patient).at("unreadCount").as_int64(), 2);
}

TEST_F(inbox_test, only_staff_of_the_instance_may_list) {
  send_in("hello", patient_);
  expect_error(http_->get(inbox_path(), patient_), 403, "forbidden");
  expect_error(http_->get(inbox_path() + "?pageSize=0", patient_), 403, "forbidden");
  expect_error(http_->get(inbox_path(), foreign_user_), 403, "forbidden");
  expect_error(http_->get(inbox_path("other-tenant"), user_), 403, "forbidden");
  expect_error(http_->get(inbox_path(tenant, "other-instance"), client_), 403, "forbidden");
  expect_error(http_->request("GET", inbox_path()), 401, "unauthorized");
  expect_error(http_->get(inbox_path(), "cc_garbage"), 401, "unauthorized");
  // Another tenant's inbox holds nothing of ours.
  const std::string foreign_client =
      mint(db_, {"--tenant", "other-tenant", "--instance", instance, "--role", "client"});
  auto r = http_->get(inbox_path("other-tenant"), foreign_client);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(json_of(r).at("content").as_array().empty());
}

}  // namespace
}  // namespace carechat::testing
