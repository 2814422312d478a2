// POST /oauth/token (client credentials) against the real server: secrets (Basic and form),
// private_key_jwt with a replay check, the issued token on a chat route, its expiry, revocation
// of the client, every refused request, and the failed-attempt rate limit with its audit rows.
#include <chrono>
#include <fstream>
#include <sstream>
#include <thread>

#include <boost/json.hpp>

#include "api/jose/jwk.hpp"
#include "api/jose/jws.hpp"
#include "core/crypto.hpp"
#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

const std::string public_url = "http://carechat.test";
const std::string token_url = public_url + "/oauth/token";

struct registered_client {
  std::string id;
  std::string secret;  // empty for a key client
};

class oauth_test : public chat_server_test {
 protected:
  void SetUp() override {
    chat_server_test::SetUp();
    restart(server_env());
  }

  std::map<std::string, std::string> server_env(std::map<std::string, std::string> extra = {}) {
    extra.emplace("CARECHAT_PUBLIC_URL", public_url);
    // These tests fail on purpose many times from one address; only the rate-limit test limits.
    extra.emplace("CARECHAT_OAUTH_FAILURE_BURST", "1000");
    return extra;
  }

  registered_client create_client(const std::vector<std::string>& extra = {}) {
    std::vector<std::string> args = {"client", "create", "--db", db_, "--tenant", tenant, "--instance", instance,
                                     "--name", "Lab integration"};
    args.insert(args.end(), extra.begin(), extra.end());
    auto r = run_cli(args);
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    registered_client c;
    std::getline(lines, c.id);
    std::getline(lines, c.secret);
    return c;
  }

  // A client registered with a fresh key of its own; the test keeps the private key.
  std::pair<registered_client, core::jose_key> create_key_client(core::key_type type, core::jws_alg alg) {
    auto key = core::jose_key::generate(type);
    EXPECT_TRUE(key.has_value());
    json::object set{{"keys", json::array{api::jose::public_jwk(*key, "k1", alg)}}};
    const auto path = dir_.path() / "client-jwks.json";
    std::ofstream(path) << json::serialize(set);
    auto c = create_client({"--jwks-file", path.string()});
    EXPECT_TRUE(c.secret.empty());
    return {c, *key};
  }

  std::string assertion(const std::string& client_id, const core::jose_key& key, core::jws_alg alg,
                        const std::string& jti, const std::string& aud = token_url, std::int64_t lifetime_s = 120) {
    const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::system_clock::now().time_since_epoch()).count();
    json::object claims{{"iss", client_id}, {"sub", client_id}, {"aud", aud},
                        {"jti", jti},       {"iat", now},       {"exp", now + lifetime_s}};
    auto signed_jwt = api::jose::sign_compact(claims, key, alg, "k1");
    EXPECT_TRUE(signed_jwt.has_value());
    return *signed_jwt;
  }

  http_result post_form(const std::string& body, std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/x-www-form-urlencoded");
    return http_->request("POST", "/oauth/token", body, headers);
  }
  http_result token_basic(const registered_client& c, const std::string& secret) {
    const std::string creds = url_encode(c.id) + ":" + url_encode(secret);
    return post_form("grant_type=client_credentials",
                     {{"Authorization", "Basic " + core::base64_encode(core::as_bytes(creds))}});
  }
  http_result token_post(const registered_client& c, const std::string& secret) {
    return post_form("grant_type=client_credentials&client_id=" + url_encode(c.id) +
                     "&client_secret=" + url_encode(secret));
  }
  http_result token_jwt(const std::string& jwt, const std::string& client_id = {}) {
    return post_form("grant_type=client_credentials&client_assertion_type=" +
                     url_encode("urn:ietf:params:oauth:client-assertion-type:jwt-bearer") +
                     "&client_assertion=" + url_encode(jwt) + (client_id.empty() ? "" : "&client_id=" + client_id));
  }

  // The access token of a 200 answer, after checking RFC 6749 section 5.1's shape.
  std::string access_token_of(const http_result& r, int expires_in = 3600) {
    EXPECT_EQ(r.status, 200u) << r.body;
    if (r.status != 200) return {};
    EXPECT_EQ(r.headers.at("cache-control"), "no-store");
    EXPECT_EQ(r.headers.at("pragma"), "no-cache");
    auto o = json_of(r).as_object();
    EXPECT_EQ(o.at("token_type").as_string(), "Bearer");
    EXPECT_EQ(o.at("expires_in").as_int64(), expires_in);
    EXPECT_EQ(o.at("scope").as_string(), "client");
    return str(o.at("access_token"));
  }

  // RFC 6749 section 5.2's error shape.
  void expect_oauth_error(const http_result& r, unsigned status, const std::string& error) {
    EXPECT_EQ(r.status, status) << r.body;
    json::error_code ec;
    auto v = json::parse(r.body, ec);
    ASSERT_FALSE(ec) << r.body;
    EXPECT_EQ(v.at("error").as_string(), error) << r.body;
    EXPECT_TRUE(v.as_object().contains("error_description")) << r.body;
    EXPECT_EQ(r.headers.at("cache-control"), "no-store");
    if (status == 401) {
      EXPECT_EQ(r.headers.at("www-authenticate"), "Basic realm=\"carechat\"");
    }
  }

  // The chat route a client may use: reading the chat.
  unsigned read_chat_with(const std::string& token) { return get(chat_path(), token).status; }
};

