// Webhook wire formats: the reference body exactly, the opt-in bodies, masked endpoint JSON, and the
// PUT body parser.
#include "api/webhook_json.hpp"

#include <gtest/gtest.h>

#include <boost/json.hpp>

namespace carechat::api {
namespace {

domain::webhook_job job(std::string type) {
  domain::webhook_job j;
  j.event_id = "evt_0123";
  j.event_type = std::move(type);
  j.tenant = "gh";
  j.instance = "sb-demo";
  j.patient = "cdb303e7-844f-40f8-b634-fe99bfccce28";
  j.message_text = "Webhook \"test\"...";
  j.message_external_id = "IM0123";
  j.count = 3;
  j.up_to_external_id = "IM0456";
  j.direction = "outbound";
  j.at = 1'700'000'000'000;
  return j;
}

TEST(webhook_json, the_outbound_body_is_exactly_the_reference_body) {
  EXPECT_EQ(webhook_body(job("message.outbound"), "https://api.live.welkincloud.io/"),
            R"({"patientId":"cdb303e7-844f-40f8-b634-fe99bfccce28",)"
            R"("patientUrl":"https://api.live.welkincloud.io/gh/sb-demo/patients/cdb303e7-844f-40f8-b634-fe99bfccce28",)"
            R"("tenantName":"gh","instanceName":"sb-demo","message":"Webhook \"test\"..."})");
}

TEST(webhook_json, opt_in_bodies_add_the_type_and_their_facts) {
  auto in = boost::json::parse(webhook_body(job("message.inbound"), "http://x")).as_object();
  EXPECT_EQ(in.at("type"), "message.inbound");
  EXPECT_EQ(in.at("externalId"), "IM0123");
  EXPECT_EQ(in.at("message"), "Webhook \"test\"...");
  auto read = boost::json::parse(webhook_body(job("messages.read"), "http://x")).as_object();
  EXPECT_EQ(read.at("type"), "messages.read");
  EXPECT_EQ(read.at("count"), 3);
  EXPECT_EQ(read.at("upTo"), "IM0456");
  EXPECT_EQ(read.at("direction"), "outbound");
  EXPECT_FALSE(read.contains("message"));
  auto archived = boost::json::parse(webhook_body(job("chat.archived"), "http://x")).as_object();
  EXPECT_EQ(archived.at("type"), "chat.archived");
  EXPECT_EQ(archived.at("at"), "2023-11-14T22:13:20.000Z");
}

TEST(webhook_json, endpoint_json_masks_every_secret) {
  domain::webhook_endpoint e;
  e.tenant = "gh";
  e.instance = "sb-demo";
  e.url = "https://h.example/x";
  e.api_key = "key-0123456789abcdef0123";
  e.api_secret = "s3";
  e.signing_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  e.previous_signing_secret = "whsec_c2Vjb25kLXNlY3JldC1rZXktYnl0ZXM=";
  const std::string out = serialize_webhook_endpoint(e, {1, 2, 3});
  for (const auto& secret : {e.api_key, e.signing_secret, *e.previous_signing_secret})
    EXPECT_EQ(out.find(secret), std::string::npos) << out;
  EXPECT_EQ(out.find("\"s3\""), std::string::npos) << out;
  auto v = boost::json::parse(out).as_object();
  EXPECT_EQ(v.at("apiSecret"), "****");
  EXPECT_EQ(v.at("apiKey"), "key-\u20260123");
  EXPECT_EQ(v.at("outbox").at("failed"), 3);
  EXPECT_FALSE(v.contains("newSigningSecret"));
}

TEST(webhook_json, parses_the_put_body_and_refuses_what_it_does_not_know) {
  auto in = parse_webhook_config(
      R"({"url":"https://h/x","apiKey":"k","apiSecret":"s","rotateSigningSecret":true,"events":["chat.archived"]})",
      "application/json");
  ASSERT_TRUE(in) << in.error().message;
  EXPECT_EQ(in->url, "https://h/x");
  EXPECT_TRUE(in->rotate);
  ASSERT_TRUE(in->event_types);
  EXPECT_EQ(in->event_types->at(0), "chat.archived");
  EXPECT_FALSE(in->signing_secret);
  for (const char* bad : {"", "[]", "{}", R"({"url":"u","apiKey":"k"})", R"({"url":1,"apiKey":"k","apiSecret":"s"})",
                          R"({"url":"u","apiKey":"k","apiSecret":"s","extra":1})",
                          R"({"url":"u","apiKey":"k","apiSecret":"s","events":"message.outbound"})",
                          R"({"url":"u","apiKey":"k","apiSecret":"s","rotateSigningSecret":"yes"})",
                          R"({"url":"u","apiKey":"k","apiSecret":"s","url":"v"})"}) {
    auto r = parse_webhook_config(bad, "application/json");
    ASSERT_FALSE(r) << bad;
    EXPECT_EQ(r.error().code, core::errc::bad_request);
  }
}

TEST(webhook_json, the_put_body_must_be_declared_json) {
  const std::string body = R"({"url":"https://h/x","apiKey":"k","apiSecret":"s"})";
  for (const char* type : {"", "text/plain", "application/json; charset=latin1"}) {
    auto r = parse_webhook_config(body, type);
    ASSERT_FALSE(r) << type;
    EXPECT_EQ(r.error().code, core::errc::unsupported_media_type) << type;
  }
  EXPECT_TRUE(parse_webhook_config(body, "application/json; charset=utf-8"));
}

}  // namespace
}  // namespace carechat::api
