#include "api/error_mapping.hpp"

#include <gtest/gtest.h>

#include <iterator>

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace carechat::api {
namespace {

using core::errc;

// Every code, its HTTP status and its wire name (part of the public API: docs/api/openapi.yaml),
// written out literally so that a renamed code or a changed status fails here.
struct expected_code {
  errc code;
  unsigned status;
  const char* name;
};
constexpr expected_code every_code[] = {
    {errc::bad_request, 400, "bad_request"},
    {errc::invalid_page_token, 400, "invalid_page_token"},
    {errc::unauthorized, 401, "unauthorized"},
    {errc::forbidden, 403, "forbidden"},
    {errc::not_found, 404, "not_found"},
    {errc::method_not_allowed, 405, "method_not_allowed"},
    {errc::payload_too_large, 413, "payload_too_large"},
    {errc::unsupported_media_type, 415, "unsupported_media_type"},
    {errc::idempotency_conflict, 422, "idempotency_conflict"},
    {errc::conflict, 409, "conflict"},
    {errc::unprocessable, 422, "unprocessable"},
    {errc::range_not_satisfiable, 416, "range_not_satisfiable"},
    {errc::too_many_requests, 429, "too_many_requests"},
    {errc::rate_limited, 429, "rate_limited"},
    {errc::version_not_supported, 505, "version_not_supported"},
    {errc::unavailable, 503, "unavailable"},
    {errc::internal, 500, "internal"},
};
static_assert(std::size(every_code) == static_cast<std::size_t>(errc::internal) + 1, "a code is missing here");

TEST(error_mapping, every_code_has_its_status) {
  for (const auto& e : every_code) EXPECT_EQ(http_status(e.code), e.status) << e.name;
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
  for (const auto& e : every_code) {
    const auto v = boost::json::parse(error_body(core::make_error(e.code, "m")));
    EXPECT_EQ(v.at("error").at("code").as_string(), e.name);
  }
}

}  // namespace
}  // namespace carechat::api
