// Every chat route with the role allowed to use it, and the exact wire shape of what it returns.
#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

std::string body_of(const std::string& text) { return json::serialize(json::object{{"message", text}}); }

// A message object as the reference shows it (five fields), plus the read state of issue 3:
// readAt always, readBy for staff viewers only. Nothing else.
void expect_message_shape(const json::object& m) {
  for (const char* k : {"sender", "receiver", "message", "externalId", "createdAt", "readAt"})
    EXPECT_TRUE(m.contains(k)) << k << " missing in " << json::serialize(m);
  EXPECT_TRUE(m.size() == 6u || (m.size() == 7u && m.contains("readBy"))) << json::serialize(m);
  ASSERT_TRUE(m.at("sender").is_object());
  const auto& s = m.at("sender").as_object();
  EXPECT_EQ(s.size(), 3u);
  EXPECT_TRUE(s.contains("clientType") && s.contains("id") && s.contains("titleName")) << json::serialize(s);
  EXPECT_TRUE(std::regex_match(str(m.at("externalId")), external_id_re)) << m.at("externalId");
  EXPECT_TRUE(std::regex_match(str(m.at("createdAt")), created_at_re)) << m.at("createdAt");
}

void expect_patient_sender(const json::object& m) {
  const auto& s = m.at("sender").as_object();
  EXPECT_EQ(s.at("clientType").as_string(), "PATIENT");
  EXPECT_EQ(s.at("id").as_string(), patient);
  EXPECT_TRUE(s.at("titleName").is_null());
  EXPECT_TRUE(m.at("receiver").is_null()) << "an inbound message goes to the care team, not to a party";
}

void expect_user_to_patient(const json::object& m, const std::string& id, const std::string& title) {
  const auto& s = m.at("sender").as_object();
  EXPECT_EQ(s.at("clientType").as_string(), "USER");
  EXPECT_EQ(s.at("id").as_string(), id);
  EXPECT_EQ(s.at("titleName").as_string(), title);
  ASSERT_TRUE(m.at("receiver").is_object());
  const auto& r = m.at("receiver").as_object();
  EXPECT_EQ(r.size(), 3u);
  EXPECT_EQ(r.at("clientType").as_string(), "PATIENT");
  EXPECT_EQ(r.at("id").as_string(), patient);
  EXPECT_TRUE(r.at("titleName").is_null());
}

TEST_F(chat_server_test, patient_sends_inbound_to_own_chat) {
  auto r = send_inbound("hello, world!");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.headers["content-type"], "application/json");
  EXPECT_EQ(r.headers.count("idempotent-replayed"), 0u);
  auto m = json_of(r).as_object();
  expect_message_shape(m);
  expect_patient_sender(m);
  EXPECT_EQ(m.at("message").as_string(), "hello, world!");

  // What the send answered is exactly what a read returns.
  auto all = all_messages(patient_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], m);
}

TEST_F(chat_server_test, client_sends_inbound_on_behalf_of_the_patient) {
  auto r = http_->post_json(chat_path() + "/inbound", client_, body_of("from the integration"));
  ASSERT_EQ(r.status, 200u) << r.body;
  auto m = json_of(r).as_object();
  expect_message_shape(m);
  expect_patient_sender(m);
  EXPECT_EQ(all_messages(user_).size(), 1u);
}

TEST_F(chat_server_test, user_sends_outbound_as_that_user) {
  auto r = send_outbound("Hello, World!");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto m = json_of(r).as_object();
  expect_message_shape(m);
  expect_user_to_patient(m, "u-1", "Root Root");
  EXPECT_EQ(m.at("message").as_string(), "Hello, World!");
  auto all = all_messages(user_);  // the same viewer as the sender: staff see readBy
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0], m);
  auto seen_by_patient = all_messages(patient_);
  ASSERT_EQ(seen_by_patient.size(), 1u);
  EXPECT_FALSE(seen_by_patient[0].contains("readBy")) << "the patient is not told which staff member read";
}

