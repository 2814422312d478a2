// JWS/JWK verification: the RFC examples, and every way a token must be refused.
#include "api/jose/jws.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/jose/jwk.hpp"
#include "unit/api/jose/rfc_examples.hpp"
#include "core/crypto.hpp"

namespace carechat::api::jose {
namespace {

namespace json = boost::json;
using core::jws_alg;
using core::key_type;
// Whether `text` names `needle`; the failure message shows the whole text.
::testing::AssertionResult contains(const std::string& text, std::string_view needle) {
  if (text.find(needle) != std::string::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << '"' << text << "\" does not contain \"" << needle << '"';
}

std::string b64(std::string_view s) { return core::base64url_encode(core::as_bytes(s)); }

// A token with exactly this header text, signed with `key` under `alg` (which may differ from the header's).
std::string forge(std::string_view header_json, std::string_view payload_json, const core::jose_key& key, jws_alg alg) {
  std::string input = b64(header_json) + "." + b64(payload_json);
  auto sig = core::jws_sign(alg, key, input);
  EXPECT_TRUE(sig.has_value());
  return input + "." + core::base64url_encode(*sig);
}

jwks set_of(std::vector<std::pair<std::string, const core::jose_key*>> keys) {
  std::vector<jwk> out;
  for (auto& [kid, k] : keys) out.push_back(jwk{kid, std::nullopt, *k});
  return jwks(std::move(out));
}

core::jose_key generated(key_type t) {
  auto k = core::jose_key::generate(t);
  EXPECT_TRUE(k.has_value());
  return *k;
}

std::string refusal(const core::result<parsed_jws>& r) { return r ? std::string("(accepted)") : r.error().message; }

constexpr std::string_view claims = R"({"iss":"https://ehr.example","aud":"carechat","exp":4000000000})";

TEST(jws_rfc, a2_rs256_example_verifies_with_its_public_key) {
  auto keys = jwks::parse(test::rfc::a2_public_jwks);
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  auto v = verify_compact(test::rfc::a2_token, *keys);
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(v->alg, jws_alg::rs256);
  EXPECT_EQ(v->claims.at("iss").as_string(), "joe");
  EXPECT_EQ(v->claims.at("exp").as_int64(), 1300819380);
}

TEST(jws_rfc, a2_signing_with_the_private_key_reproduces_the_signature) {
  auto key = parse_jwk_text(test::rfc::a2_private_jwk, true);
  ASSERT_TRUE(key.has_value()) << key.error().message;
  ASSERT_TRUE(key->key.has_private());
  const std::string token = test::rfc::a2_token;
  const auto last = token.rfind('.');
  auto sig = core::jws_sign(jws_alg::rs256, key->key, std::string_view(token).substr(0, last));
  ASSERT_TRUE(sig.has_value());
  EXPECT_EQ(core::base64url_encode(*sig), token.substr(last + 1));
}

TEST(jws_rfc, a3_es256_example_verifies_and_our_es256_signature_does_too) {
  auto keys = jwks::parse(test::rfc::a3_public_jwks);
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  auto v = verify_compact(test::rfc::a3_token, *keys);
  ASSERT_TRUE(v.has_value()) << v.error().message;
  EXPECT_EQ(v->alg, jws_alg::es256);

  auto priv = parse_jwk_text(test::rfc::a3_private_jwk, true);
  ASSERT_TRUE(priv.has_value()) << priv.error().message;
  auto ours = sign_compact(json::parse(claims).as_object(), priv->key, jws_alg::es256, "a3");
  ASSERT_TRUE(ours.has_value());
  auto back = verify_compact(*ours, *keys);
  ASSERT_TRUE(back.has_value()) << back.error().message;
  // JOSE's r||s: exactly 64 bytes for P-256, never DER.
  EXPECT_EQ(back->signature.size(), 64u);
}

TEST(jws_rfc, rfc7517_a1_set_keeps_the_rsa_signature_key_and_skips_the_encryption_key) {
  auto keys = jwks::parse(test::rfc::rfc7517_a1_jwks);
  ASSERT_TRUE(keys.has_value()) << keys.error().message;
  ASSERT_EQ(keys->keys().size(), 1u);
  const jwk* k = keys->find("2011-04-29");
  ASSERT_NE(k, nullptr);
  EXPECT_EQ(k->key.type(), key_type::rsa);
  EXPECT_EQ(k->alg, jws_alg::rs256);
  EXPECT_EQ(keys->find("1"), nullptr);
  EXPECT_EQ(thumbprint(k->key), test::rfc::rfc7638_thumbprint);
}

TEST(jws_rfc, the_a2_token_does_not_verify_with_the_rfc7517_key) {
  auto keys = jwks::parse(test::rfc::rfc7517_a1_jwks);
  ASSERT_TRUE(keys.has_value());
  EXPECT_TRUE(contains(refusal(verify_compact(test::rfc::a2_token, *keys)), "signature does not verify"));
}

TEST(jws_roundtrip, every_algorithm_signs_and_verifies) {
  const std::pair<jws_alg, key_type> cases[] = {{jws_alg::rs256, key_type::rsa},
                                                {jws_alg::rs384, key_type::rsa},
                                                {jws_alg::es256, key_type::ec_p256},
                                                {jws_alg::es384, key_type::ec_p384}};
  for (const auto& [alg, type] : cases) {
    const auto key = generated(type);
    // The published JWK of the key verifies what the private key signed.
    auto published = parse_jwk(public_jwk(key, "k", alg));
    ASSERT_TRUE(published.has_value()) << published.error().message;
    EXPECT_FALSE(published->key.has_private());
    auto token = sign_compact(json::parse(claims).as_object(), key, alg, "k");
    ASSERT_TRUE(token.has_value());
    auto v = verify_compact(*token, jwks({*published}));
    EXPECT_TRUE(v.has_value()) << core::to_string(alg) << ": " << v.error().message;
  }
}

TEST(jws_attacks, alg_none_is_refused) {
  const auto key = generated(key_type::rsa);
  const auto keys = set_of({{"k", &key}});
  const std::string unsigned_token = b64(R"({"alg":"none"})") + "." + b64(claims) + ".";
  EXPECT_TRUE(contains(refusal(verify_compact(unsigned_token, keys)), "refused"));
  // Even with something in the signature slot.
  EXPECT_TRUE(contains(refusal(verify_compact(unsigned_token + "AAAA", keys)), "refused"));
  EXPECT_TRUE(contains(refusal(verify_compact(b64(R"({"alg":"None","kid":"k"})") + "." + b64(claims) + ".AAAA", keys)), "refused"));
}

TEST(jws_attacks, hs256_signed_with_the_rsa_public_key_is_refused) {
  // The classic confusion: the attacker HMACs the token with the RSA public key's bytes (here
  // both its PEM-ish numbers and its JWK text) hoping the verifier uses the key as an HMAC secret.
  auto keys = jwks::parse(test::rfc::a2_public_jwks);
  ASSERT_TRUE(keys.has_value());
  for (std::string_view secret : {std::string_view(test::rfc::a2_public_jwks), std::string_view("AQAB")}) {
    const std::string input = b64(R"({"alg":"HS256","kid":"a2"})") + "." + b64(claims);
    const auto mac = core::hmac_sha256(core::as_bytes(secret), input);
    const std::string token = input + "." + core::base64url_encode(mac);
    EXPECT_TRUE(contains(refusal(verify_compact(token, *keys)), "refused"));
  }
  for (const char* alg : {"HS384", "HS512", "PS256", "EdDSA", "ES512", ""}) {
    const std::string token = b64(std::string(R"({"alg":")") + alg + R"(","kid":"a2"})") + "." + b64(claims) + ".AAAA";
    EXPECT_TRUE(contains(refusal(verify_compact(token, *keys)), "refused")) << alg;
  }
}

TEST(jws_attacks, an_alg_that_does_not_fit_the_key_is_refused) {
  const auto ec = generated(key_type::ec_p256);
  const auto rsa = generated(key_type::rsa);
  // Header says RS256, the key with that kid is EC: refused before any verification.
  const auto rs_on_ec = forge(R"({"alg":"RS256","kid":"k"})", claims, rsa, jws_alg::rs256);
  EXPECT_TRUE(contains(refusal(verify_compact(rs_on_ec, set_of({{"k", &ec}}))), "does not fit"));
  // ES384 against a P-256 key.
  const auto p384 = generated(key_type::ec_p384);
  const auto es384 = forge(R"({"alg":"ES384","kid":"k"})", claims, p384, jws_alg::es384);
  EXPECT_TRUE(contains(refusal(verify_compact(es384, set_of({{"k", &ec}}))), "does not fit"));
  // The key's own "alg" pins RS384: an RS256 token under that kid is refused.
  auto pinned = parse_jwk(public_jwk(rsa, "k", jws_alg::rs384));
  ASSERT_TRUE(pinned.has_value());
  const auto rs256 = forge(R"({"alg":"RS256","kid":"k"})", claims, rsa, jws_alg::rs256);
  EXPECT_TRUE(contains(refusal(verify_compact(rs256, jwks({*pinned}))), "registered for"));
  // The caller's allow-list.
  const jws_alg only_es256[] = {jws_alg::es256};
  EXPECT_TRUE(contains(refusal(verify_compact(rs256, set_of({{"k", &rsa}}), only_es256)), "not accepted here"));
}

TEST(jws_attacks, unknown_kid_and_ambiguous_sets_are_refused) {
  const auto a = generated(key_type::ec_p256);
  const auto b = generated(key_type::ec_p256);
  const auto token = forge(R"({"alg":"ES256","kid":"other"})", claims, a, jws_alg::es256);
  EXPECT_TRUE(contains(refusal(verify_compact(token, set_of({{"k", &a}}))), "names no known key"));
  const auto no_kid = forge(R"({"alg":"ES256"})", claims, a, jws_alg::es256);
  EXPECT_TRUE(verify_compact(no_kid, set_of({{"k", &a}})).has_value());
  EXPECT_TRUE(contains(refusal(verify_compact(no_kid, set_of({{"k1", &a}, {"k2", &b}}))), "several keys"));
}

TEST(jws_attacks, a_tampered_payload_or_signature_is_refused) {
  const auto key = generated(key_type::ec_p256);
  const auto keys = set_of({{"k", &key}});
  const auto token = forge(R"({"alg":"ES256","kid":"k"})", claims, key, jws_alg::es256);
  const auto dot1 = token.find('.');
  const auto dot2 = token.rfind('.');
  const std::string other_claims = b64(R"({"iss":"https://ehr.example","aud":"carechat","exp":4000000001})");
  EXPECT_TRUE(contains(refusal(verify_compact(token.substr(0, dot1 + 1) + other_claims + token.substr(dot2), keys)), "does not verify"));
  // The signature in DER (what OpenSSL would emit) instead of r||s: refused, not guessed at.
  auto raw = core::base64url_decode(std::string_view(token).substr(dot2 + 1));
  ASSERT_TRUE(raw.has_value());
  core::bytes truncated(raw->begin(), raw->end() - 1);
  EXPECT_TRUE(contains(refusal(verify_compact(token.substr(0, dot2 + 1) + core::base64url_encode(truncated), keys)), "does not verify"));
  core::bytes flipped = *raw;
  flipped[10] ^= 1;
  EXPECT_TRUE(contains(refusal(verify_compact(token.substr(0, dot2 + 1) + core::base64url_encode(flipped), keys)), "does not verify"));
}

TEST(jws_attacks, malformed_tokens_are_refused) {
  const auto key = generated(key_type::ec_p256);
  const auto keys = set_of({{"k", &key}});
  const auto good = forge(R"({"alg":"ES256","kid":"k"})", claims, key, jws_alg::es256);
  const auto sig = good.substr(good.rfind('.') + 1);
  const std::string header = b64(R"({"alg":"ES256","kid":"k"})");
  const std::pair<std::string, const char*> cases[] = {
      {"", "three"},
      {"abc", "three"},
      {header + "." + b64(claims), "three"},
      {good + ".x", "three"},
      {"e+J." + b64(claims) + "." + sig, "base64url"},           // standard alphabet
      {header + "=." + b64(claims) + "." + sig, "base64url"},    // padding
      {header + "." + b64(claims) + ".", "signature is missing"},
      {b64("not json") + "." + b64(claims) + "." + sig, "header"},
      {b64("[1]") + "." + b64(claims) + "." + sig, "header"},
      {b64(R"({"alg":"ES256","alg":"none"})") + "." + b64(claims) + "." + sig, "twice"},
      {header + "." + b64("[]") + "." + sig, "payload"},
      {header + "." + b64(R"({"exp":1,"exp":2})") + "." + sig, "twice"},
      {b64(R"({"kid":"k"})") + "." + b64(claims) + "." + sig, "no \"alg\""},
      {b64(R"({"alg":"ES256","kid":7})") + "." + b64(claims) + "." + sig, "kid"},
      {b64(R"({"alg":"ES256","kid":"k","crit":["exp"],"exp":1})") + "." + b64(claims) + "." + sig, "crit"},
  };
  for (const auto& [token, reason] : cases)
    EXPECT_TRUE(contains(refusal(verify_compact(token, keys)), reason)) << token;
  const std::string huge(max_jws_bytes + 1, 'A');
  EXPECT_TRUE(contains(refusal(verify_compact(huge, keys)), "too large"));
}

TEST(jws_attacks, an_embedded_jwk_or_jku_header_is_never_used) {
  // The attacker's own key in the header: verification still uses only the set.
  const auto mine = generated(key_type::ec_p256);
  const auto theirs = generated(key_type::ec_p256);
  json::object header;
  header["alg"] = "ES256";
  header["kid"] = "k";
  header["jwk"] = public_jwk(theirs, "k", jws_alg::es256);
  header["jku"] = "https://attacker.example/jwks";
  const auto token = forge(json::serialize(header), claims, theirs, jws_alg::es256);
  EXPECT_TRUE(contains(refusal(verify_compact(token, set_of({{"k", &mine}}))), "does not verify"));
}

TEST(jws_rotation, a_new_kid_verifies_only_once_published_and_an_old_one_stops_when_removed) {
  const auto old_key = generated(key_type::rsa);
  const auto new_key = generated(key_type::rsa);
  const auto by_old = forge(R"({"alg":"RS256","kid":"2026-01"})", claims, old_key, jws_alg::rs256);
  const auto by_new = forge(R"({"alg":"RS256","kid":"2026-02"})", claims, new_key, jws_alg::rs256);
  const auto before = set_of({{"2026-01", &old_key}});
  const auto during = set_of({{"2026-01", &old_key}, {"2026-02", &new_key}});
  const auto after = set_of({{"2026-02", &new_key}});
  EXPECT_TRUE(verify_compact(by_old, before).has_value());
  EXPECT_TRUE(contains(refusal(verify_compact(by_new, before)), "names no known key"));  // refetch, then:
  EXPECT_TRUE(verify_compact(by_old, during).has_value());
  EXPECT_TRUE(verify_compact(by_new, during).has_value());
  EXPECT_TRUE(verify_compact(by_new, after).has_value());
  EXPECT_TRUE(contains(refusal(verify_compact(by_old, after)), "names no known key"));
  // A key swapped under the same kid: the old signature no longer verifies.
  EXPECT_TRUE(contains(refusal(verify_compact(by_old, set_of({{"2026-01", &new_key}}))), "does not verify"));
}

}  // namespace
}  // namespace carechat::api::jose
