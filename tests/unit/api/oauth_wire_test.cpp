// The token endpoint's request parsing (form body, one client authentication method) and answers.
#include "api/oauth_wire.hpp"

#include <gtest/gtest.h>

#include <boost/json/parse.hpp>

#include "api/form_body.hpp"
#include "core/crypto.hpp"

namespace carechat::api {
namespace {

constexpr std::string_view form = "application/x-www-form-urlencoded";

oauth_failure failure(std::string_view content_type, std::string_view body, std::string_view authorization = {}) {
  auto r = parse_token_request(content_type, body, authorization);
  if (auto* f = std::get_if<oauth_failure>(&r)) return *f;
  ADD_FAILURE() << "accepted: " << body;
  return {};
}

token_request accepted(std::string_view body, std::string_view authorization = {}) {
  auto r = parse_token_request(form, body, authorization);
  if (auto* t = std::get_if<token_request>(&r)) return *t;
  ADD_FAILURE() << "refused: " << body << ": " << std::get<oauth_failure>(r).description;
  return {};
}

std::string basic(std::string_view creds) { return "Basic " + core::base64_encode(core::as_bytes(creds)); }

TEST(form_body, decodes_escapes_and_plus_and_refuses_malformed_or_repeated) {
  auto f = parse_form("a=1+2&b=%2F%3d&c=&d");
  ASSERT_TRUE(f.has_value());
  EXPECT_EQ(f->at("a"), "1 2");
  EXPECT_EQ(f->at("b"), "/=");
  EXPECT_EQ(f->at("c"), "");
  EXPECT_EQ(f->at("d"), "");
  EXPECT_FALSE(parse_form("a=%").has_value());
  EXPECT_FALSE(parse_form("a=%4").has_value());
  EXPECT_FALSE(parse_form("a=%zz").has_value());
  EXPECT_FALSE(parse_form("a=1&a=2").has_value());
  EXPECT_FALSE(parse_form("=1").has_value());
  EXPECT_FALSE(parse_form(std::string(100, 'a'), 99).has_value());
  std::string many;
  for (int i = 0; i < 40; ++i) many += "p" + std::to_string(i) + "=1&";
  EXPECT_FALSE(parse_form(many).has_value());
  EXPECT_TRUE(is_form_media_type("application/x-www-form-urlencoded; charset=UTF-8"));
  EXPECT_TRUE(is_form_media_type("Application/X-WWW-Form-Urlencoded"));
  EXPECT_FALSE(is_form_media_type("application/json"));
  EXPECT_FALSE(is_form_media_type("application/x-www-form-urlencoded; charset=latin1"));
}

TEST(oauth_wire, the_three_client_authentication_methods) {
  auto b = accepted("grant_type=client_credentials", basic("cl_1:ccs_s%3Acret"));
  EXPECT_EQ(b.method, client_auth_method::secret_basic);
  EXPECT_EQ(b.client_id, "cl_1");
  EXPECT_EQ(b.client_secret, "ccs_s:cret");  // form-decoded (RFC 6749 2.3.1)
  auto p = accepted("grant_type=client_credentials&client_id=cl_1&client_secret=ccs_x&scope=client");
  EXPECT_EQ(p.method, client_auth_method::secret_post);
  EXPECT_EQ(p.client_secret, "ccs_x");
  auto j = accepted("grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-"
                    "assertion-type%3Ajwt-bearer&client_assertion=a.b.c");
  EXPECT_EQ(j.method, client_auth_method::private_key_jwt);
  EXPECT_EQ(j.client_assertion, "a.b.c");
  EXPECT_TRUE(j.client_id.empty());
}

TEST(oauth_wire, refusals_name_the_oauth_error) {
  const std::string creds = "&client_id=cl_1&client_secret=s";
  EXPECT_EQ(failure("application/json", "{}").error, oauth_error::invalid_request);
  EXPECT_EQ(failure(form, "client_id=cl_1").error, oauth_error::invalid_request);
  EXPECT_EQ(failure(form, "grant_type=password" + creds).error, oauth_error::unsupported_grant_type);
  EXPECT_EQ(failure(form, "grant_type=client_credentials&scope=admin" + creds).error, oauth_error::invalid_scope);
  EXPECT_EQ(failure(form, "grant_type=client_credentials").error, oauth_error::invalid_client);
  EXPECT_EQ(failure(form, "grant_type=client_credentials" + creds, basic("cl_1:s")).error,
            oauth_error::invalid_request);  // two methods
  EXPECT_EQ(failure(form, "grant_type=client_credentials&client_secret=s").error, oauth_error::invalid_request);
  EXPECT_EQ(failure(form, "grant_type=client_credentials", "Bearer x").error, oauth_error::invalid_client);
  EXPECT_EQ(failure(form, "grant_type=client_credentials", "Basic !!!").error, oauth_error::invalid_client);
  EXPECT_EQ(failure(form, "grant_type=client_credentials", basic("no-colon")).error, oauth_error::invalid_client);
  EXPECT_EQ(failure(form, "grant_type=client_credentials&client_assertion=a.b.c").error, oauth_error::invalid_request);
  EXPECT_EQ(failure(form, "grant_type=client_credentials&client_assertion_type=x&client_assertion=a.b.c").error,
            oauth_error::invalid_request);
  EXPECT_EQ(failure(form, "grant_type=client_credentials&client_id=cl_2", basic("cl_1:s")).error,
            oauth_error::invalid_request);
}

TEST(oauth_wire, answers_have_rfc_6749_shapes) {
  auto ok = boost::json::parse(oauth_token_body("cc_abc", 3600)).as_object();
  EXPECT_EQ(ok.at("access_token").as_string(), "cc_abc");
  EXPECT_EQ(ok.at("token_type").as_string(), "Bearer");
  EXPECT_EQ(ok.at("expires_in").as_int64(), 3600);
  EXPECT_EQ(ok.at("scope").as_string(), "client");
  auto err = boost::json::parse(oauth_error_body({oauth_error::invalid_client, "x \"y\""})).as_object();
  EXPECT_EQ(err.at("error").as_string(), "invalid_client");
  EXPECT_EQ(err.at("error_description").as_string(), "x \"y\"");
  EXPECT_EQ(http_status(oauth_error::invalid_client), 401u);
  EXPECT_EQ(http_status(oauth_error::too_many_requests), 429u);
  EXPECT_EQ(http_status(oauth_error::unsupported_grant_type), 400u);
}

}  // namespace
}  // namespace carechat::api