TEST_F(chat_server_test, client_sends_outbound_naming_the_staff_sender) {
  json::object body{
      {"message", "from staff via the integration"},
      {"sender", json::object{{"id", "379a1c22-aac4-4741-a083-c3c80105ee94"}, {"titleName", "Dana Doe"}}}};
  auto r = http_->post_json(chat_path() + "/outbound", client_, json::serialize(body));
  ASSERT_EQ(r.status, 200u) << r.body;
  auto m = json_of(r).as_object();
  expect_message_shape(m);
  expect_user_to_patient(m, "379a1c22-aac4-4741-a083-c3c80105ee94", "Dana Doe");
}

TEST_F(chat_server_test, client_outbound_without_a_named_sender_is_refused) {
  auto r = http_->post_json(chat_path() + "/outbound", client_, body_of("who sent this?"));
  expect_error(r, 400, "bad_request");
  json::object no_title{{"message", "x"}, {"sender", json::object{{"id", "u-7"}}}};
  expect_error(http_->post_json(chat_path() + "/outbound", client_, json::serialize(no_title)), 400, "bad_request");
  json::object bad_id{{"message", "x"}, {"sender", json::object{{"id", "not an id!"}, {"titleName", "A B"}}}};
  expect_error(http_->post_json(chat_path() + "/outbound", client_, json::serialize(bad_id)), 400, "bad_request");
  EXPECT_EQ(count_messages(), 0u);
}

TEST_F(chat_server_test, user_cannot_impersonate_another_sender) {
  json::object forged{{"message", "forged"}, {"sender", json::object{{"id", "u-boss"}, {"titleName", "The Boss"}}}};
  auto r = http_->post_json(chat_path() + "/outbound", user_, json::serialize(forged));
  expect_error(r, 400, "bad_request");
  // Nor may an inbound message name a sender: the patient is the sender.
  auto in = http_->post_json(chat_path() + "/inbound", patient_, json::serialize(forged));
  expect_error(in, 400, "bad_request");
  EXPECT_EQ(count_messages(), 0u);
}

TEST_F(chat_server_test, get_chat_is_newest_first_with_meta) {
  ASSERT_EQ(send_inbound("one").status, 200u);
  ASSERT_EQ(send_outbound("two").status, 200u);
  ASSERT_EQ(send_inbound("three").status, 200u);

  for (const std::string& token : {user_, patient_, client_}) {
    auto r = http_->get(chat_path(), token);
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(r.headers["cache-control"], "no-store");
    auto page = json_of(r).as_object();
    EXPECT_EQ(page.size(), 2u);
    const auto& meta = page.at("meta").as_object();
    EXPECT_EQ(meta.size(), 8u) << json::serialize(meta);  // the reference's four + unreadCount, firstUnreadExternalId, position, epoch
    EXPECT_TRUE(meta.contains("epoch") && meta.at("epoch").as_int64() > 0) << json::serialize(meta);
    EXPECT_TRUE(meta.contains("unreadCount") && meta.contains("firstUnreadExternalId")) << json::serialize(meta);
    EXPECT_TRUE(meta.at("nextPageToken").is_null());
    EXPECT_TRUE(meta.at("prevPageToken").is_null());
    EXPECT_EQ(meta.at("pageSize").as_int64(), 20);
    EXPECT_EQ(meta.at("found").as_bool(), true);
    const auto& content = page.at("content").as_array();
    ASSERT_EQ(content.size(), 3u);
    EXPECT_EQ(message_text(content[0].as_object()), "three");
    EXPECT_EQ(message_text(content[1].as_object()), "two");
    EXPECT_EQ(message_text(content[2].as_object()), "one");
    for (const auto& m : content) expect_message_shape(m.as_object());
    expect_patient_sender(content[0].as_object());
    expect_user_to_patient(content[1].as_object(), "u-1", "Root Root");
    EXPECT_GE(str(content[0].at("createdAt")), str(content[1].at("createdAt")));
    EXPECT_GE(str(content[1].at("createdAt")), str(content[2].at("createdAt")));
  }
}

