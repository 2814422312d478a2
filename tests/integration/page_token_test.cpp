// Page tokens are sealed and bound to one chat, tenant and route: anything else is a 400 without
// data. They survive a restart (the key is in the database).
#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

// Lenient base64url (and standard base64) decoder: enough to look inside a token.
std::string base64url_decode(const std::string& in) {
  auto value = [](char c) -> int {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '-' || c == '+') return 62;
    if (c == '_' || c == '/') return 63;
    return -1;
  };
  std::string out;
  unsigned acc = 0;
  int bits = 0;
  for (char c : in) {
    const int v = value(c);
    if (v < 0) continue;
    acc = (acc << 6) | static_cast<unsigned>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((acc >> bits) & 0xff));
    }
  }
  return out;
}

class page_token_test : public chat_server_test {
 protected:
  // Sends `n` messages to a chat with `token` (inbound for a patient token, outbound for a user).
  void seed(int n, const std::string& path, const std::string& token, const char* route) {
    for (int i = 0; i < n; ++i) {
      auto r =
          http_->post_json(path + route, token, json::serialize(json::object{{"message", "s" + std::to_string(i)}}));
      ASSERT_EQ(r.status, 200u) << r.body;
    }
  }
  std::string next_token(const std::string& target, const std::string& token) {
    auto r = http_->get(target, token);
    EXPECT_EQ(r.status, 200u) << r.body;
    auto next = json_of(r).at("meta").at("nextPageToken");
    EXPECT_TRUE(next.is_string()) << r.body;
    return next.is_string() ? str(next) : std::string();
  }
  void expect_invalid_token(const http_result& r) { expect_error(r, 400, "invalid_page_token"); }
};

TEST_F(page_token_test, tampered_token_is_rejected) {
  seed(5, chat_path(), patient_, "/inbound");
  const std::string good = next_token(chat_path() + "?pageSize=2", user_);
  ASSERT_GT(good.size(), 20u);
  ASSERT_EQ(http_->get(chat_path() + "?pageToken=" + url_encode(good), user_).status, 200u);

  for (std::size_t at : {std::size_t{0}, good.size() / 2, good.size() - 2}) {
    std::string bad = good;
    bad[at] = bad[at] == 'A' ? 'B' : 'A';
    expect_invalid_token(http_->get(chat_path() + "?pageToken=" + url_encode(bad), user_));
  }
  expect_invalid_token(http_->get(chat_path() + "?pageToken=" + url_encode(good.substr(0, good.size() - 4)), user_));
  expect_invalid_token(http_->get(chat_path() + "?pageToken=" + url_encode(good + "AAAA"), user_));
  expect_invalid_token(http_->get(chat_path() + "?pageToken=garbage", user_));
  expect_invalid_token(http_->get(chat_path() + "?pageToken=", user_));
  expect_invalid_token(http_->get(chat_path() + "?pageToken=" + std::string(3000, 'A'), user_));
  // The reference's own (unsealed, base64 JSON) token is not one of ours either.
  expect_invalid_token(http_->get(chat_path() + "?pageToken=" +
                                      url_encode("eyJ0eXBlIjoiUFJPVklERVIiLCJ0d2lsaW9Ub2tlbiI6Ik9yZGVyPWRlc2MmUGFnZVNpe"
                                                 "mU9MSZQYWdlPTEmUGFnZVRva2VuPVBUMTAifQ=="),
                                  user_));
}

TEST_F(page_token_test, token_of_another_patients_chat_is_rejected) {
  seed(3, chat_path(other_patient), other_patient_, "/inbound");
  seed(3, chat_path(), patient_, "/inbound");
  const std::string foreign = next_token(chat_path(other_patient) + "?pageSize=1", user_);
  expect_invalid_token(http_->get(chat_path() + "?pageToken=" + url_encode(foreign), user_));
  // Nor can the other patient's token read this chat by carrying its own chat's page token.
  expect_error(http_->get(chat_path() + "?pageToken=" + url_encode(foreign), other_patient_), 403, "forbidden");
}

TEST_F(page_token_test, token_of_another_tenant_is_rejected) {
  const std::string other = chat_path(patient, "other-tenant");
  seed(3, other, foreign_user_, "/outbound");
  seed(3, chat_path(), user_, "/outbound");
  const std::string foreign = next_token(other + "?pageSize=1", foreign_user_);
  // Same patient id and instance, another tenant: the token is bound to its tenant.
  expect_invalid_token(http_->get(chat_path() + "?pageToken=" + url_encode(foreign), user_));
  // And another instance of the same tenant.
  const std::string own = next_token(chat_path() + "?pageSize=1", user_);
  auto inst_user = mint(db_, {"--tenant", tenant, "--instance", "sb-other", "--role", "user", "--user", "u-2", "--name",
                              "Other Instance"});
  expect_invalid_token(http_->get(chat_path(patient, tenant, "sb-other") + "?pageToken=" + url_encode(own), inst_user));
}