TEST_F(oauth_test, a_secret_client_gets_a_bearer_token_by_basic_or_form_and_uses_it_on_the_chat_api) {
  const auto c = create_client();
  ASSERT_EQ(c.id.substr(0, 3), "cl_");
  ASSERT_EQ(c.secret.substr(0, 4), "ccs_");
  const auto by_basic = access_token_of(token_basic(c, c.secret));
  const auto by_post = access_token_of(token_post(c, c.secret));
  ASSERT_FALSE(by_basic.empty());
  EXPECT_NE(by_basic, by_post);
  EXPECT_EQ(read_chat_with(by_basic), 200u);
  EXPECT_EQ(read_chat_with(by_post), 200u);
  // A client sends as the patient's integration would, and the message is there for staff.
  ASSERT_EQ(send_inbound("sent by the lab integration", by_basic).status, 200u);
  EXPECT_EQ(message_text(all_messages(user_).front()), "sent by the lab integration");
  // The CLI tokens keep working alongside.
  EXPECT_EQ(read_chat_with(client_), 200u);
  // Another tenant's chat stays closed to it.
  EXPECT_EQ(get(chat_path(patient, "other-tenant"), by_basic).status, 403u);
  // Listed, secret never shown.
  auto listed = run_cli({"client", "list", "--db", db_});
  EXPECT_NE(listed.out.find(c.id), std::string::npos);
  EXPECT_EQ(listed.out.find(c.secret), std::string::npos);
  EXPECT_NE(listed.out.find("client_secret"), std::string::npos);
}

TEST_F(oauth_test, private_key_jwt_clients_authenticate_with_a_signed_assertion_used_once) {
  for (const auto& [type, alg] : {std::pair{core::key_type::ec_p256, core::jws_alg::es256},
                                  std::pair{core::key_type::rsa, core::jws_alg::rs256}}) {
    auto [c, key] = create_key_client(type, alg);
    const auto jwt = assertion(c.id, key, alg, "jti-1-" + c.id);
    const auto token = access_token_of(token_jwt(jwt));
    EXPECT_EQ(read_chat_with(token), 200u);
    // The same assertion again: its jti was used.
    expect_oauth_error(token_jwt(jwt), 401, "invalid_client");
    // A new jti works, with client_id in the form too.
    access_token_of(token_jwt(assertion(c.id, key, alg, "jti-2-" + c.id), c.id));
  }
}

