// The audit trail: `carechat audit --patient ID` shows one row per request with who, role, action,
// chat and outcome, and never a message text or a token secret.
#include <chrono>
#include <cstdlib>
#include <thread>
#include <tuple>

#include "integration/fixture.hpp"

namespace carechat::testing {
namespace {

namespace json = boost::json;

struct audit_row {
  std::string time, token, role, actor, action, tenant, instance, patient, outcome, request_id;
};

std::vector<audit_row> parse_audit(const std::string& out) {
  std::vector<audit_row> rows;
  std::istringstream lines(out);
  std::string line;
  bool header = true;
  while (std::getline(lines, line)) {
    if (header) {
      header = false;
      EXPECT_EQ(line, "time\ttoken\trole\tactor\taction\ttenant\tinstance\tpatient\toutcome\trequest_id");
      continue;
    }
    std::vector<std::string> c;
    std::istringstream fields(line);
    std::string f;
    while (std::getline(fields, f, '\t')) c.push_back(f);
    EXPECT_EQ(c.size(), 10u) << line;
    if (c.size() != 10) continue;
    rows.push_back({c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8], c[9]});
  }
  return rows;
}

TEST_F(chat_server_test, audit_records_every_request_without_text_or_secrets) {
  const std::string secret_in = "SECRET-INBOUND-diagnosis-4711";
  const std::string secret_out = "SECRET-OUTBOUND-dosage-0815";
  const std::string secret_query = "SECRET-QUERY";
  const auto auth = [](const std::string& t) {
    return std::map<std::string, std::string>{{"Authorization", "Bearer " + t}};
  };

  ASSERT_EQ(send_inbound(secret_in).status, 200u);                                           // patient send_inbound ok
  ASSERT_EQ(send_outbound(secret_out).status, 200u);                                         // user send_outbound ok
  ASSERT_EQ(http_->get(chat_path(), patient_).status, 200u);                                 // patient read ok
  ASSERT_EQ(http_->get(chat_path() + "/search?query=" + secret_query, user_).status, 200u);  // user search ok
  ASSERT_EQ(http_->get(chat_path(), other_patient_).status, 403u);                           // patient read forbidden
  ASSERT_EQ(http_->request("POST", chat_path() + "/archive?archiveDate=2999-01-01T00:00:00Z", {}, auth(client_)).status,
            403u);  // client archive forbidden
  ASSERT_EQ(http_->post_json(chat_path() + "/inbound", patient_, R"({"message":"   "})").status,
            400u);  // patient send_inbound bad_request
  ASSERT_EQ(http_->request("POST", chat_path() + "/archive?archiveDate=2999-01-01T00:00:00Z", {}, auth(user_)).status,
            200u);                                                                            // user archive ok
  ASSERT_EQ(http_->request("POST", chat_path() + "/restore", {}, auth(user_)).status, 200u);  // user restore ok
  ASSERT_EQ(http_->get(chat_path(), "cc_unknown").status, 401u);                 // no identity: not audited
  ASSERT_EQ(http_->get(chat_path(other_patient), other_patient_).status, 200u);  // another patient's row

  struct expected {
    const char* role;
    const char* action;
    const char* outcome;
  };
  const std::vector<expected> want = {
      {"patient", "send_inbound", "ok"},
      {"user", "send_outbound", "ok"},
      {"patient", "read", "ok"},
      {"user", "search", "ok"},
      {"patient", "read", "forbidden"},
      {"client", "archive", "forbidden"},
      {"patient", "send_inbound", "bad_request"},
      {"user", "archive", "ok"},
      {"user", "restore", "ok"},
  };

  // Reads queue their rows with the writer before answering, and a read's row may wait up to
  // CARECHAT_AUDIT_DELAY_MS to share a commit: give the last commit a moment.
  cli_result out;
  const auto audit_rows = [&](const std::string& who, std::size_t expected) {
    std::vector<audit_row> found;
    for (int attempt = 0; attempt < 50; ++attempt) {
      out = run_cli({"audit", "--db", db_, "--patient", who});
      EXPECT_EQ(out.exit_code, 0) << out.err;
      found = parse_audit(out.out);
      if (found.size() >= expected) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return found;
  };
  const std::vector<audit_row> rows = audit_rows(patient, want.size());
  ASSERT_EQ(rows.size(), want.size()) << out.out;

  std::multiset<std::tuple<std::string, std::string, std::string>> got, expect;
  for (const auto& w : want) expect.emplace(w.role, w.action, w.outcome);
  for (const auto& r : rows) {
    got.emplace(r.role, r.action, r.outcome);
    EXPECT_EQ(r.tenant, tenant);
    EXPECT_EQ(r.instance, instance);
    EXPECT_EQ(r.patient, patient) << "the row names the chat that was asked for";
    EXPECT_EQ(r.token.rfind("tk_", 0), 0u) << "the token's id, not its secret: " << r.token;
    EXPECT_TRUE(std::regex_match(r.time, created_at_re)) << r.time;
    if (r.role == "user") {
      EXPECT_EQ(r.actor, "u-1");
    }
    if (r.role == "patient" && r.outcome == "ok") {
      EXPECT_EQ(r.actor, patient);
    }
    if (r.role == "patient" && r.outcome == "forbidden") {
      EXPECT_EQ(r.actor, other_patient) << "who asked";
    }
  }
  EXPECT_EQ(got, expect) << out.out;

  // Nothing secret in what the audit command prints, on either stream.
  for (const std::string& s : {secret_in, secret_out, secret_query, user_, patient_, other_patient_, client_,
                               foreign_user_, std::string("SECRET"), std::string("cc_")}) {
    EXPECT_EQ(out.out.find(s), std::string::npos) << s;
    EXPECT_EQ(out.err.find(s), std::string::npos) << s;
  }
  // Nor in what the server logged.
  const std::string log = server_->log();
  for (const std::string& s : {secret_in, secret_out, secret_query, user_, patient_, client_})
    EXPECT_EQ(log.find(s), std::string::npos) << s;

  // The other patient's chat has its own rows, and none of ours.
  auto their_rows = audit_rows(other_patient, 1);
  ASSERT_EQ(their_rows.size(), 1u) << out.out;
  EXPECT_EQ(their_rows[0].action, "read");
  EXPECT_EQ(their_rows[0].patient, other_patient);
}

// No listing is unbounded (issue #16): pages of --limit rows, the next one named on stderr.
TEST_F(chat_server_test, audit_and_token_list_are_pages) {
  for (int i = 0; i < 5; ++i) ASSERT_EQ(send_inbound("page " + std::to_string(i)).status, 200u);
  auto first = run_cli({"audit", "--db", db_, "--patient", patient, "--limit", "2"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(parse_audit(first.out).size(), 2u);
  const auto at = first.err.find("--after ");
  ASSERT_NE(at, std::string::npos) << first.err;
  const std::string after = first.err.substr(at + 8, first.err.find('\n', at) - at - 8);
  auto second = run_cli({"audit", "--db", db_, "--patient", patient, "--limit", "2", "--after", after});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const auto a = parse_audit(first.out), b = parse_audit(second.out);
  ASSERT_EQ(b.size(), 2u);
  auto all = run_cli({"audit", "--db", db_, "--patient", patient});
  EXPECT_TRUE(all.err.empty()) << "a page that is not full names no next one: " << all.err;
  // The two pages are the first four rows of the whole trail, in order, none twice.
  const auto whole = parse_audit(all.out);
  ASSERT_GE(whole.size(), 4u);
  const auto same = [](const audit_row& x, const audit_row& y) {
    return x.time == y.time && x.token == y.token && x.action == y.action && x.outcome == y.outcome;
  };
  EXPECT_TRUE(same(a[0], whole[0]) && same(a[1], whole[1]) && same(b[0], whole[2]) && same(b[1], whole[3]));
  for (const char* bad : {"0", "100001", "x"})
    EXPECT_EQ(run_cli({"audit", "--db", db_, "--patient", patient, "--limit", bad}).exit_code, 2) << bad;
  EXPECT_EQ(run_cli({"audit", "--db", db_, "--patient", patient, "--after", "-1"}).exit_code, 2);

  auto tokens = run_cli({"token", "list", "--db", db_, "--limit", "2"});
  ASSERT_EQ(tokens.exit_code, 0) << tokens.err;
  EXPECT_EQ(std::count(tokens.out.begin(), tokens.out.end(), '\n'), 3) << tokens.out;  // header + 2
  EXPECT_NE(tokens.err.find("--after tk_"), std::string::npos) << tokens.err;
  auto other = run_cli({"token", "list", "--db", db_, "--tenant", "other-tenant"});
  ASSERT_EQ(other.exit_code, 0) << other.err;
  EXPECT_EQ(std::count(other.out.begin(), other.out.end(), '\n'), 2) << other.out;  // header + Eve's
}

TEST_F(chat_server_test, audit_rows_cannot_be_changed_or_deleted) {
  ASSERT_EQ(send_inbound("x").status, 200u);
  server_->stop();
  // The CLI has no way to alter rows; the table itself refuses UPDATE and DELETE (and on
  // PostgreSQL TRUNCATE), tried the way an operator would: with the database's own client.
  const std::string db = db_;
  if (database_.postgres()) {
    EXPECT_FALSE(database_.schema().try_exec("DELETE FROM audit_log"));
    EXPECT_FALSE(database_.schema().try_exec("UPDATE audit_log SET outcome = 'ok'"));
    EXPECT_FALSE(database_.schema().try_exec("TRUNCATE audit_log"));
  } else {
    ASSERT_EQ(std::system("command -v sqlite3 >/dev/null 2>&1"), 0) << "the sqlite3 CLI is missing (install-deps has it)";
    EXPECT_NE(std::system(("sqlite3 '" + db + "' 'DELETE FROM audit_log;' 2>/dev/null").c_str()), 0);
    EXPECT_NE(std::system(("sqlite3 '" + db + "' \"UPDATE audit_log SET outcome='ok';\" 2>/dev/null").c_str()), 0);
  }
  auto out = run_cli({"audit", "--db", db, "--patient", patient});
  EXPECT_EQ(parse_audit(out.out).size(), 1u);
}

}  // namespace
}  // namespace carechat::testing