TEST_F(page_token_test, search_and_message_tokens_work_only_on_their_own_route) {
  seed(6, chat_path(), patient_, "/inbound");
  const std::string search_next = next_token(chat_path() + "/search?query=s&pageSize=2", user_);
  const std::string chat_next = next_token(chat_path() + "?pageSize=2", user_);
  expect_invalid_token(http_->get(chat_path() + "?pageToken=" + url_encode(search_next), user_));
  expect_invalid_token(http_->get(chat_path() + "/search?pageToken=" + url_encode(chat_next), user_));
  // Each works where it belongs.
  EXPECT_EQ(http_->get(chat_path() + "?pageToken=" + url_encode(chat_next), user_).status, 200u);
  EXPECT_EQ(http_->get(chat_path() + "/search?pageToken=" + url_encode(search_next), user_).status, 200u);
}

TEST_F(page_token_test, search_token_is_bound_to_its_query) {
  seed(6, chat_path(), patient_, "/inbound");
  const std::string next = next_token(chat_path() + "/search?query=s&pageSize=2", user_);
  expect_invalid_token(http_->get(chat_path() + "/search?query=other&pageToken=" + url_encode(next), user_));
  EXPECT_EQ(http_->get(chat_path() + "/search?query=s&pageToken=" + url_encode(next), user_).status, 200u);
  expect_error(http_->get(chat_path() + "/search?pageSize=2&pageToken=" + url_encode(next), user_), 400, "bad_request");
}

TEST_F(page_token_test, tokens_reveal_nothing_readable) {
  seed(4, chat_path(), patient_, "/inbound");
  ASSERT_EQ(send_inbound("findme-needle-1").status, 200u);
  ASSERT_EQ(send_inbound("findme-needle-2").status, 200u);
  auto r = http_->get(chat_path() + "/search?query=findme-needle&pageSize=1", user_);
  ASSERT_EQ(r.status, 200u) << r.body;
  const std::string next = str(json_of(r).at("meta").at("nextPageToken"));
  // Neither the token nor its base64url decoding may carry the query, the patient or the tenant.
  const std::string raw = base64url_decode(next);
  ASSERT_FALSE(raw.empty());
  for (const std::string& leak : {std::string("findme"), patient, std::string("sb-demo")}) {
    EXPECT_EQ(next.find(leak), std::string::npos) << leak;
    EXPECT_EQ(raw.find(leak), std::string::npos) << leak;
  }
  // Two tokens for the same position differ (fresh nonce), so equal pages are not linkable.
  auto again = http_->get(chat_path() + "/search?query=findme-needle&pageSize=1", user_);
  EXPECT_NE(str(json_of(again).at("meta").at("nextPageToken")), next);
}

TEST_F(page_token_test, token_survives_a_restart) {
  seed(5, chat_path(), patient_, "/inbound");
  const std::string next = next_token(chat_path() + "?pageSize=2", user_);
  const std::string search_next = next_token(chat_path() + "/search?query=s&pageSize=2", user_);
  restart();
  auto r = http_->get(chat_path() + "?pageToken=" + url_encode(next), user_);
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto content = json_of(r).at("content").as_array();
  ASSERT_EQ(content.size(), 2u);
  EXPECT_EQ(content[0].at("message").as_string(), "s2");
  EXPECT_EQ(content[1].at("message").as_string(), "s1");
  EXPECT_EQ(http_->get(chat_path() + "/search?pageToken=" + url_encode(search_next), user_).status, 200u);
}

TEST_F(page_token_test, include_archived_may_accompany_a_page_token) {
  seed(10, chat_path(), patient_, "/inbound");  // s0 (oldest) .. s9
  auto all = all_messages(user_);
  ASSERT_EQ(all.size(), 10u);
  // Archive s0..s4: strictly before s5's timestamp (s4 may share it; then it stays live, still fine
  // for what follows, which counts on s5..s9 being live and s0..s3 archived).
  const std::string cut = str(all[4].at("createdAt"));  // s5
  auto a = http_->request("POST", chat_path() + "/archive?archiveDate=" + url_encode(cut), {},
                          {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(a.status, 200u) << a.body;

  const std::string next = next_token(chat_path() + "?pageSize=3", user_);  // s9 s8 s7 shown, next from s7
  auto live = http_->get(chat_path() + "?pageToken=" + url_encode(next) + "&includeArchived=false", user_);
  ASSERT_EQ(live.status, 200u) << live.body;
  const auto live_page = json_of(live);
  for (const auto& m : live_page.at("content").as_array())
    EXPECT_GE(str(m.at("createdAt")), cut) << "no archived message without includeArchived";

  auto with = http_->get(chat_path() + "?pageToken=" + url_encode(next) + "&includeArchived=true", user_);
  ASSERT_EQ(with.status, 200u) << with.body;
  auto content = json_of(with).at("content").as_array();
  ASSERT_EQ(content.size(), 3u);
  EXPECT_EQ(content[0].at("message").as_string(), "s6");
  EXPECT_EQ(content[1].at("message").as_string(), "s5");
  EXPECT_EQ(content[2].at("message").as_string(), "s4");
  // Carried on: the next token keeps including archived messages down to s0.
  auto page2 = json_of(with).at("meta").at("nextPageToken");
  ASSERT_TRUE(page2.is_string());
  auto deeper = http_->get(chat_path() + "?pageToken=" + url_encode(str(page2)), user_);
  ASSERT_EQ(deeper.status, 200u);
  auto d = json_of(deeper).at("content").as_array();
  ASSERT_EQ(d.size(), 3u);
  EXPECT_EQ(d[2].at("message").as_string(), "s1");
}

}  // namespace
}  // namespace carechat::testing
