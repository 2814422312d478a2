#include "api/json_codec.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <regex>

namespace carechat::api {
namespace {

using domain::chat_key;
using domain::client_type;
using domain::cursor;
using domain::cursor_kind;
using domain::direction;
using domain::message;
using domain::message_kind;
using domain::party;

const std::string patient_id = "c4f64a1a-2c9c-4ec2-b1d2-2c8dd4ce1df1";

message inbound() {
  message m;
  m.seq = 1;
  m.kind = message_kind::inbound;
  m.sender = party{client_type::patient, "5cccfad8-c7b0-4fe8-a01e-eb80c0b234ab", std::nullopt};
  m.text = "hello, world!";
  m.external_id = "IM6f03096c79094f9b9466c7d009073ca1";
  m.created_at = 1612804649000;  // 2021-02-08T17:17:29.000Z
  return m;
}

message outbound(std::string text, std::string external_id, core::unix_ms at, std::int64_t seq) {
  message m;
  m.seq = seq;
  m.kind = message_kind::outbound;
  m.sender = party{client_type::user, "379a1c22-aac4-4741-a083-c3c80105ee94", "Root Root"};
  m.receiver = party{client_type::patient, patient_id, std::nullopt};
  m.text = std::move(text);
  m.external_id = std::move(external_id);
  m.created_at = at;
  return m;
}

cursor messages_cursor(direction d, domain::position at, int size, bool archived) {
  cursor c;
  c.kind = cursor_kind::messages;
  c.dir = d;
  c.anchor = at;
  c.page_size = size;
  c.include_archived = archived;
  return c;
}

// Tokens are random per call: golden comparisons replace each with <T>.
std::string mask_tokens(const std::string& json) {
  static const std::regex token(R"re("(nextPageToken|prevPageToken)":"[A-Za-z0-9_-]+")re");
  return std::regex_replace(json, token, R"("$1":"<T>")");
}

class json_codec_test : public ::testing::Test {
 protected:
  core::openssl_random rng_;
  page_token_codec tokens_{core::bytes(32, 7), rng_};
  chat_key chat_{"gh", "sb-demo", patient_id};
};

TEST_F(json_codec_test, inbound_message_golden) {
  EXPECT_EQ(serialize_message(inbound(), viewer::staff),
            R"({"sender":{"clientType":"PATIENT","id":"5cccfad8-c7b0-4fe8-a01e-eb80c0b234ab","titleName":null},)"
            R"("receiver":null,"message":"hello, world!","externalId":"IM6f03096c79094f9b9466c7d009073ca1",)"
            R"("createdAt":"2021-02-08T17:17:29.000Z","readAt":null,"readBy":null})");
}

TEST_F(json_codec_test, outbound_message_golden) {
  EXPECT_EQ(serialize_message(outbound("Hello2", "IMf03066157abb419287c202bbc0e417d0", 1615334079152, 5), viewer::staff),
            R"({"sender":{"clientType":"USER","id":"379a1c22-aac4-4741-a083-c3c80105ee94","titleName":"Root Root"},)"
            R"("receiver":{"clientType":"PATIENT","id":"c4f64a1a-2c9c-4ec2-b1d2-2c8dd4ce1df1","titleName":null},)"
            R"("message":"Hello2","externalId":"IMf03066157abb419287c202bbc0e417d0","createdAt":"2021-03-09T23:54:39.152Z","readAt":null,"readBy":null})");
}

TEST_F(json_codec_test, message_text_is_escaped_and_round_trips) {
  message m = inbound();
  m.text = "say \"hi\"\\ \n\t\x01 é 😀 </script>";
  m.sender.title_name = "Dr \"Q\"";
  const std::string json = serialize_message(m, viewer::staff);
  const auto v = boost::json::parse(json);
  EXPECT_EQ(v.at("message").as_string(), m.text);
  EXPECT_EQ(v.at("sender").at("titleName").as_string(), "Dr \"Q\"");
  EXPECT_NE(json.find(R"(say \"hi\"\\ \n\t\u0001 é 😀 </script>)"), std::string::npos) << json;
}

TEST_F(json_codec_test, empty_page_golden) {
  domain::page_result page;
  page.page_size = 20;
  EXPECT_EQ(serialize_page(page, tokens_, chat_, viewer::staff),
            R"({"meta":{"nextPageToken":null,"prevPageToken":null,"pageSize":20,"found":false,"unreadCount":0,)"
            R"("firstUnreadExternalId":null,"position":0,"epoch":0},"content":[]})");
}

TEST_F(json_codec_test, page_golden_with_tokens) {
  domain::page_result page;
  page.page_size = 2;
  page.messages.push_back(outbound("Hello, World!", "IMa1614231a02d456a84d6ad6e193adb66", 1615292598000, 3));
  page.messages.push_back(inbound());
  page.next = messages_cursor(direction::older, page.messages.back().pos(), 2, true);
  page.prev = messages_cursor(direction::newer, page.messages.front().pos(), 2, true);
  const std::string json = serialize_page(page, tokens_, chat_, viewer::staff);
  EXPECT_EQ(mask_tokens(json),
            R"({"meta":{"nextPageToken":"<T>","prevPageToken":"<T>","pageSize":2,"found":true,"unreadCount":0,)"
            R"("firstUnreadExternalId":null,"position":0,"epoch":0},"content":[)"
            R"({"sender":{"clientType":"USER","id":"379a1c22-aac4-4741-a083-c3c80105ee94","titleName":"Root Root"},)"
            R"("receiver":{"clientType":"PATIENT","id":"c4f64a1a-2c9c-4ec2-b1d2-2c8dd4ce1df1","titleName":null},)"
            R"("message":"Hello, World!","externalId":"IMa1614231a02d456a84d6ad6e193adb66","createdAt":"2021-03-09T12:23:18.000Z","readAt":null,"readBy":null},)"
            R"({"sender":{"clientType":"PATIENT","id":"5cccfad8-c7b0-4fe8-a01e-eb80c0b234ab","titleName":null},)"
            R"("receiver":null,"message":"hello, world!","externalId":"IM6f03096c79094f9b9466c7d009073ca1",)"
            R"("createdAt":"2021-02-08T17:17:29.000Z","readAt":null,"readBy":null}]})");

  const auto v = boost::json::parse(json);
  const auto next = tokens_.decode(std::string(v.at("meta").at("nextPageToken").as_string()), chat_, cursor_kind::messages);
  const auto prev = tokens_.decode(std::string(v.at("meta").at("prevPageToken").as_string()), chat_, cursor_kind::messages);
  ASSERT_TRUE(next.has_value());
  ASSERT_TRUE(prev.has_value());
  EXPECT_EQ(*next, *page.next);
  EXPECT_EQ(*prev, *page.prev);
  // Bound to this chat only.
  EXPECT_FALSE(tokens_.decode(std::string(v.at("meta").at("nextPageToken").as_string()),
                              chat_key{"gh", "sb-demo", "someone-else"}, cursor_kind::messages)
                   .has_value());
}

TEST_F(json_codec_test, page_with_only_next_token) {
  domain::page_result page;
  page.page_size = 1;
  page.messages.push_back(inbound());
  page.next = messages_cursor(direction::older, page.messages.back().pos(), 1, false);
  const std::string head =
      R"({"meta":{"nextPageToken":"<T>","prevPageToken":null,"pageSize":1,"found":true,"unreadCount":0,)"
      R"("firstUnreadExternalId":null,"position":0,"epoch":0},"content":[)";
  EXPECT_EQ(mask_tokens(serialize_page(page, tokens_, chat_, viewer::staff)).substr(0, head.size()), head);
}

TEST_F(json_codec_test, search_golden) {
  domain::search_result result;
  result.page_size = 2;
  cursor next;
  next.kind = cursor_kind::search;
  next.dir = direction::older;
  next.query = "hello";
  next.page_size = 2;
  next.content_page_size = 1;
  next.include_archived = true;
  next.anchor = {1615333988926, 2};
  result.next = next;

  domain::search_hit first;
  first.msg = outbound("Hello2", "IMf03066157abb419287c202bbc0e417d0", 1615334079152, 5);
  first.older = messages_cursor(direction::older, first.msg.pos(), 1, true);
  first.newer = messages_cursor(direction::newer, first.msg.pos(), 1, true);
  domain::search_hit second;  // the oldest message: nothing older, so a null next token
  second.msg = outbound("Hello1", "IMc630b6cfab684e5683e0d593e2b244a1", 1615333988926, 2);
  second.newer = messages_cursor(direction::newer, second.msg.pos(), 1, true);
  result.hits = {first, second};

  const std::string json = serialize_search(result, tokens_, chat_, viewer::staff);
  EXPECT_EQ(mask_tokens(json),
            R"({"meta":{"nextPageToken":"<T>","prevPageToken":null,"pageSize":2,"found":true},"content":[)"
            R"({"meta":{"nextPageToken":"<T>","prevPageToken":"<T>"},"message":)"
            R"({"sender":{"clientType":"USER","id":"379a1c22-aac4-4741-a083-c3c80105ee94","titleName":"Root Root"},)"
            R"("receiver":{"clientType":"PATIENT","id":"c4f64a1a-2c9c-4ec2-b1d2-2c8dd4ce1df1","titleName":null},)"
            R"("message":"Hello2","externalId":"IMf03066157abb419287c202bbc0e417d0","createdAt":"2021-03-09T23:54:39.152Z","readAt":null,"readBy":null}},)"
            R"({"meta":{"nextPageToken":null,"prevPageToken":"<T>"},"message":)"
            R"({"sender":{"clientType":"USER","id":"379a1c22-aac4-4741-a083-c3c80105ee94","titleName":"Root Root"},)"
            R"("receiver":{"clientType":"PATIENT","id":"c4f64a1a-2c9c-4ec2-b1d2-2c8dd4ce1df1","titleName":null},)"
            R"("message":"Hello1","externalId":"IMc630b6cfab684e5683e0d593e2b244a1","createdAt":"2021-03-09T23:53:08.926Z","readAt":null,"readBy":null}}]})");

  const auto v = boost::json::parse(json);
  const auto page_next =
      tokens_.decode(std::string(v.at("meta").at("nextPageToken").as_string()), chat_, cursor_kind::search);
  ASSERT_TRUE(page_next.has_value());
  EXPECT_EQ(*page_next, next);
  // A page token is not a messages token, and a hit's tokens are not search tokens.
  EXPECT_FALSE(tokens_.decode(std::string(v.at("meta").at("nextPageToken").as_string()), chat_, cursor_kind::messages)
                   .has_value());
  const auto& hit = v.at("content").at(0).at("meta");
  const auto older = tokens_.decode(std::string(hit.at("nextPageToken").as_string()), chat_, cursor_kind::messages);
  const auto newer = tokens_.decode(std::string(hit.at("prevPageToken").as_string()), chat_, cursor_kind::messages);
  ASSERT_TRUE(older.has_value());
  ASSERT_TRUE(newer.has_value());
  EXPECT_EQ(*older, *first.older);
  EXPECT_EQ(*newer, *first.newer);
  EXPECT_FALSE(tokens_.decode(std::string(hit.at("nextPageToken").as_string()), chat_, cursor_kind::search).has_value());
}

TEST_F(json_codec_test, empty_search_golden) {
  domain::search_result result;
  result.page_size = 20;
  EXPECT_EQ(serialize_search(result, tokens_, chat_, viewer::staff),
            R"({"meta":{"nextPageToken":null,"prevPageToken":null,"pageSize":20,"found":false},"content":[]})");
}

TEST_F(json_codec_test, counts) {
  EXPECT_EQ(serialize_count("archived", 3), R"({"archived":3})");
  EXPECT_EQ(serialize_count("restored", 0), R"({"restored":0})");
  EXPECT_EQ(serialize_count("restored", 1234567890123), R"({"restored":1234567890123})");
}

TEST_F(json_codec_test, large_page_is_valid_json) {
  domain::page_result page;
  page.page_size = 200;
  for (int i = 0; i < 200; ++i)
    page.messages.push_back(outbound(std::string(1000, static_cast<char>('a' + i % 26)) + "\"\n", "IM" + std::string(32, 'a'),
                                     1615334079152 - i, i));
  const auto v = boost::json::parse(serialize_page(page, tokens_, chat_, viewer::staff));
  ASSERT_EQ(v.at("content").as_array().size(), 200u);
  EXPECT_EQ(v.at("content").at(199).at("message").as_string(), page.messages[199].text);
}

}  // namespace
}  // namespace carechat::api
