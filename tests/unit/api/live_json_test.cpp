// Read state, read receipts, the unread inbox and live event frames.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "api/json_codec.hpp"
#include "api/request_parsing.hpp"

namespace carechat::api {
namespace {

using namespace carechat::domain;

message read_inbound() {
  message m;
  m.seq = 1;
  m.external_id = "IM0123456789abcdef0123456789abcdef";
  m.kind = message_kind::inbound;
  m.sender = party{client_type::patient, "p-1", std::nullopt};
  m.text = "hi";
  m.created_at = 1615334079152;
  m.read_at = 1615334080000;
  m.read_by = party{client_type::user, "u-1", std::string("Root Root")};
  return m;
}

TEST(live_json, staff_see_who_read_and_the_patient_only_when) {
  const auto staff = boost::json::parse(serialize_message(read_inbound(), viewer::staff));
  EXPECT_EQ(staff.at("readAt").as_string(), "2021-03-09T23:54:40.000Z");
  EXPECT_EQ(staff.at("readBy").at("id").as_string(), "u-1");
  EXPECT_EQ(staff.at("readBy").at("titleName").as_string(), "Root Root");
  const auto patient = boost::json::parse(serialize_message(read_inbound(), viewer::patient));
  EXPECT_EQ(patient.at("readAt").as_string(), "2021-03-09T23:54:40.000Z");
  EXPECT_EQ(patient.as_object().if_contains("readBy"), nullptr);
}

TEST(live_json, viewer_follows_the_role) {
  principal p;
  p.role = role::patient;
  EXPECT_EQ(viewer_of(p), viewer::patient);
  p.role = role::user;
  EXPECT_EQ(viewer_of(p), viewer::staff);
  p.role = role::client;
  EXPECT_EQ(viewer_of(p), viewer::staff);
}

TEST(live_json, read_receipt_body) {
  read_receipt r;
  r.marked = 3;
  r.read_at = 0;
  r.up_to_external_id = "IM0123456789abcdef0123456789abcdef";
  EXPECT_EQ(serialize_read(r),
            R"({"marked":3,"readAt":"1970-01-01T00:00:00.000Z","upToExternalId":"IM0123456789abcdef0123456789abcdef"})");
  r.up_to_external_id.clear();
  r.marked = 0;
  EXPECT_EQ(boost::json::parse(serialize_read(r)).at("upToExternalId").is_null(), true);
}

TEST(live_json, unread_inbox_body) {
  std::vector<unread_chat> chats{{"p-1", 2, 1000, 2000, 3000}};
  EXPECT_EQ(serialize_unread(chats, 20),
            R"({"meta":{"pageSize":20,"found":true},"content":[{"patientId":"p-1","unreadCount":2,)"
            R"("oldestUnreadAt":"1970-01-01T00:00:01.000Z","latestUnreadAt":"1970-01-01T00:00:02.000Z",)"
            R"("latestMessageAt":"1970-01-01T00:00:03.000Z"}]})");
  EXPECT_EQ(serialize_unread({}, 5), R"({"meta":{"pageSize":5,"found":false},"content":[]})");
}

TEST(live_json, event_frames) {
  chat_event e;
  e.position = 42;
  e.type = event_type::message_created;
  e.chat = chat_key{"gh", "sb-demo", "p-1"};
  e.at = 1000;
  e.msg = read_inbound();
  auto v = boost::json::parse(serialize_event(e, viewer::staff));
  EXPECT_EQ(v.at("position").as_int64(), 42);
  EXPECT_EQ(v.at("type").as_string(), "message.created");
  EXPECT_EQ(v.at("patientId").as_string(), "p-1");
  EXPECT_EQ(v.at("message").at("externalId").as_string(), "IM0123456789abcdef0123456789abcdef");

  chat_event read;
  read.position = 43;
  read.type = event_type::messages_read;
  read.chat = e.chat;
  read.at = 2000;
  read.reader = party{client_type::user, "u-1", std::string("Root Root")};
  read.read_kind = message_kind::inbound;
  read.up_to_external_id = "IM0123456789abcdef0123456789abcdef";
  read.count = 2;
  auto staff = boost::json::parse(serialize_event(read, viewer::staff));
  EXPECT_EQ(staff.at("direction").as_string(), "inbound");
  EXPECT_EQ(staff.at("count").as_int64(), 2);
  EXPECT_EQ(staff.at("reader").at("id").as_string(), "u-1");
  auto patient = boost::json::parse(serialize_event(read, viewer::patient));
  EXPECT_EQ(patient.as_object().if_contains("reader"), nullptr);

  chat_event archived;
  archived.position = 44;
  archived.type = event_type::chat_archived;
  archived.chat = e.chat;
  archived.archive_before = 5000;
  archived.count = 7;
  auto a = boost::json::parse(serialize_event(archived, viewer::staff));
  EXPECT_EQ(a.at("type").as_string(), "chat.archived");
  EXPECT_EQ(a.at("archiveDate").as_string(), "1970-01-01T00:00:05.000Z");
  EXPECT_EQ(a.at("count").as_int64(), 7);

  EXPECT_EQ(serialize_ready(9, 77), R"({"type":"ready","position":9,"epoch":77})");
  const auto resync = boost::json::parse(serialize_resync_required(9, 77, false));
  EXPECT_EQ(resync.at("type").as_string(), "resync_required");
  EXPECT_EQ(resync.at("position").as_int64(), 9);
  EXPECT_EQ(resync.at("epoch").as_int64(), 77);
  const auto renumbered = boost::json::parse(serialize_resync_required(9, 77, true));
  EXPECT_NE(renumbered.at("message").as_string().find("renumbered"), boost::json::string::npos);
}

TEST(live_requests, read_body) {
  auto empty = parse_read_body("", "");
  ASSERT_TRUE(empty);
  EXPECT_FALSE(empty->up_to_external_id);
  auto up_to = parse_read_body(R"({"upTo":"IM0123456789abcdef0123456789abcdef"})", "application/json");
  ASSERT_TRUE(up_to);
  EXPECT_EQ(*up_to->up_to_external_id, "IM0123456789abcdef0123456789abcdef");
  auto reader = parse_read_body(R"({"reader":{"id":"u-1","titleName":"A B"}})", "application/json");
  ASSERT_TRUE(reader);
  ASSERT_TRUE(reader->named_reader);
  EXPECT_EQ(reader->named_reader->id, "u-1");
  EXPECT_FALSE(parse_read_body(R"({"upTo":5})", "application/json"));
  EXPECT_FALSE(parse_read_body(R"([1])", "application/json"));
  EXPECT_FALSE(parse_read_body(R"({"reader":"x"})", "application/json"));
  auto wrong_type = parse_read_body(R"({})", "text/plain");
  ASSERT_FALSE(wrong_type);
  EXPECT_EQ(wrong_type.error().code, core::errc::unsupported_media_type);
}

TEST(live_requests, anchor_and_positions) {
  core::openssl_random rng;
  page_token_codec tokens(core::bytes(32, 1), rng);
  const chat_key chat{"gh", "sb-demo", "p-1"};
  auto first = parse_page_request("anchor=firstUnread", tokens, chat);
  ASSERT_TRUE(first);
  EXPECT_TRUE(first->first_unread_anchor);
  auto newest = parse_page_request("anchor=newest", tokens, chat);
  ASSERT_TRUE(newest);
  EXPECT_FALSE(newest->first_unread_anchor);
  EXPECT_FALSE(parse_page_request("anchor=oldest", tokens, chat));

  auto params = [](const char* q) { return boost::urls::params_view(q); };
  EXPECT_FALSE(parse_event_position(params(""))->after.has_value());
  EXPECT_EQ(*parse_event_position(params("after=0"))->after, 0);
  EXPECT_EQ(*parse_event_position(params("after=123"))->after, 123);
  EXPECT_FALSE(parse_event_position(params("after=123"))->epoch.has_value());
  EXPECT_EQ(*parse_event_position(params("after=5&epoch=42"))->epoch, 42);
  EXPECT_FALSE(parse_event_position(params("epoch=42"))) << "epoch without after";
  EXPECT_FALSE(parse_event_position(params("after=5&epoch=-1")));
  EXPECT_FALSE(parse_event_position(params("after=5&epoch=x")));
  EXPECT_FALSE(parse_event_position(params("after=5&epoch=1&epoch=2")));
  EXPECT_FALSE(parse_event_position(params("after=-1")));
  EXPECT_FALSE(parse_event_position(params("after=x")));
  EXPECT_FALSE(parse_event_position(params("after=99999999999999999999")));
  EXPECT_FALSE(parse_list_page_size(params("pageSize=0")));
  EXPECT_EQ(**parse_list_page_size(params("pageSize=7")), 7);
}

}  // namespace
}  // namespace carechat::api
