// Idempotency-Key on sends: a retry replays the first answer and stores nothing; another body under
// the same key is a 422; keys are scoped per token; malformed keys are refused.
#include <thread>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

class idempotency_test : public chat_server_test {
 protected:
  http_result send(const std::string& route, const std::string& token, const std::string& text,
                   const std::string& key) {
    return http_->post_json(chat_path() + route, token, json::serialize(json::object{{"message", text}}),
                            {{"Idempotency-Key", key}});
  }
};

TEST_F(idempotency_test, same_key_and_body_replays_the_first_answer) {
  auto first = send("/inbound", patient_, "only once", "key-1");
  ASSERT_EQ(first.status, 200u) << first.body;
  EXPECT_EQ(first.headers.count("idempotent-replayed"), 0u);
  for (int i = 0; i < 3; ++i) {
    auto retry = send("/inbound", patient_, "only once", "key-1");
    ASSERT_EQ(retry.status, 200u) << retry.body;
    EXPECT_EQ(retry.headers["idempotent-replayed"], "true");
    EXPECT_EQ(json_of(retry), json_of(first)) << "the same externalId, createdAt and all";
  }
  auto all = all_messages(user_);
  ASSERT_EQ(all.size(), 1u);
  EXPECT_EQ(all[0].at("externalId"), json_of(first).at("externalId"));

  // Outbound too.
  auto out = send("/outbound", user_, "staff once", "key-1");
  ASSERT_EQ(out.status, 200u);
  auto again = send("/outbound", user_, "staff once", "key-1");
  EXPECT_EQ(again.headers["idempotent-replayed"], "true");
  EXPECT_EQ(json_of(again).at("externalId"), json_of(out).at("externalId"));
  EXPECT_EQ(count_messages(), 2u);
}

TEST_F(idempotency_test, same_key_with_another_body_is_422_and_stores_nothing) {
  auto first = send("/inbound", patient_, "original", "key-2");
  ASSERT_EQ(first.status, 200u);
  expect_error(send("/inbound", patient_, "changed", "key-2"), 422, "idempotency_conflict");
  // The same key on another route is another request, too.
  auto c1 = send("/inbound", client_, "via client", "key-3");
  ASSERT_EQ(c1.status, 200u);
  json::object as_outbound{{"message", "via client"},
                           {"sender", json::object{{"id", "u-1"}, {"titleName", "Root Root"}}}};
  expect_error(http_->post_json(chat_path() + "/outbound", client_, json::serialize(as_outbound),
                                {{"Idempotency-Key", "key-3"}}),
               422, "idempotency_conflict");
  auto all = all_messages(user_);
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(message_text(all[1]), "original");
  // And the original is still replayed after the conflict.
  EXPECT_EQ(json_of(send("/inbound", patient_, "original", "key-2")), json_of(first));
}

TEST_F(idempotency_test, keys_are_scoped_per_token) {
  const std::string second_patient_token =
      mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient", patient});
  auto a = send("/inbound", patient_, "same words", "shared-key");
  auto b = send("/inbound", second_patient_token, "same words", "shared-key");
  auto c = send("/inbound", client_, "other words", "shared-key");
  ASSERT_EQ(a.status, 200u);
  ASSERT_EQ(b.status, 200u) << b.body;
  ASSERT_EQ(c.status, 200u) << c.body;
  EXPECT_EQ(b.headers.count("idempotent-replayed"), 0u);
  EXPECT_NE(json_of(a).at("externalId"), json_of(b).at("externalId"));
  EXPECT_EQ(count_messages(), 3u);
}

TEST_F(idempotency_test, invalid_keys_are_400_and_store_nothing) {
  for (const std::string& key : {std::string(), std::string(256, 'k'), std::string("has space"),
                                 std::string("tab\there"), std::string("caf\xc3\xa9")})
    expect_error(send("/inbound", patient_, "keyed", key), 400, "bad_request");
  EXPECT_EQ(count_messages(), 0u);
  EXPECT_EQ(send("/inbound", patient_, "keyed", std::string(255, 'k')).status, 200u) << "255 printable is fine";
  EXPECT_EQ(send("/inbound", patient_, "keyed", "!~{}[]:;,.<>?/|\\`'\"@#$%^&*()=+").status, 200u);
  EXPECT_EQ(count_messages(), 2u);
}

TEST_F(idempotency_test, a_refused_request_does_not_claim_the_key) {
  expect_error(send("/inbound", patient_, "   ", "key-4"), 400, "bad_request");
  auto r = send("/inbound", patient_, "now valid", "key-4");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(r.headers.count("idempotent-replayed"), 0u);
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(idempotency_test, concurrent_retries_store_one_message) {
  std::vector<std::thread> threads;
  std::vector<std::string> ids(12);
  std::vector<unsigned> status(12);
  for (int t = 0; t < 12; ++t)
    threads.emplace_back([&, t] {
      http_client c(server_->port());
      auto r =
          c.post_json(chat_path() + "/inbound", patient_, R"({"message":"racing"})", {{"Idempotency-Key", "race"}});
      status[t] = r.status;
      if (r.status == 200) ids[t] = str(json::parse(r.body).at("externalId"));
    });
  for (auto& t : threads) t.join();
  for (int t = 0; t < 12; ++t) {
    EXPECT_EQ(status[t], 200u) << t;
    EXPECT_EQ(ids[t], ids[0]) << t;
  }
  EXPECT_EQ(count_messages(), 1u);
}

TEST_F(idempotency_test, replay_survives_a_restart) {
  auto first = send("/inbound", patient_, "before restart", "key-5");
  ASSERT_EQ(first.status, 200u);
  restart();
  auto retry = send("/inbound", patient_, "before restart", "key-5");
  ASSERT_EQ(retry.status, 200u);
  EXPECT_EQ(retry.headers["idempotent-replayed"], "true");
  EXPECT_EQ(json_of(retry), json_of(first));
  expect_error(send("/inbound", patient_, "other", "key-5"), 422, "idempotency_conflict");
  EXPECT_EQ(count_messages(), 1u);
}

}  // namespace
}  // namespace carechat::testing
