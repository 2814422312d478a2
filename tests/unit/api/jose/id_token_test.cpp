// id_token validation for SMART launches: what is accepted, and every attack that must be refused.
#include "api/jose/id_token.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/jose/jws.hpp"
#include "core/crypto.hpp"
#include "core/openssl_handles.hpp"

namespace carechat::api::jose {
namespace {

namespace json = boost::json;
using core::jws_alg;
using core::key_type;

constexpr std::string_view issuer = "http://127.0.0.1:9999/fhir";
constexpr std::int64_t now_s = 1'800'000'000;

core::jose_key generated(key_type t) {
  auto k = core::jose_key::generate(t);
  EXPECT_TRUE(k.has_value());
  return *k;
}

std::string b64(std::string_view s) { return core::base64url_encode(core::as_bytes(s)); }

json::object good_claims() {
  return json::object{{"iss", issuer},       {"aud", "carechat-app"}, {"sub", "dr-ada"},
                      {"exp", now_s + 300},  {"iat", now_s},          {"nonce", "n-123"},
                      {"fhirUser", std::string(issuer) + "/Practitioner/dr-ada"}, {"name", "Ada Lovelace"}};
}

id_token_expectations expect() {
  id_token_expectations e;
  e.issuer = std::string(issuer);
  e.client_id = "carechat-app";
  e.nonce = "n-123";
  e.now = now_s * 1000;
  return e;
}

struct keyring {
  core::jose_key rsa = generated(key_type::rsa);
  core::jose_key ec = generated(key_type::ec_p256);
  jwks set() const { return jwks({jwk{"rsa-1", std::nullopt, rsa}, jwk{"ec-1", std::nullopt, ec}}); }
};

std::string sign(const json::object& claims, const core::jose_key& key, jws_alg alg, std::string_view kid) {
  auto t = sign_compact(claims, key, alg, kid);
  EXPECT_TRUE(t.has_value());
  return *t;
}

std::string refusal(const core::result<id_token_claims>& r) { return r ? std::string("(accepted)") : r.error().message; }

TEST(id_token, rs256_and_es256_tokens_from_the_ehr_are_accepted) {
  keyring k;
  auto rs = validate_id_token(sign(good_claims(), k.rsa, jws_alg::rs256, "rsa-1"), k.set(), expect());
  ASSERT_TRUE(rs.has_value()) << rs.error().message;
  EXPECT_EQ(rs->subject, "dr-ada");
  EXPECT_EQ(rs->fhir_user, std::string(issuer) + "/Practitioner/dr-ada");
  EXPECT_EQ(rs->name, "Ada Lovelace");
  auto es = validate_id_token(sign(good_claims(), k.ec, jws_alg::es256, "ec-1"), k.set(), expect());
  ASSERT_TRUE(es.has_value()) << es.error().message;
}

TEST(id_token, alg_none_is_refused) {
  keyring k;
  const std::string token = b64(R"({"alg":"none","kid":"rsa-1"})") + "." + b64(json::serialize(good_claims())) + ".";
  auto r = validate_id_token(token, k.set(), expect());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::errc::unauthorized);
}

TEST(id_token, hs256_signed_with_the_rsa_public_key_as_secret_is_refused) {
  keyring k;
  // The classic confusion: the attacker uses the EHR's public key bytes as the HMAC secret.
  auto numbers = k.rsa.public_parts();
  ASSERT_TRUE(numbers.has_value());
  const std::string input = b64(R"({"alg":"HS256","kid":"rsa-1","typ":"JWT"})") + "." + b64(json::serialize(good_claims()));
  const auto mac = core::hmac_sha256(numbers->a, input);
  const std::string token = input + "." + core::base64url_encode(mac);
  auto r = validate_id_token(token, k.set(), expect());
  ASSERT_FALSE(r.has_value());
  EXPECT_EQ(r.error().code, core::errc::unauthorized);
}

TEST(id_token, a_key_of_another_party_with_a_known_kid_is_refused) {
  keyring k;
  auto stranger = generated(key_type::rsa);
  auto r = validate_id_token(sign(good_claims(), stranger, jws_alg::rs256, "rsa-1"), k.set(), expect());
  EXPECT_FALSE(r.has_value());
}

TEST(id_token, rs256_header_on_the_ec_key_is_refused) {
  keyring k;
  auto r = validate_id_token(sign(good_claims(), k.rsa, jws_alg::rs256, "ec-1"), k.set(), expect());
  EXPECT_FALSE(r.has_value());
}

TEST(id_token, wrong_issuer_audience_nonce_or_missing_sub_are_refused) {
  keyring k;
  const auto set = k.set();
  auto with = [&](std::string_view name, json::value v) {
    auto c = good_claims();
    c[name] = std::move(v);
    return validate_id_token(sign(c, k.rsa, jws_alg::rs256, "rsa-1"), set, expect());
  };
  EXPECT_NE(refusal(with("iss", "http://evil.example/fhir")).find("iss"), std::string::npos);
  EXPECT_NE(refusal(with("aud", "another-app")).find("aud"), std::string::npos);
  EXPECT_NE(refusal(with("nonce", "replayed-nonce")).find("nonce"), std::string::npos);
  auto no_sub = good_claims();
  no_sub.erase("sub");
  EXPECT_FALSE(validate_id_token(sign(no_sub, k.rsa, jws_alg::rs256, "rsa-1"), set, expect()).has_value());
  auto no_nonce = good_claims();
  no_nonce.erase("nonce");
  EXPECT_FALSE(validate_id_token(sign(no_nonce, k.rsa, jws_alg::rs256, "rsa-1"), set, expect()).has_value());
  // An array audience naming us is fine.
  auto listed = with("aud", json::array{"other", "carechat-app"});
  EXPECT_TRUE(listed.has_value()) << refusal(listed);
}

TEST(id_token, expired_tokens_are_refused_beyond_the_leeway) {
  keyring k;
  auto c = good_claims();
  c["exp"] = now_s - 120;
  auto r = validate_id_token(sign(c, k.rsa, jws_alg::rs256, "rsa-1"), k.set(), expect());
  EXPECT_NE(refusal(r).find("exp"), std::string::npos) << refusal(r);
  c.erase("exp");
  EXPECT_FALSE(validate_id_token(sign(c, k.rsa, jws_alg::rs256, "rsa-1"), k.set(), expect()).has_value());
}

TEST(id_token, an_empty_expected_nonce_never_matches) {
  keyring k;
  auto e = expect();
  e.nonce.clear();
  auto c = good_claims();
  c["nonce"] = "";
  EXPECT_FALSE(validate_id_token(sign(c, k.rsa, jws_alg::rs256, "rsa-1"), k.set(), e).has_value());
}

TEST(id_token, an_unknown_kid_asks_for_the_keys_again_and_the_rotated_set_verifies) {
  keyring k;
  auto rotated = generated(key_type::rsa);
  const std::string token = sign(good_claims(), rotated, jws_alg::rs256, "rsa-2");
  EXPECT_TRUE(id_token_needs_new_keys(token, k.set()));
  EXPECT_FALSE(validate_id_token(token, k.set(), expect()).has_value());
  const jwks after({jwk{"rsa-2", std::nullopt, rotated}});
  EXPECT_FALSE(id_token_needs_new_keys(token, after));
  EXPECT_TRUE(validate_id_token(token, after, expect()).has_value());
  // A known kid, or garbage, is no reason to fetch.
  EXPECT_FALSE(id_token_needs_new_keys(sign(good_claims(), k.rsa, jws_alg::rs256, "rsa-1"), k.set()));
  EXPECT_FALSE(id_token_needs_new_keys("not.a.token", k.set()));
  EXPECT_EQ(id_token_kid(token), "rsa-2");
  EXPECT_EQ(id_token_kid("not.a.token"), "");
}

}  // namespace
}  // namespace carechat::api::jose
