#include "api/error_mapping.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace carechat::api {
namespace {

using core::errc;

TEST(error_mapping, every_code_has_its_status) {
  EXPECT_EQ(http_status(errc::bad_request), 400u);
  EXPECT_EQ(http_status(errc::invalid_page_token), 400u);
  EXPECT_EQ(http_status(errc::unauthorized), 401u);
  EXPECT_EQ(http_status(errc::forbidden), 403u);
  EXPECT_EQ(http_status(errc::not_found), 404u);
  EXPECT_EQ(http_status(errc::method_not_allowed), 405u);
  EXPECT_EQ(http_status(errc::payload_too_large), 413u);
  EXPECT_EQ(http_status(errc::unsupported_media_type), 415u);
  EXPECT_EQ(http_status(errc::idempotency_conflict), 422u);
  EXPECT_EQ(http_status(errc::unavailable), 503u);
  EXPECT_EQ(http_status(errc::internal), 500u);
}

TEST(error_mapping, out_of_range_code_is_a_server_error) {
  EXPECT_EQ(http_status(static_cast<errc>(999)), 500u);
}

TEST(error_mapping, body_shape) {
  EXPECT_EQ(error_body(core::make_error(errc::bad_request, "pageSize must be a positive integer")),
            R"({"error":{"code":"bad_request","message":"pageSize must be a positive integer"}})");
  EXPECT_EQ(error_body(core::make_error(errc::invalid_page_token, "")),
            R"({"error":{"code":"invalid_page_token","message":""}})");
}

TEST(error_mapping, body_escapes_message) {
  const std::string msg = "bad \"x\"\\\n\x01 é";
  const std::string body = error_body(core::make_error(errc::forbidden, msg));
  const auto v = boost::json::parse(body);
  EXPECT_EQ(v.at("error").at("code").as_string(), "forbidden");
  EXPECT_EQ(v.at("error").at("message").as_string(), msg);
  EXPECT_EQ(v.as_object().size(), 1u);
  EXPECT_EQ(v.at("error").as_object().size(), 2u);
}

TEST(error_mapping, code_is_the_wire_name_for_every_code) {
  for (int i = 0; i <= static_cast<int>(errc::internal); ++i) {
    const auto code = static_cast<errc>(i);
    const auto v = boost::json::parse(error_body(core::make_error(code, "m")));
    EXPECT_EQ(v.at("error").at("code").as_string(), core::to_string(code));
  }
}

}  // namespace
}  // namespace carechat::api
