// private_key_jwt assertions: iss = sub = client, aud, a short life, a jti; signed by a registered key.
#include "api/jose/client_assertion.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "api/jose/jwk.hpp"
#include "api/jose/jws.hpp"

namespace carechat::api::jose {
namespace {

namespace json = boost::json;
constexpr std::int64_t now_s = 1'800'000'000;
const std::vector<std::string> audiences = {"https://chat.example/oauth/token", "https://chat.example"};

struct fixture {
  core::jose_key key = *core::jose_key::generate(core::key_type::ec_p256);
  std::string jwks = json::serialize(json::object{{"keys", json::array{public_jwk(key, "k1", core::jws_alg::es256)}}});

  std::string sign(json::object claims, const core::jose_key* with = nullptr) {
    return *sign_compact(claims, with ? *with : key, core::jws_alg::es256, "k1");
  }
  json::object claims(std::string_view iss = "cl_1", std::string_view sub = "cl_1") {
    return json::object{{"iss", iss}, {"sub", sub}, {"aud", audiences[0]}, {"jti", "j-1"}, {"exp", now_s + 60}};
  }
  core::result<client_assertion> verify(const std::string& jwt) {
    return verify_client_assertion(jwt, jwks, "cl_1", audiences, now_s * 1000);
  }
};

TEST(client_assertion, a_well_formed_assertion_verifies) {
  fixture f;
  const auto jwt = f.sign(f.claims());
  auto named = assertion_client_id(jwt);
  ASSERT_TRUE(named.has_value());
  EXPECT_EQ(*named, "cl_1");
  auto ok = f.verify(jwt);
  ASSERT_TRUE(ok.has_value()) << ok.error().message;
  EXPECT_EQ(ok->jti, "j-1");
  EXPECT_EQ(ok->exp, now_s + 60);
  auto base_aud = f.claims();
  base_aud["aud"] = json::array{"other", audiences[1]};
  EXPECT_TRUE(f.verify(f.sign(base_aud)).has_value());
}

TEST(client_assertion, refusals) {
  fixture f;
  EXPECT_FALSE(assertion_client_id(f.sign(f.claims("cl_1", "cl_2"))).has_value());
  EXPECT_FALSE(f.verify(f.sign(f.claims("cl_2", "cl_2"))).has_value());  // another client
  auto c = f.claims();
  c["aud"] = "https://elsewhere";
  EXPECT_FALSE(f.verify(f.sign(c)).has_value());
  c = f.claims();
  c["exp"] = now_s + 3600;  // too long
  EXPECT_FALSE(f.verify(f.sign(c)).has_value());
  c = f.claims();
  c.erase("jti");
  EXPECT_FALSE(f.verify(f.sign(c)).has_value());
  auto other = *core::jose_key::generate(core::key_type::ec_p256);
  EXPECT_FALSE(f.verify(f.sign(f.claims(), &other)).has_value());
  EXPECT_FALSE(verify_client_assertion(f.sign(f.claims()), "not json", "cl_1", audiences, now_s * 1000).has_value());
}

}  // namespace
}  // namespace carechat::api::jose