TEST_F(oauth_test, bad_assertions_are_refused) {
  auto [c, key] = create_key_client(core::key_type::ec_p256, core::jws_alg::es256);
  auto other = core::jose_key::generate(core::key_type::ec_p256);
  ASSERT_TRUE(other.has_value());
  const auto es = core::jws_alg::es256;
  expect_oauth_error(token_jwt(assertion(c.id, *other, es, "a")), 401, "invalid_client");          // wrong key
  expect_oauth_error(token_jwt(assertion(c.id, key, es, "b", "https://elsewhere/token")), 401,   // wrong aud
                     "invalid_client");
  expect_oauth_error(token_jwt(assertion(c.id, key, es, "c", token_url, 3600)), 401, "invalid_client");  // too long
  expect_oauth_error(token_jwt(assertion(c.id, key, es, "d", token_url, -120)), 401, "invalid_client");  // expired
  expect_oauth_error(token_jwt(assertion(c.id, key, es, "e"), "cl_0000000000000000"), 401, "invalid_client");
  expect_oauth_error(token_jwt("not.a.jwt"), 401, "invalid_client");
  // alg none, naming the client.
  const std::string none = core::base64url_encode(core::as_bytes(R"({"alg":"none"})")) + "." +
                           core::base64url_encode(core::as_bytes(R"({"iss":")" + c.id + R"(","sub":")" + c.id +
                                                                 R"(","aud":")" + token_url +
                                                                 R"(","jti":"n","exp":9999999999})")) +
                           ".";
  expect_oauth_error(token_jwt(none), 401, "invalid_client");
  // A secret for a key client.
  expect_oauth_error(token_post(registered_client{c.id, "ccs_guess"}, "ccs_guess"), 401, "invalid_client");
}

TEST_F(oauth_test, an_issued_token_expires_and_then_gets_a_clear_401) {
  restart(server_env({{"CARECHAT_OAUTH_TOKEN_TTL_S", "1"}}));
  const auto c = create_client();
  const auto token = access_token_of(token_basic(c, c.secret), 1);
  EXPECT_EQ(read_chat_with(token), 200u);  // and now it sits in the token cache
  std::this_thread::sleep_for(std::chrono::milliseconds(1200));
  auto r = get(chat_path(), token);
  expect_error(r, 401, "unauthorized");
  EXPECT_NE(r.body.find("expired"), std::string::npos) << r.body;
}

TEST_F(oauth_test, revoking_a_client_ends_its_tokens_and_its_access) {
  const auto c = create_client();
  const auto token = access_token_of(token_basic(c, c.secret));
  EXPECT_EQ(read_chat_with(token), 200u);  // cached
  auto revoked = run_cli({"client", "revoke", "--db", db_, c.id});
  ASSERT_EQ(revoked.exit_code, 0) << revoked.err;
  // The revocation watch clears the cache within its period (250 ms).
  unsigned status = 0;
  for (int i = 0; i < 50 && status != 401; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    status = read_chat_with(token);
  }
  EXPECT_EQ(status, 401u);
  expect_oauth_error(token_basic(c, c.secret), 401, "invalid_client");
  EXPECT_NE(run_cli({"client", "list", "--db", db_}).out.find(c.id), std::string::npos);
  EXPECT_NE(run_cli({"client", "revoke", "--db", db_, "cl_nosuchclient00"}).exit_code, 0);
}

