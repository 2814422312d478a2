// The registered claims: issuer, audience (string or array), the time window with leeway, nonce.
#include "api/jose/jwt_claims.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

namespace carechat::api::jose {
namespace {

namespace json = boost::json;
// Whether `text` names `needle`; the failure message shows the whole text.
::testing::AssertionResult contains(const std::string& text, std::string_view needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << '"' << text << "\" does not contain \"" << needle << '"';
}

constexpr std::int64_t now_s = 1'800'000'000;

claim_expectations expect() {
  claim_expectations e;
  e.issuer = "https://ehr.example";
  e.audiences = {"carechat"};
  e.now = now_s * 1000;
  e.leeway = std::chrono::seconds(60);
  return e;
}

std::string check(std::string_view claims_json, const claim_expectations& e = expect()) {
  auto r = check_claims(json::parse(claims_json).as_object(), e);
  return r ? "ok" : r.error().message;
}

std::string with(std::string_view extra) {
  return R"({"iss":"https://ehr.example","aud":"carechat","exp":)" + std::to_string(now_s + 300) + std::string(extra) + "}";
}

TEST(jwt_claims, a_valid_set_passes) { EXPECT_EQ(check(with("")), "ok"); }

TEST(jwt_claims, issuer_must_match) {
  EXPECT_TRUE(contains(check(R"({"iss":"https://evil.example","aud":"carechat","exp":1900000000})"), "iss"));
  EXPECT_TRUE(contains(check(R"({"aud":"carechat","exp":1900000000})"), "iss"));
}

TEST(jwt_claims, audience_may_be_a_string_or_an_array_holding_ours) {
  EXPECT_EQ(check(R"({"iss":"https://ehr.example","aud":["other","carechat"],"exp":1900000000})"), "ok");
  EXPECT_TRUE(contains(check(R"({"iss":"https://ehr.example","aud":["other"],"exp":1900000000})"), "aud"));
  EXPECT_TRUE(contains(check(R"({"iss":"https://ehr.example","aud":"carechat2","exp":1900000000})"), "aud"));
  EXPECT_TRUE(contains(check(R"({"iss":"https://ehr.example","exp":1900000000})"), "aud"));
  EXPECT_TRUE(contains(check(R"({"iss":"https://ehr.example","aud":[1],"exp":1900000000})"), "aud"));
}

TEST(jwt_claims, expiry_is_required_and_honoured_with_leeway) {
  EXPECT_TRUE(contains(check(R"({"iss":"https://ehr.example","aud":"carechat"})"), "no expiry"));
  EXPECT_TRUE(contains(check(R"({"iss":"https://ehr.example","aud":"carechat","exp":"soon"})"), "no expiry"));
  const auto at = [](std::int64_t exp) {
    return R"({"iss":"https://ehr.example","aud":"carechat","exp":)" + std::to_string(exp) + "}";
  };
  EXPECT_EQ(check(at(now_s - 30)), "ok");  // within the 60 s skew
  EXPECT_TRUE(contains(check(at(now_s - 60)), "expired"));
  EXPECT_TRUE(contains(check(at(now_s - 3600)), "expired"));
  EXPECT_EQ(check(R"({"iss":"https://ehr.example","aud":"carechat","exp":1800000100.5})"), "ok");
}

TEST(jwt_claims, not_before_and_issued_at_in_the_future_are_refused_beyond_leeway) {
  EXPECT_EQ(check(with(",\"nbf\":" + std::to_string(now_s + 30))), "ok");
  EXPECT_TRUE(contains(check(with(",\"nbf\":" + std::to_string(now_s + 120))), "not valid yet"));
  EXPECT_EQ(check(with(",\"iat\":" + std::to_string(now_s + 30))), "ok");
  EXPECT_TRUE(contains(check(with(",\"iat\":" + std::to_string(now_s + 120))), "future"));
  EXPECT_TRUE(contains(check(with(",\"nbf\":\"x\"")), "nbf"));
}

TEST(jwt_claims, nonce_subject_and_lifetime_when_expected) {
  auto e = expect();
  e.nonce = "n-123";
  EXPECT_EQ(check(with(",\"nonce\":\"n-123\""), e), "ok");
  EXPECT_TRUE(contains(check(with(",\"nonce\":\"n-124\""), e), "nonce"));
  EXPECT_TRUE(contains(check(with(""), e), "nonce"));
  auto s = expect();
  s.subject = "cl_1";
  EXPECT_TRUE(contains(check(with(",\"sub\":\"cl_2\""), s), "sub"));
  auto l = expect();
  l.max_lifetime = std::chrono::seconds(120);
  EXPECT_TRUE(contains(check(with(""), l), "longer"));
}

}  // namespace
}  // namespace carechat::api::jose
