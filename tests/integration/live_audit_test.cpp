// The audit trail of the new routes: a subscription is audited (subscribe for a chat,
// subscribe_instance with patient "*" for an instance), refusals included, and so is mark-read.
#include <thread>
#include <tuple>

#include "integration/live_fixture.hpp"

namespace carechat::testing {
namespace {

struct audit_row {
  std::string time, token, role, actor, action, tenant, instance, patient, outcome;
};

std::vector<audit_row> audit_rows(const std::string& db, const std::string& p) {
  auto out = run_cli({"audit", "--db", db, "--patient", p});
  EXPECT_EQ(out.exit_code, 0) << out.err;
  std::vector<audit_row> rows;
  std::istringstream lines(out.out);
  std::string line;
  std::getline(lines, line);  // header
  while (std::getline(lines, line)) {
    std::vector<std::string> c;
    std::istringstream fields(line);
    std::string f;
    while (std::getline(fields, f, '\t')) c.push_back(f);
    EXPECT_EQ(c.size(), 10u) << line;  // ... outcome, request_id
    if (c.size() == 10) rows.push_back({c[0], c[1], c[2], c[3], c[4], c[5], c[6], c[7], c[8]});
  }
  return rows;
}

using row_key = std::tuple<std::string, std::string, std::string, std::string>;  // role, actor, action, outcome

std::multiset<row_key> keys_of(const std::vector<audit_row>& rows, const std::set<std::string>& actions) {
  std::multiset<row_key> out;
  for (const auto& r : rows)
    if (actions.count(r.action)) out.emplace(r.role, r.actor, r.action, r.outcome);
  return out;
}

// Reads are audited through the writer queue: poll until `want` rows of `actions` are there.
std::vector<audit_row> wait_for_rows(const std::string& db, const std::string& p,
                                     const std::set<std::string>& actions, std::size_t want) {
  std::vector<audit_row> rows;
  for (int attempt = 0; attempt < 50; ++attempt) {
    rows = audit_rows(db, p);
    if (keys_of(rows, actions).size() >= want) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return rows;
}

TEST_F(live_test, subscriptions_and_mark_read_are_audited) {
  {
    auto as_patient = subscribe_live(events_path(), patient_);
    auto as_user = subscribe_live(events_path() + after(0), user_);
    auto instance_wide = subscribe_live(instance_events_path(), client_);
    ws_client refused(server_->port());
    EXPECT_EQ(refused.connect(events_path(), other_patient_).status, 403u);
    ws_client refused_instance(server_->port());
    EXPECT_EQ(refused_instance.connect(instance_events_path(), patient_).status, 403u);
    ws_client bad_after(server_->port());
    EXPECT_EQ(bad_after.connect(events_path() + "?after=x", user_).status, 400u);
    ws_client anonymous(server_->port());
    EXPECT_EQ(anonymous.connect(events_path(), "cc_unknown").status, 401u);  // no identity: no row
  }
  send_in("hello", patient_);
  ASSERT_EQ(mark_read(user_).status, 200u);
  ASSERT_EQ(mark_read(patient_).status, 200u);                     // ok, nothing to mark
  ASSERT_EQ(mark_read(user_, R"({"upTo":"nope"})").status, 400u);  // refused: still audited
  ASSERT_EQ(mark_read(other_patient_, {}, patient).status, 403u);  // forbidden: still audited

  const std::set<std::string> actions{"subscribe", "subscribe_instance", "mark_read"};
  auto rows = wait_for_rows(db_, patient, actions, 8);
  const std::multiset<row_key> want{
      {"patient", patient, "subscribe", "ok"},
      {"user", "u-1", "subscribe", "ok"},
      {"patient", other_patient, "subscribe", "forbidden"},
      {"user", "u-1", "subscribe", "bad_request"},
      {"user", "u-1", "mark_read", "ok"},
      {"patient", patient, "mark_read", "ok"},
      {"user", "u-1", "mark_read", "bad_request"},
      {"patient", other_patient, "mark_read", "forbidden"},
  };
  EXPECT_EQ(keys_of(rows, actions), want);
  for (const auto& r : rows) {
    EXPECT_EQ(r.tenant, tenant);
    EXPECT_EQ(r.instance, instance);
    EXPECT_EQ(r.patient, patient);
    EXPECT_EQ(r.token.rfind("tk_", 0), 0u) << r.token;
  }

  // Instance-wide subscriptions name every patient: "*". A client's actor is its token id.
  auto star = wait_for_rows(db_, "*", {"subscribe_instance"}, 2);
  std::multiset<std::tuple<std::string, std::string, std::string>> got;
  for (const auto& r : star) {
    got.emplace(r.role, r.action, r.outcome);
    EXPECT_EQ(r.patient, "*");
    EXPECT_EQ(r.tenant, tenant);
    EXPECT_EQ(r.instance, instance);
    if (r.role == "client") {
      EXPECT_EQ(r.actor, r.token);
    }
    if (r.role == "patient") {
      EXPECT_EQ(r.actor, patient);
    }
  }
  EXPECT_EQ(got, (std::multiset<std::tuple<std::string, std::string, std::string>>{
                     {"client", "subscribe_instance", "ok"}, {"patient", "subscribe_instance", "forbidden"}}));
}

}  // namespace
}  // namespace carechat::testing