TEST_F(chat_server_test, get_chat_with_no_messages_is_found_false) {
  auto r = http_->get(chat_path(), user_);
  ASSERT_EQ(r.status, 200u) << r.body;
  auto page = json_of(r).as_object();
  EXPECT_FALSE(page.at("meta").at("found").as_bool());
  EXPECT_TRUE(page.at("meta").at("nextPageToken").is_null());
  EXPECT_TRUE(page.at("meta").at("prevPageToken").is_null());
  EXPECT_EQ(page.at("meta").at("pageSize").as_int64(), 20);
  EXPECT_TRUE(page.at("content").as_array().empty());
}

TEST_F(chat_server_test, search_is_a_case_insensitive_substring_match) {
  for (const char* t : {"Hello0", "nothing here", "say HELLO there", "hellish", "Ünïcode Straße"})
    ASSERT_EQ(send_inbound(t).status, 200u);

  auto texts = [&](const std::string& query, const std::string& token) {
    std::vector<std::string> out;
    auto r = http_->get(chat_path() + "/search?query=" + url_encode(query), token);
    EXPECT_EQ(r.status, 200u) << query << ": " << r.body;
    if (r.status != 200) return out;
    auto page = json_of(r).as_object();
    EXPECT_EQ(page.at("meta").at("found").as_bool(), !page.at("content").as_array().empty());
    for (const auto& hit : page.at("content").as_array()) {
      const auto& h = hit.as_object();
      EXPECT_EQ(h.size(), 2u);
      EXPECT_EQ(h.at("meta").as_object().size(), 2u);
      expect_message_shape(h.at("message").as_object());
      out.push_back(message_text(h.at("message").as_object()));
    }
    return out;
  };
  using v = std::vector<std::string>;
  EXPECT_EQ(texts("hello", user_), (v{"say HELLO there", "Hello0"}));  // newest hit first
  EXPECT_EQ(texts("HeLLo", patient_), (v{"say HELLO there", "Hello0"}));
  EXPECT_EQ(texts("ell", client_), (v{"hellish", "say HELLO there", "Hello0"}));
  EXPECT_EQ(texts("lo t", user_), (v{"say HELLO there"}));                                     // across a word boundary
  EXPECT_EQ(texts("he", user_), (v{"hellish", "say HELLO there", "nothing here", "Hello0"}));  // short: no trigram
  EXPECT_EQ(texts("straße", user_), (v{"Ünïcode Straße"}));
  EXPECT_EQ(texts("zzz", user_), v{});
}

TEST_F(chat_server_test, search_rejects_missing_or_oversized_queries) {
  ASSERT_EQ(send_inbound("hello").status, 200u);
  expect_error(http_->get(chat_path() + "/search", user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "/search?query=", user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "/search?query=%20%20", user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "/search?query=" + std::string(201, 'a'), user_), 400, "bad_request");
  EXPECT_EQ(http_->get(chat_path() + "/search?query=" + std::string(200, 'a'), user_).status, 200u);
  expect_error(http_->get(chat_path() + "/search?query=hello&query=world", user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "/search?query=hello&contentPageSize=0", user_), 400, "bad_request");
  expect_error(http_->get(chat_path() + "/search?query=hello&pageSize=abc", user_), 400, "bad_request");
}

TEST_F(chat_server_test, user_archives_and_restores) {
  ASSERT_EQ(send_inbound("old").status, 200u);
  auto r = http_->request("POST", chat_path() + "/archive?archiveDate=2999-01-01T00:00:00.000Z", {},
                          {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json_of(r), json::parse(R"({"archived":1})"));
  EXPECT_EQ(all_messages(user_, false).size(), 0u);
  auto back = http_->request("POST", chat_path() + "/restore", {}, {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(back.status, 200u) << back.body;
  EXPECT_EQ(json_of(back), json::parse(R"({"restored":1})"));
  EXPECT_EQ(all_messages(user_, false).size(), 1u);
}

TEST_F(chat_server_test, patient_may_not_send_outbound_and_user_may_not_send_inbound) {
  expect_error(http_->post_json(chat_path() + "/outbound", patient_, body_of("pretending to be staff")), 403,
               "forbidden");
  expect_error(http_->post_json(chat_path() + "/inbound", user_, body_of("pretending to be the patient")), 403,
               "forbidden");
  EXPECT_EQ(count_messages(), 0u);
}

}  // namespace
}  // namespace carechat::testing