TEST_F(oauth_test, wrong_secrets_unknown_clients_and_malformed_requests_are_refused) {
  const auto c = create_client();
  expect_oauth_error(token_basic(c, c.secret + "x"), 401, "invalid_client");
  expect_oauth_error(token_post(c, "ccs_wrong"), 401, "invalid_client");
  expect_oauth_error(token_basic(registered_client{"cl_0000000000000000", ""}, c.secret), 401, "invalid_client");
  // Same description for an unknown client and a wrong secret: probing learns nothing.
  EXPECT_EQ(json_of(token_post(c, "ccs_wrong")).at("error_description"),
            json_of(token_post(registered_client{"cl_0000000000000000", ""}, "x")).at("error_description"));
  const std::string auth = "client_id=" + c.id + "&client_secret=" + url_encode(c.secret);
  expect_oauth_error(post_form("grant_type=authorization_code&" + auth), 400, "unsupported_grant_type");
  expect_oauth_error(post_form("grant_type=password&" + auth), 400, "unsupported_grant_type");
  expect_oauth_error(post_form(auth), 400, "invalid_request");                                    // no grant_type
  expect_oauth_error(post_form("grant_type=client_credentials&grant_type=client_credentials&" + auth), 400,
                     "invalid_request");                                                          // repeated
  expect_oauth_error(post_form("grant_type=client_credentials&client_id=%zz&client_secret=x"), 400,
                     "invalid_request");                                                          // bad escape
  expect_oauth_error(post_form("grant_type=client_credentials&scope=admin&" + auth), 400, "invalid_scope");
  expect_oauth_error(post_form("grant_type=client_credentials"), 401, "invalid_client");          // no credentials
  expect_oauth_error(http_->request("POST", "/oauth/token", "{\"grant_type\":\"client_credentials\"}",
                                    {{"Content-Type", "application/json"}}),
                     400, "invalid_request");
  // Two authentication methods at once.
  const std::string creds = c.id + ":" + c.secret;
  expect_oauth_error(post_form("grant_type=client_credentials&" + auth,
                               {{"Authorization", "Basic " + core::base64_encode(core::as_bytes(creds))}}),
                     400, "invalid_request");
  expect_oauth_error(post_form("grant_type=client_credentials", {{"Authorization", "Bearer abc"}}), 401,
                     "invalid_client");
  expect_oauth_error(post_form(std::string(40 * 1024, 'a')), 400, "invalid_request");            // too large
  auto get_it = http_->request("GET", "/oauth/token");
  expect_error(get_it, 405, "method_not_allowed");
  // None of it issued a token: the right secret still works.
  access_token_of(token_post(c, c.secret));
}

TEST_F(oauth_test, failed_attempts_are_rate_limited_then_allowed_again_after_refill_and_audited) {
  restart(server_env({{"CARECHAT_OAUTH_FAILURE_BURST", "3"}, {"CARECHAT_OAUTH_FAILURES_PER_MINUTE", "60"}}));
  const auto c = create_client();
  for (int i = 0; i < 3; ++i) expect_oauth_error(token_post(c, "ccs_wrong"), 401, "invalid_client");
  // Over the limit: even the right secret waits.
  auto limited = token_post(c, c.secret);
  expect_oauth_error(limited, 429, "too_many_requests");
  ASSERT_TRUE(limited.headers.count("retry-after"));
  EXPECT_GE(std::stoi(limited.headers.at("retry-after")), 1);
  // One attempt refills per second.
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  access_token_of(token_post(c, c.secret));
  // The failures and the refusal are in the audit trail (rows of no patient).
  auto audit = run_cli({"audit", "--db", db_, "--patient", ""});
  ASSERT_EQ(audit.exit_code, 0) << audit.err;
  EXPECT_NE(audit.out.find("oauth_token"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("invalid_client"), std::string::npos) << audit.out;
  EXPECT_NE(audit.out.find("too_many_requests"), std::string::npos) << audit.out;
  EXPECT_EQ(audit.out.find(c.secret), std::string::npos);
}

TEST_F(oauth_test, a_jwks_file_with_a_private_key_or_no_usable_key_is_refused_at_create) {
  const auto path = dir_.path() / "bad.json";
  std::ofstream(path) << R"({"keys":[{"kty":"oct","k":"c2VjcmV0"}]})";
  auto r = run_cli({"client", "create", "--db", db_, "--tenant", tenant, "--instance", instance, "--jwks-file",
                    path.string()});
  EXPECT_NE(r.exit_code, 0);
  auto key = core::jose_key::generate(core::key_type::ec_p256);
  ASSERT_TRUE(key.has_value());
  auto jwk = api::jose::public_jwk(*key, "k", core::jws_alg::es256);
  jwk["d"] = "AAAA";
  std::ofstream(path, std::ios::trunc) << json::serialize(json::object{{"keys", json::array{jwk}}});
  r = run_cli({"client", "create", "--db", db_, "--tenant", tenant, "--instance", instance, "--jwks-file",
               path.string()});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("private"), std::string::npos) << r.err;
  r = run_cli({"client", "create", "--db", db_, "--tenant", "bad tenant", "--instance", instance});
  EXPECT_NE(r.exit_code, 0);
}

}  // namespace
}  // namespace carechat::testing
