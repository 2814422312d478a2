#include "net/route_template.hpp"

#include <gtest/gtest.h>

#include "net/request_context.hpp"

namespace carechat::net {
namespace {

TEST(route_template, every_route_has_its_template_and_no_ids) {
  const std::string c = "/gh/sb-demo/patient/p-123/chat";
  EXPECT_EQ(classify_target("/healthz"), route_template::healthz);
  EXPECT_EQ(classify_target("/readyz?x=1"), route_template::readyz);
  EXPECT_EQ(classify_target("/oauth/token"), route_template::oauth_token);
  EXPECT_EQ(to_string(route_template::oauth_token), "/oauth/token");
  EXPECT_EQ(classify_target("/oauth/token/x"), route_template::unmatched);
  EXPECT_EQ(classify_target("/smart/launch?iss=x&launch=y"), route_template::smart_launch);
  EXPECT_EQ(classify_target("/smart/callback?code=c&state=s"), route_template::smart_callback);
  EXPECT_EQ(classify_target("/smart/session/renew"), route_template::smart_session_renew);
  EXPECT_EQ(classify_target("/smart/session/end"), route_template::smart_session_end);
  EXPECT_EQ(classify_target("/.well-known/jwks.json"), route_template::jwks);
  EXPECT_EQ(to_string(route_template::jwks), "/.well-known/jwks.json");
  EXPECT_EQ(classify_target("/smart/session"), route_template::unmatched);
  EXPECT_EQ(classify_target(c), route_template::chat_list);
  EXPECT_EQ(classify_target(c + "?pageSize=5"), route_template::chat_list);
  EXPECT_EQ(classify_target(c + "/inbound"), route_template::chat_inbound);
  EXPECT_EQ(classify_target(c + "/outbound"), route_template::chat_outbound);
  EXPECT_EQ(classify_target(c + "/search?query=x"), route_template::chat_search);
  EXPECT_EQ(classify_target(c + "/archive"), route_template::chat_archive);
  EXPECT_EQ(classify_target(c + "/restore"), route_template::chat_restore);
  EXPECT_EQ(classify_target(c + "/read"), route_template::chat_read);
  EXPECT_EQ(classify_target(c + "/events"), route_template::chat_events);
  EXPECT_EQ(classify_target(c + "/attachments"), route_template::attachment_upload);
  EXPECT_EQ(classify_target(c + "/attachments/AT1"), route_template::attachment_download);
  EXPECT_EQ(classify_target(c + "/attachments/AT1/thumbnail"), route_template::attachment_thumbnail);
  EXPECT_EQ(classify_target("/gh/sb-demo/chat/unread"), route_template::instance_unread);
  EXPECT_EQ(classify_target("/gh/sb-demo/chat/events"), route_template::instance_events);
  EXPECT_EQ(classify_target("/gh/sb-demo/webhook"), route_template::webhook);
  EXPECT_EQ(classify_target("/gh/sb-demo/webhook/disable"), route_template::webhook_disable);
  EXPECT_EQ(classify_target("/gh/sb-demo/webhook/deliveries?limit=3"), route_template::webhook_deliveries);
  EXPECT_EQ(classify_target("/gh/sb-demo/webhook/deliveries/evt_1/redeliver"), route_template::webhook_redeliver);
  EXPECT_EQ(classify_target("/app/gh/sb-demo/patient/p-1"), route_template::app_page);
  EXPECT_EQ(classify_target("/portal/gh/sb-demo/patient/p-1"), route_template::portal_page);
  EXPECT_EQ(classify_target("/assets/app.js"), route_template::assets);
  for (std::size_t i = 0; i < route_template_count; ++i) {
    const auto name = to_string(static_cast<route_template>(i));
    EXPECT_EQ(name.find("p-123"), std::string_view::npos);
    EXPECT_EQ(name.find("sb-demo"), std::string_view::npos);
  }
  EXPECT_EQ(to_string(route_template::chat_inbound), "/{tenant}/{instance}/patient/{patientId}/chat/inbound");
}

TEST(route_template, anything_else_is_unmatched) {
  for (const char* t : {"", "*", "/", "/nope", "/healthz/", "/gh/sb-demo/patient/p/chat/nope",
                        "/gh/sb-demo/patient/p/chat/inbound/extra", "/gh/sb-demo/chat/other", "/gh/sb-demo/webhook/x",
                        "/gh/sb-demo/patient/p/chat/attachments/a/b", "/a/b/c/d/e/f/g/h/i/j"})
    EXPECT_EQ(classify_target(t), route_template::unmatched) << t;
}

struct counting_random : core::random_source {
  void fill(std::span<std::uint8_t> out) override {
    for (auto& b : out) b = next++;
  }
  std::uint8_t next = 0;
};

TEST(request_id, sane_ids_are_kept_others_replaced) {
  counting_random rng;
  EXPECT_EQ(request_id::from_header("abc-1.2_Z", rng).view(), "abc-1.2_Z");
  EXPECT_EQ(request_id::from_header(std::string(64, 'a'), rng).view(), std::string(64, 'a'));
  EXPECT_EQ(request_id::from_header(std::nullopt, rng).view(), "000102030405060708090a0b0c0d0e0f");
  for (const char* bad : {"", "a b", "a/b", "a\nb", "\xc3\xa9"})
    EXPECT_EQ(request_id::from_header(std::string_view(bad), rng).view().size(), 32u) << bad;
  EXPECT_EQ(request_id::from_header(std::string(65, 'a'), rng).view().size(), 32u);
}

}  // namespace
}  // namespace carechat::net
