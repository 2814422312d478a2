// SMART documents from the EHR and the operator: what is accepted and what is refused.
#include "api/smart/smart_wire.hpp"

#include <gtest/gtest.h>

namespace carechat::api::smart {
namespace {

constexpr std::string_view good_configuration =
    R"({"authorization_endpoint":"http://127.0.0.1:1/auth","token_endpoint":"http://127.0.0.1:1/token","jwks_uri":"http://127.0.0.1:1/jwks","code_challenge_methods_supported":["S256"]})";
constexpr std::string_view plain_pkce_only =
    R"({"authorization_endpoint":"http://a/auth","token_endpoint":"http://a/t","jwks_uri":"http://a/j","code_challenge_methods_supported":["plain"]})";
constexpr std::string_view script_endpoint =
    R"j({"authorization_endpoint":"javascript:alert(1)","token_endpoint":"http://a/t","jwks_uri":"http://a/j","code_challenge_methods_supported":["S256"]})j";

TEST(smart_configuration, needs_endpoints_jwks_and_s256) {
  auto c = parse_smart_configuration(good_configuration);
  ASSERT_TRUE(c.has_value()) << c.error().message;
  EXPECT_EQ(c->token_endpoint, "http://127.0.0.1:1/token");
  EXPECT_FALSE(parse_smart_configuration(plain_pkce_only).has_value());
  EXPECT_FALSE(parse_smart_configuration(script_endpoint).has_value());
  EXPECT_FALSE(parse_smart_configuration("[]").has_value());
  EXPECT_FALSE(parse_smart_configuration(std::string(max_document_bytes + 1, ' ')).has_value());
}

TEST(token_response, needs_an_id_token_and_a_usable_patient_id) {
  auto t = parse_token_response(R"({"access_token":"x","id_token":"a.b.c","patient":"pat-A","scope":"openid"})");
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->patient, "pat-A");
  EXPECT_FALSE(parse_token_response(R"({"access_token":"x"})").has_value());
  EXPECT_FALSE(parse_token_response(R"({"id_token":"a.b.c","patient":"../other"})").has_value());
}

TEST(issuers, are_parsed_checked_and_normalized) {
  auto list = parse_issuers(R"({"issuers":[ {"iss":"http://127.0.0.1:9/fhir/","tenant":"gh","instance":"sb","client_id":"carechat"}, {"iss":"https://ehr.example/r4","tenant":"gh","instance":"sb","client_id":"cc","auth":"client_secret", "client_secret_file":"/etc/carechat/ehr.secret","scopes":["user/Practitioner.r"]}]})");
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].iss, "http://127.0.0.1:9/fhir");
  EXPECT_EQ((*list)[0].auth, client_auth::private_key_jwt);
  EXPECT_EQ((*list)[1].auth, client_auth::client_secret);
  EXPECT_EQ((*list)[1].extra_scopes.at(0), "user/Practitioner.r");

  EXPECT_FALSE(parse_issuers(R"({"issuers":[{"iss":"ftp://x","tenant":"gh","instance":"sb","client_id":"c"}]})"));
  EXPECT_FALSE(parse_issuers(R"({"issuers":[{"iss":"http://x","tenant":"../gh","instance":"sb","client_id":"c"}]})"));
  EXPECT_FALSE(parse_issuers(R"({"issuers":[{"iss":"http://x","tenant":"gh","instance":"sb"}]})"));
  EXPECT_FALSE(parse_issuers(R"({"issuers":[{"iss":"http://x","tenant":"gh","instance":"sb","client_id":"c","auth":"client_secret"}]})"));
  EXPECT_FALSE(parse_issuers(R"({"issuers":[{"iss":"http://x","tenant":"gh","instance":"sb","client_id":"c","scopes":["a b"]}]})"));
  EXPECT_FALSE(parse_issuers(R"({"issuers":[{"iss":"http://x","tenant":"gh","instance":"sb","client_id":"c"}, {"iss":"http://x/","tenant":"gh","instance":"sb","client_id":"c"}]})"));
}

TEST(fhir_user, maps_practitioners_and_patients_only) {
  auto p = parse_fhir_user("http://127.0.0.1:9/fhir/Practitioner/dr-ada");
  ASSERT_TRUE(p.has_value());
  EXPECT_EQ(p->type, fhir_user::kind::practitioner);
  EXPECT_EQ(p->id, "dr-ada");
  auto q = parse_fhir_user("Patient/pat-A");
  ASSERT_TRUE(q.has_value());
  EXPECT_EQ(q->type, fhir_user::kind::patient);
  EXPECT_FALSE(parse_fhir_user("Organization/o1"));
  EXPECT_FALSE(parse_fhir_user("Practitioner/"));
  EXPECT_FALSE(parse_fhir_user("Practitioner/a%2Fb"));
  EXPECT_FALSE(parse_fhir_user("dr-ada"));
  EXPECT_FALSE(parse_fhir_user(""));
}

}  // namespace
}  // namespace carechat::api::smart
