// `carechat copy`: a clinic moves from SQLite to PostgreSQL. An SQLite database with the demo data
// plus 100k messages is copied; the API then answers the same pages, searches, unread inbox and
// audit, to the same tokens and page tokens, from the PostgreSQL server; live clients of the old
// server are told to resync; a second copy into the now non-empty target is refused and changes
// nothing. It needs PostgreSQL whichever backend the suite runs on, so it runs in the postgres.*
// pass only.
#include <thread>

#include "core/clock.hpp"
#include "core/ids.hpp"
#include "core/random.hpp"
#include "integration/fixture.hpp"
#include "integration/ws_client.hpp"
#include "store/sqlite/sqlite_store.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

constexpr int big_chat_messages = 60'000;
constexpr int other_chats = 4;
constexpr int other_chat_messages = 10'000;  // 100k in all, besides the demo's

std::string patient_n(int i) { return "bulk-" + std::to_string(i); }

// Fills the SQLite file through the store itself (much faster than 100k HTTP sends): batches of
// sends as the server would apply them, staff replies every 5th message, a few words to search.
void bulk_fill(const std::string& path) {
  core::system_clock clk;
  core::openssl_random rng;
  store::sqlite::sqlite_options opts;
  opts.path = path;
  auto st = store::sqlite::sqlite_store::open(opts, clk, rng);
  ASSERT_TRUE(st.has_value()) << st.error().message;
  const char* words[] = {"kiwi", "blood pressure", "refill", "Ünïcode ŻÓŁW", "appointment"};
  int n = 0;
  for (int c = 0; c <= other_chats; ++c) {
    const int count = c == 0 ? big_chat_messages : other_chat_messages;
    std::vector<domain::write_command> batch;
    for (int i = 0; i < count; ++i, ++n) {
      domain::send_command s;
      s.chat = {tenant, instance, patient_n(c)};
      const bool staff = i % 5 == 4;
      s.kind = staff ? domain::message_kind::outbound : domain::message_kind::inbound;
      s.sender = staff ? domain::party{domain::client_type::user, "u-1", "Root Root"}
                       : domain::party{domain::client_type::patient, patient_n(c), std::nullopt};
      if (staff) s.receiver = domain::party{domain::client_type::patient, patient_n(c), std::nullopt};
      s.text = std::string(words[i % 5]) + " #" + std::to_string(i);
      s.external_id = core::new_external_id(rng, clk.now_ms());
      s.record_webhook_event = staff;
      s.audit = {clk.now_ms(), "tk_bulk", staff ? domain::role::user : domain::role::patient, staff ? "u-1" : patient_n(c),
                 staff ? "send_outbound" : "send_inbound", s.chat, "ok"};
      batch.push_back(std::move(s));
      if (batch.size() == 1000 || i + 1 == count) {
        for (const auto& o : (*st)->apply(batch)) ASSERT_TRUE(o.has_value()) << o.error().message;
        batch.clear();
      }
    }
  }
}

class copy_test : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!postgres_run()) GTEST_SKIP() << "needs PostgreSQL: runs in the postgres.* pass of this suite";
    sqlite_ = (dir_.path() / "clinic.db").string();
    ASSERT_EQ(run_cli({"demo", "--db", sqlite_}).exit_code, 0);
    user_ = mint(sqlite_, {"--tenant", tenant, "--instance", instance, "--role", "user", "--user", "u-1", "--name",
                           "Root Root"});
    patient_ = mint(sqlite_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient", patient});
  }

  // What a client sees of the API, to compare the two servers: every page of a chat (walked with
  // the next tokens), a search walk, the unread inbox, the page an old page token opens. Page
  // tokens are sealed with a fresh nonce each time, so they are compared by what they open.
  struct view {
    std::vector<json::value> pages;  // content and the non-token meta of each page
    std::vector<json::value> searches;
    json::value inbox;
    json::value token_page;
  };

  static json::value without_tokens(json::value page) {
    auto& meta = page.at("meta").as_object();
    for (const char* k : {"nextPageToken", "prevPageToken", "epoch"}) meta.erase(k);
    for (auto& hit : page.at("content").as_array())
      if (hit.is_object() && hit.as_object().contains("meta")) hit.as_object().erase("meta");
    return page;
  }

  view look(http_client& http, const std::string& old_page_token) {
    view v;
    std::string target = chat_path(patient_n(0)) + "?pageSize=200&includeArchived=true";
    for (int guard = 0; guard < 1000; ++guard) {
      auto r = http.get(target, user_);
      EXPECT_EQ(r.status, 200u) << r.body;
      if (r.status != 200) break;
      auto page = json::parse(r.body);
      const auto& next = page.at("meta").at("nextPageToken");
      const bool last = next.is_null();
      if (!last) target = chat_path(patient_n(0)) + "?pageToken=" + url_encode(std::string(next.as_string()));
      v.pages.push_back(without_tokens(std::move(page)));
      if (last) break;
    }
    for (const char* q : {"kiwi", "ŻÓŁW", "zz", "#5999"}) {
      auto r = http.get(chat_path(patient_n(1)) + "/search?pageSize=50&query=" + url_encode(q), user_);
      EXPECT_EQ(r.status, 200u) << r.body;
      v.searches.push_back(without_tokens(json::parse(r.body)));
    }
    auto inbox = http.get("/" + tenant + "/" + instance + "/chat/unread?pageSize=50", user_);
    EXPECT_EQ(inbox.status, 200u) << inbox.body;
    v.inbox = json::parse(inbox.body);
    auto opened = http.get(chat_path(patient_n(0)) + "?pageToken=" + url_encode(old_page_token), user_);
    EXPECT_EQ(opened.status, 200u) << opened.body;
    v.token_page = without_tokens(json::parse(opened.body));
    return v;
  }

  temp_dir dir_;
  test_database target_{dir_.path()};
  std::string sqlite_, user_, patient_;
};

