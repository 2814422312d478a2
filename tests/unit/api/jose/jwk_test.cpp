// JWK and JWKS parsing: what is a usable signature key, and what a set may hold.
#include "api/jose/jwk.hpp"

#include <gtest/gtest.h>

#include <boost/json/serialize.hpp>

#include "unit/api/jose/rfc_examples.hpp"

namespace carechat::api::jose {
namespace {

// Whether `text` names `needle`; the failure message shows the whole text.
::testing::AssertionResult contains(const std::string& text, std::string_view needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << '"' << text << "\" does not contain \"" << needle << '"';
}

std::string refusal(const core::result<jwk>& r) { return r ? std::string("(accepted)") : r.error().message; }
std::string set_refusal(const core::result<jwks>& r) { return r ? std::string("(accepted)") : r.error().message; }

constexpr const char* p256_x = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU";
constexpr const char* p256_y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0";

std::string ec(std::string_view extra) {
  return std::string(R"({"kty":"EC","crv":"P-256","x":")") + p256_x + R"(","y":")" + p256_y + "\"" +
         std::string(extra) + "}";
}

TEST(jwk, public_keys_load_and_private_members_are_ignored_unless_asked_for) {
  auto pub = parse_jwk_text(test::rfc::a3_private_jwk);
  ASSERT_TRUE(pub.has_value()) << pub.error().message;
  EXPECT_FALSE(pub->key.has_private());
  auto priv = parse_jwk_text(test::rfc::a3_private_jwk, true);
  ASSERT_TRUE(priv.has_value()) << priv.error().message;
  EXPECT_TRUE(priv->key.has_private());
}

TEST(jwk, unusable_keys_are_refused_with_the_reason) {
  EXPECT_TRUE(contains(refusal(parse_jwk_text(R"({"kty":"oct","k":"c2VjcmV0"})")), "kty"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(ec(R"(,"use":"enc")"))), "signature key"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(ec(R"(,"alg":"HS256")"))), "alg"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(ec(R"(,"alg":"RS256")"))), "does not fit"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(R"({"kty":"EC","crv":"P-521","x":"AA","y":"AA"})")), "P-256"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(R"({"kty":"EC","crv":"P-256","x":"AAAA","y":"AAAA"})")), "32 bytes"));
  // A point that is not on the curve (y changed).
  EXPECT_TRUE(contains(refusal(parse_jwk_text(std::string(R"({"kty":"EC","crv":"P-256","x":")") + p256_x +
                                     R"(","y":"y_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})")), "not a valid key"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(R"({"kty":"RSA","e":"AQAB"})")), "\"n\" is missing"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(R"({"kty":"RSA","n":"a+b/","e":"AQAB"})")), "base64url"));
  // 1024 bits: too short.
  const std::string n1024 = core::base64url_encode(core::bytes(128, 0xC5));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(R"({"kty":"RSA","n":")" + n1024 + R"(","e":"AQAB"})")), "key"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text("[]")), "object"));
  EXPECT_TRUE(contains(refusal(parse_jwk_text(R"({"kty":"EC","kty":"RSA"})")), "twice"));
}

TEST(jwks, a_set_skips_foreign_keys_but_refuses_an_empty_or_ambiguous_one) {
  auto mixed = jwks::parse(std::string(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"},)") + ec(R"(,"kid":"a")") + "]}");
  ASSERT_TRUE(mixed.has_value()) << mixed.error().message;
  EXPECT_EQ(mixed->keys().size(), 1u);
  EXPECT_NE(mixed->find("a"), nullptr);
  EXPECT_TRUE(contains(set_refusal(jwks::parse(R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})")), "no usable"));
  EXPECT_TRUE(contains(set_refusal(jwks::parse(R"({"keys":{}})")), "\"keys\" array"));
  EXPECT_TRUE(contains(set_refusal(jwks::parse("not json")), "JSON"));
  EXPECT_TRUE(contains(set_refusal(jwks::parse(std::string(R"({"keys":[)") + ec(R"(,"kid":"a")") + "," + ec(R"(,"kid":"a")") + "]}")), "share the kid"));
  std::string many = R"({"keys":[)";
  for (std::size_t i = 0; i <= max_jwks_keys; ++i) many += (i ? "," : "") + ec(R"(,"kid":"k)" + std::to_string(i) + "\"");
  EXPECT_TRUE(contains(set_refusal(jwks::parse(many + "]}")), "more than"));
  EXPECT_TRUE(contains(set_refusal(jwks::parse(std::string(max_jwks_bytes + 1, ' '))), "too large"));
}

TEST(jwk, a_published_key_round_trips_with_its_kid_and_alg) {
  auto key = core::jose_key::generate(core::key_type::ec_p384);
  ASSERT_TRUE(key.has_value());
  const auto published = public_jwk(*key, thumbprint(*key), core::jws_alg::es384);
  EXPECT_FALSE(published.contains("d"));
  auto back = parse_jwk(published);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->kid, thumbprint(*key));
  EXPECT_EQ(back->alg, core::jws_alg::es384);
  EXPECT_EQ(thumbprint(back->key), thumbprint(*key));
}

TEST(jwk, a_pem_private_key_loads_and_writes_back) {
  auto key = core::jose_key::generate(core::key_type::rsa);
  ASSERT_TRUE(key.has_value());
  auto pem = key->private_pem();
  ASSERT_TRUE(pem.has_value());
  auto back = core::jose_key::from_pem(*pem);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  EXPECT_EQ(back->type(), core::key_type::rsa);
  EXPECT_EQ(thumbprint(*back), thumbprint(*key));
  EXPECT_FALSE(core::jose_key::from_pem("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n").has_value());
}

}  // namespace
}  // namespace carechat::api::jose
