// Abuse limits (issue #16): sends, searches, uploads and live connects per token and per client
// address, failed authentications per address. Each test gives the limit a small burst and a fast
// refill, runs past it, and checks the 429 (Retry-After, error code), that nothing was stored,
// that another token or address is unaffected, that X-Forwarded-For counts only from a trusted
// proxy, and that the bucket refills. Runs on both backends (the audit rows too).
#include <chrono>
#include <thread>

#include "integration/fixture.hpp"
#include "integration/ws_client.hpp"

namespace carechat::testing {
namespace {

using namespace std::chrono_literals;
using env_map = std::map<std::string, std::string>;

// Every limit off but the ones a test names: the others must not interfere.
env_map limits(env_map only) {
  env_map e = rate_limits_off();
  for (auto& [k, v] : only) e[k] = v;
  return e;
}

void expect_limited(const http_result& r) {
  expect_error(r, 429, "rate_limited");
  auto it = r.headers.find("retry-after");
  ASSERT_TRUE(it != r.headers.end()) << "429 without Retry-After";
  const int seconds = std::stoi(it->second);
  EXPECT_GE(seconds, 1);
  EXPECT_LE(seconds, 60);
}

class rate_limit_test : public chat_server_test {
 protected:
  std::map<std::string, std::string> from(const std::string& address, const std::string& token = {}) {
    std::map<std::string, std::string> h{{"X-Forwarded-For", address}};
    if (!token.empty()) h["Authorization"] = "Bearer " + token;
    return h;
  }
  http_result send_from(const std::string& token, const std::string& text, const std::string& address) {
    auto h = from(address, token);
    h["Content-Type"] = "application/json";
    const std::string route = token == user_ ? "/outbound" : "/inbound";  // each role's own way
    return http_->request("POST", chat_path() + route, R"({"message":")" + text + R"("})", h);
  }
  http_result search(const std::string& token) { return http_->get(chat_path() + "/search?query=hello", token); }
  http_result upload(const std::string& token) {
    return http_->request("POST", chat_path() + "/attachments", "%PDF-1.4\n% lab results for the test\n",
                          {{"Authorization", "Bearer " + token},
                           {"Content-Type", "application/pdf"},
                           {"Content-Disposition", "attachment; filename*=UTF-8''results.pdf"}});
  }
  std::size_t uploads_recorded() {
    std::size_t n = 0;
    auto out = run_cli({"audit", "--db", db_, "--patient", patient});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    for (std::size_t at = out.out.find("\tupload_attachment\t"); at != std::string::npos;
         at = out.out.find("\tupload_attachment\t", at + 1))
      ++n;
    return n;
  }
  // The audit rows of no patient (failed authentications), as text.
  std::string patientless_audit() {
    auto out = run_cli({"audit", "--db", db_, "--patient", ""});
    EXPECT_EQ(out.exit_code, 0) << out.err;
    return out.out;
  }
  // GET /metrics of a server started with CARECHAT_METRICS_LISTEN=127.0.0.1:0.
  std::string scrape() {
    const std::regex line_re(R"(carechat metrics on http://127\.0\.0\.1:(\d+)/metrics)");
    unsigned short port = 0;
    for (int i = 0; i < 100 && port == 0; ++i) {
      std::smatch m;
      const std::string log = server_->log();
      if (std::regex_search(log, m, line_re))
        port = static_cast<unsigned short>(std::stoi(m[1]));
      else
        std::this_thread::sleep_for(50ms);
    }
    EXPECT_NE(port, 0) << server_->log();
    http_client metrics(port);
    auto r = metrics.request("GET", "/metrics");
    EXPECT_EQ(r.status, 200u);
    return r.body;
  }
  static std::size_t count(const std::string& text, const std::string& needle) {
    std::size_t n = 0;
    for (auto at = text.find(needle); at != std::string::npos; at = text.find(needle, at + 1)) ++n;
    return n;
  }
};

TEST_F(rate_limit_test, sends_per_token_refused_after_the_burst_store_nothing_and_refill) {
  env_map env = limits({{"CARECHAT_RATE_SENDS_PER_TOKEN", "3,60"}});  // 3 at once, one a second
  env["CARECHAT_METRICS_LISTEN"] = "127.0.0.1:0";
  restart(env);
  for (int i = 0; i < 3; ++i) ASSERT_EQ(send_inbound("ok " + std::to_string(i)).status, 200u);
  const auto before = count_messages();
  expect_limited(send_inbound("one too many"));
  // With an Idempotency-Key too: nothing reaches the writer.
  auto keyed = http_->post_json(chat_path() + "/inbound", patient_, R"({"message":"keyed"})",
                                {{"Idempotency-Key", "rate-limit-test-1"}});
  expect_limited(keyed);
  EXPECT_EQ(count_messages(), before) << "a refused send stored something";
  const auto metrics = scrape();
  EXPECT_NE(metrics.find("carechat_rate_limited_total{limit=\"sends_per_token\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("carechat_rate_limited_total{limit=\"sends_per_address\"} 0"), std::string::npos) << metrics;
  // Another token is unaffected (same address, same chat).
  EXPECT_EQ(send_outbound("staff is not limited by the patient's bucket").status, 200u);
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(send_inbound("after the refill").status, 200u);
  EXPECT_EQ(count_messages(), before + 2);
}

TEST_F(rate_limit_test, sends_per_address_behind_a_trusted_proxy_and_other_addresses_unaffected) {
  restart(limits({{"CARECHAT_RATE_SENDS_PER_ADDRESS", "2,60"}, {"CARECHAT_TRUSTED_PROXIES", "127.0.0.1, ::1"}}));
  ASSERT_EQ(send_from(patient_, "a1", "198.51.100.1").status, 200u);
  ASSERT_EQ(send_from(user_, "a2", "6.6.6.6, 198.51.100.1").status, 200u);  // a forged left part changes nothing
  const auto before = count_messages();
  expect_limited(send_from(patient_, "a3", "198.51.100.1"));
  expect_limited(send_from(user_, "a3", "198.51.100.1"));  // per address: every token from there
  EXPECT_EQ(count_messages(), before);
  EXPECT_EQ(send_from(patient_, "b1", "198.51.100.2").status, 200u);  // another address
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(send_from(patient_, "a4", "198.51.100.1").status, 200u);
}

TEST_F(rate_limit_test, x_forwarded_for_is_ignored_without_a_trusted_proxy_list) {
  restart(limits({{"CARECHAT_RATE_SENDS_PER_ADDRESS", "2,60"}}));
  ASSERT_EQ(send_from(patient_, "x1", "198.51.100.1").status, 200u);
  ASSERT_EQ(send_from(patient_, "x2", "198.51.100.2").status, 200u);
  // A client that invents a new address per request is still the one TCP peer.
  expect_limited(send_from(patient_, "x3", "198.51.100.3"));
}

TEST_F(rate_limit_test, searches_per_token_and_per_address) {
  restart(limits({{"CARECHAT_RATE_SEARCHES_PER_TOKEN", "2,60"}}));
  ASSERT_EQ(search(user_).status, 200u);
  ASSERT_EQ(search(user_).status, 200u);
  expect_limited(search(user_));
  EXPECT_EQ(search(patient_).status, 200u);                // another token
  EXPECT_EQ(http_->get(chat_path(), user_).status, 200u);  // reading the chat is not a search
  std::this_thread::sleep_for(1s);
  EXPECT_EQ(search(user_).status, 200u);

  restart(limits({{"CARECHAT_RATE_SEARCHES_PER_ADDRESS", "2,60"}}));
  ASSERT_EQ(search(user_).status, 200u);
  ASSERT_EQ(search(patient_).status, 200u);
  expect_limited(search(client_));
}

TEST_F(rate_limit_test, uploads_per_token_store_nothing_over_the_limit) {
  // One a minute refilled: the steps between may take a while on a loaded machine (the refill
  // itself is shown with sends and searches).
  restart(limits({{"CARECHAT_RATE_UPLOADS_PER_TOKEN", "2,1"}}));
  for (int i = 0; i < 2; ++i) {
    const auto up = upload(patient_);
    ASSERT_EQ(up.status, 201u) << up.body;
  }
  const auto recorded = uploads_recorded();
  expect_limited(upload(patient_));
  EXPECT_EQ(uploads_recorded(), recorded) << "a refused upload left a row";
  EXPECT_EQ(upload(user_).status, 201u);  // another token

  restart(limits({{"CARECHAT_RATE_UPLOADS_PER_ADDRESS", "1,1"}}));
  ASSERT_EQ(upload(patient_).status, 201u);
  expect_limited(upload(user_));
}

TEST_F(rate_limit_test, live_connects_per_token_refuse_the_upgrade) {
  restart(limits({{"CARECHAT_RATE_LIVE_CONNECTS_PER_TOKEN", "2,1"}}));  // refilled once a minute
  {  // (closed before the restart below, which would otherwise wait for them)
    for (int i = 0; i < 2; ++i) {
      ws_client ws(server_->port());
      ASSERT_EQ(ws.connect(chat_path() + "/events", user_).status, 101u);
    }
    ws_client refused(server_->port());
    auto hs = refused.connect(chat_path() + "/events", user_);
    EXPECT_EQ(hs.status, 429u) << hs.body;
    EXPECT_NE(hs.body.find("rate_limited"), std::string::npos) << hs.body;
    ASSERT_TRUE(hs.headers.count("retry-after"));
    EXPECT_GE(std::stoi(hs.headers.at("retry-after")), 1);
    ws_client other(server_->port());
    EXPECT_EQ(other.connect(chat_path() + "/events", patient_).status, 101u);  // another token
  }

  restart(limits({{"CARECHAT_RATE_LIVE_CONNECTS_PER_ADDRESS", "1,1"}}));
  ws_client first(server_->port());
  ASSERT_EQ(first.connect(chat_path() + "/events", user_).status, 101u);
  ws_client second(server_->port());
  EXPECT_EQ(second.connect(chat_path() + "/events", patient_).status, 429u);
}

TEST_F(rate_limit_test, failed_authentications_are_audited_then_lock_the_address_with_bounded_audit) {
  restart(limits({{"CARECHAT_RATE_AUTH_FAILURES_PER_ADDRESS", "3,60"}, {"CARECHAT_TRUSTED_PROXIES", "127.0.0.0/8"}}));
  const std::string guess = "guessed-token-SECRET-4711";
  const std::string attacker = "203.0.113.66";
  // Three failures on three kinds of route: a chat read, a live upgrade, FHIR.
  expect_error(http_->request("GET", chat_path(), "", from(attacker, guess)), 401, "unauthorized");
  {
    ws_client ws(server_->port());
    EXPECT_EQ(ws.connect(chat_path() + "/events", guess, from(attacker)).status, 401u);
  }
  EXPECT_EQ(http_->request("GET", "/fhir/R4/Communication?subject=Patient/" + patient, "", from(attacker)).status,
            401u);
  // Over the limit: 429 on every API route, even with a valid token, and nothing stored.
  const auto before = count_messages();
  expect_limited(http_->request("GET", chat_path(), "", from(attacker, guess)));
  expect_limited(send_from(patient_, "from the locked address", attacker));
  for (int i = 0; i < 5; ++i) expect_limited(http_->request("GET", chat_path(), "", from(attacker, guess)));
  // FHIR answers in its own shape: an OperationOutcome, code throttled.
  const auto fhir =
      http_->request("GET", "/fhir/R4/Communication?subject=Patient/" + patient, "", from(attacker, user_));
  EXPECT_EQ(fhir.status, 429u) << fhir.body;
  EXPECT_NE(fhir.body.find("OperationOutcome"), std::string::npos) << fhir.body;
  EXPECT_NE(fhir.body.find("throttled"), std::string::npos) << fhir.body;
  EXPECT_TRUE(fhir.headers.count("retry-after"));
  EXPECT_EQ(count_messages(), before);
  // Another address, and the probes, are not locked.
  EXPECT_EQ(send_from(patient_, "from elsewhere", "203.0.113.67").status, 200u);
  EXPECT_EQ(http_->request("GET", "/healthz", "", from(attacker)).status, 200u);

  // Audit: one auth_failed row per failure with the address as the actor and no secret, and one
  // row for all the refusals of the locked address (not one per request).
  std::string audit;
  for (int attempt = 0; attempt < 50; ++attempt) {
    audit = patientless_audit();
    if (count(audit, "\tauth_failed\t") >= 4) break;
    std::this_thread::sleep_for(100ms);
  }
  EXPECT_EQ(count(audit, "\t" + attacker + "\tauth_failed\t"), 4u) << audit;
  EXPECT_EQ(count(audit, "\tauth_failed\t\t\t\tunauthorized\t"), 3u) << audit;
  EXPECT_EQ(count(audit, "\tauth_failed\t\t\t\trate_limited\t"), 1u) << audit;
  EXPECT_EQ(audit.find(guess), std::string::npos) << "a guessed secret reached the audit trail";

  std::this_thread::sleep_for(1s);  // refilled (one a second): one attempt again
  EXPECT_EQ(http_->get(chat_path(), user_).status, 200u);
  EXPECT_EQ(http_->request("GET", chat_path(), "", from(attacker, user_)).status, 200u);
}

TEST_F(rate_limit_test, defaults_do_not_touch_normal_use) {
  // Default limits: a burst of normal work from one token and one address passes.
  for (int i = 0; i < 50; ++i) ASSERT_EQ(send_inbound("normal " + std::to_string(i)).status, 200u) << i;
  for (int i = 0; i < 10; ++i) ASSERT_EQ(search(user_).status, 200u) << i;
  for (int i = 0; i < 5; ++i) EXPECT_EQ(http_->get(chat_path(), "wrong-" + std::to_string(i)).status, 401u);
  EXPECT_EQ(http_->get(chat_path(), user_).status, 200u);
}

TEST_F(rate_limit_test, bad_settings_are_refused_at_start) {
  const auto serve = [&](const env_map& env) {
    return run_cli({"serve", "--db", db_, "--listen", "127.0.0.1:0"}, env);
  };
  for (const char* bad : {"fast", "10", "10,", ",10", "0,10", "10,0", "-1,5", "10,5,1", "2000000,5"}) {
    const auto r = serve({{"CARECHAT_RATE_SENDS_PER_TOKEN", bad}});
    EXPECT_NE(r.exit_code, 0) << bad;
    EXPECT_NE(r.err.find("CARECHAT_RATE_SENDS_PER_TOKEN"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("BURST,PER_MINUTE"), std::string::npos) << r.err;
  }
  const auto r = serve({{"CARECHAT_TRUSTED_PROXIES", "10.0.0.0/8, proxy.internal"}});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("CARECHAT_TRUSTED_PROXIES"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("proxy.internal"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace carechat::testing