TEST_F(copy_test, a_clinic_moves_to_postgresql_and_the_api_answers_the_same) {
  bulk_fill(sqlite_);
  std::string old_token, audit_before, attachment_id;
  std::string attachment_bytes = "%PDF-1.4\n";
  while (attachment_bytes.size() < 700'000) attachment_bytes += "% results copied to PostgreSQL\n";
  std::int64_t old_position = 0, old_epoch = 0;
  view before;
  // An OAuth API client and a token it got: both move, the token with its expiry and its client.
  const auto client = run_cli({"client", "create", "--db", sqlite_, "--tenant", tenant, "--instance", instance});
  ASSERT_EQ(client.exit_code, 0) << client.err;
  const std::string client_id = client.out.substr(0, client.out.find('\n'));
  const std::string client_secret = client.out.substr(client_id.size() + 1, client.out.find('\n', client_id.size() + 1) -
                                                                                client_id.size() - 1);
  const std::string client_form = "grant_type=client_credentials&client_id=" + client_id +
                                  "&client_secret=" + url_encode(client_secret);
  const std::map<std::string, std::string> form_type{{"Content-Type", "application/x-www-form-urlencoded"}};
  std::string oauth_token;
  {
    server_process sqlite_server(sqlite_);
    http_client http(sqlite_server.port());
    auto issued = http.request("POST", "/oauth/token", client_form, form_type);
    ASSERT_EQ(issued.status, 200u) << issued.body;
    oauth_token = std::string(json::parse(issued.body).at("access_token").as_string());
    // Some read state and an archive, so the copy carries them too.
    ASSERT_EQ(http.request("POST", chat_path(patient_n(2)) + "/read", "", {{"Authorization", "Bearer " + user_}}).status,
              200u);
    ASSERT_EQ(http.request("POST", chat_path(patient_n(3)) + "/archive?archiveDate=2100-01-01T00:00:00.000Z", "",
                           {{"Authorization", "Bearer " + user_}})
                  .status,
              200u);
    // An attachment, whose bytes live beside the SQLite file and must move into PostgreSQL.
    auto up = http.request("POST", chat_path() + "/attachments", attachment_bytes,
                           {{"Authorization", "Bearer " + patient_},
                            {"Content-Type", "application/pdf"},
                            {"Content-Disposition", "attachment; filename=\"results.pdf\""}});
    ASSERT_EQ(up.status, 201u) << up.body;
    attachment_id = std::string(json::parse(up.body).at("id").as_string());
    json::object body{{"attachmentIds", json::array{json::value(attachment_id)}}};
    ASSERT_EQ(http.post_json(chat_path() + "/inbound", patient_, json::serialize(body)).status, 200u);
    auto first = json::parse(http.get(chat_path(patient_n(0)) + "?pageSize=7", user_).body);
    old_token = std::string(first.at("meta").at("nextPageToken").as_string());
    old_position = first.at("meta").at("position").as_int64();
    old_epoch = first.at("meta").at("epoch").as_int64();
    before = look(http, old_token);
    const auto audited = run_cli({"audit", "--db", sqlite_, "--patient", patient_n(2)});
    ASSERT_EQ(audited.exit_code, 0) << audited.err;
    audit_before = audited.out;
  }
  ASSERT_EQ(before.pages.size(), static_cast<std::size_t>(big_chat_messages / 200));

  const auto copied = run_cli({"copy", "--from", "sqlite:" + sqlite_, "--to", target_.spec()});
  ASSERT_EQ(copied.exit_code, 0) << copied.err;
  EXPECT_NE(copied.out.find("every table verified"), std::string::npos) << copied.out;
  EXPECT_NE(copied.out.find("messages\t100006 rows"), std::string::npos) << copied.out;  // the demo's 5 + 100k + 1
  EXPECT_EQ(copied.out.find("postgres@"), std::string::npos) << "the URI's user part is not printed";
  EXPECT_NE(copied.out.find("attachment bytes\t1 rows"), std::string::npos) << copied.out;
  EXPECT_NE(copied.out.find("oauth_clients\t1 rows"), std::string::npos) << copied.out;
  EXPECT_EQ(target_.schema().scalar("SELECT count(*) FROM tokens WHERE client_id = '" + client_id +
                                    "' AND expires_at IS NOT NULL"),
            "1");

  server_process pg_server(target_.spec());
  http_client http(pg_server.port());
  const view after = look(http, old_token);
  auto file = http.request("GET", chat_path() + "/attachments/" + attachment_id, "",
                           {{"Authorization", "Bearer " + user_}});
  ASSERT_EQ(file.status, 200u) << file.body;
  EXPECT_EQ(file.body, attachment_bytes) << "the bytes moved into PostgreSQL with their row";
  ASSERT_EQ(after.pages.size(), before.pages.size());
  for (std::size_t i = 0; i < before.pages.size(); ++i) ASSERT_EQ(after.pages[i], before.pages[i]) << "page " << i;
  EXPECT_EQ(after.searches, before.searches);
  EXPECT_EQ(after.inbox, before.inbox);
  EXPECT_EQ(after.token_page, before.token_page) << "a page token of the old server opens the same page";
  EXPECT_EQ(run_cli({"audit", "--db", target_.spec(), "--patient", patient_n(2)}).out, audit_before);
  // The audit chains go along unchanged (their hashes name no database id) and go on there: the
  // reads above appended to them.
  const auto chains = run_cli({"audit", "verify", "--db", target_.spec()});
  EXPECT_EQ(chains.exit_code, 0) << chains.out << chains.err;
  EXPECT_NE(chains.out.find("OK tenant=" + tenant + " instance=" + instance + " rows="), std::string::npos) << chains.out;
  // The patient's own token, minted on SQLite, works on PostgreSQL.
  EXPECT_EQ(http.get(chat_path(), patient_).status, 200u);
  // So do the OAuth client's token and its secret.
  EXPECT_EQ(http.get(chat_path(), oauth_token).status, 200u);
  EXPECT_EQ(http.request("POST", "/oauth/token", client_form, form_type).status, 200u);

  // A live client of the old server resuming with its position and epoch is told to resync; the
  // log continues at the same position, in a new epoch.
  ws_client live(pg_server.port());
  ASSERT_EQ(live.connect(chat_path(patient_n(0)) + "/events?after=" + std::to_string(old_position) +
                             "&epoch=" + std::to_string(old_epoch),
                         user_)
                .status,
            101u);
  auto frame = live.read();
  ASSERT_TRUE(frame);
  auto resync = json::parse(*frame);
  EXPECT_EQ(resync.at("type").as_string(), "resync_required") << *frame;
  EXPECT_NE(resync.at("epoch").as_int64(), old_epoch);
  EXPECT_EQ(resync.at("position").as_int64(), old_position);

  // Sends go on from there, in order.
  boost::json::object body{{"message", "after the move"}};
  auto sent = http.post_json(chat_path(patient_n(0)) + "/inbound", user_, json::serialize(body));
  EXPECT_EQ(sent.status, 403u) << "a staff user sends outbound only";
  auto out = http.post_json(chat_path(patient_n(0)) + "/outbound", user_, json::serialize(body));
  ASSERT_EQ(out.status, 200u) << out.body;
  auto page = json::parse(http.get(chat_path(patient_n(0)) + "?pageSize=1", user_).body);
  EXPECT_EQ(page.at("content").at(0).at("message").as_string(), "after the move");
  EXPECT_EQ(page.at("meta").at("position").as_int64(), old_position + 1);

  // A second copy into the target, which now holds data, is refused and changes nothing.
  const auto again = run_cli({"copy", "--from", "sqlite:" + sqlite_, "--to", target_.spec()});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already holds carechat data"), std::string::npos) << again.err;
  EXPECT_EQ(target_.schema().scalar("SELECT count(*) FROM messages"), "100007");
}

TEST_F(copy_test, bad_arguments_are_refused_and_copy_nothing) {
  EXPECT_EQ(run_cli({"copy", "--from", "sqlite:" + sqlite_}).exit_code, 2);
  EXPECT_EQ(run_cli({"copy", "--from", target_.spec(), "--to", "sqlite:" + sqlite_}).exit_code, 2);
  const auto missing = run_cli({"copy", "--from", "sqlite:" + (dir_.path() / "nope.db").string(), "--to", target_.spec()});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_FALSE(std::filesystem::exists(dir_.path() / "nope.db")) << "a typo never creates a database";
  EXPECT_EQ(target_.schema().scalar("SELECT count(*) FROM information_schema.tables WHERE table_schema = '" +
                                    target_.schema().name() + "' AND table_name = 'messages'"),
            "0")
      << "nothing was created in the target";
}

}  // namespace
}  // namespace carechat::testing
