// Shared fixture: a fresh database, tokens for every role minted through the real CLI, and a
// running server. Thread-safety: one per test.
#pragma once

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <boost/json.hpp>
#include <chrono>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "integration/server_process.hpp"
#include "integration/test_database.hpp"

namespace carechat::testing {

inline const std::string tenant = "gh";
inline const std::string instance = "sb-demo";
inline const std::string patient = "7272b601-bb09-4abf-87c0-ade48ddfaea0";
inline const std::string other_patient = "p-other";

inline std::string chat_path(const std::string& p = patient, const std::string& t = tenant,
                             const std::string& i = instance) {
  return "/" + t + "/" + i + "/patient/" + p + "/chat";
}

inline std::string mint(const std::string& db, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"token", "create", "--db", db};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run_cli(full);
  if (r.exit_code != 0) throw std::runtime_error("token create failed: " + r.err);
  std::string t = r.out;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

inline boost::json::value json_of(const http_result& r) { return boost::json::parse(r.body); }

inline std::string str(const boost::json::value& v) { return std::string(v.as_string()); }
inline std::string message_text(const boost::json::object& message) { return str(message.at("message")); }

// The one error shape: {"error":{"code":"...","message":"..."}} and nothing else, as JSON.
inline void expect_error(const http_result& r, unsigned status, const std::string& code) {
  EXPECT_EQ(r.status, status) << r.body;
  auto it = r.headers.find("content-type");
  EXPECT_TRUE(it != r.headers.end() && it->second.find("application/json") == 0) << "content-type";
  boost::json::error_code ec;
  auto v = boost::json::parse(r.body, ec);
  ASSERT_FALSE(ec) << "not JSON: " << r.body;
  ASSERT_TRUE(v.is_object()) << r.body;
  const auto& top = v.as_object();
  EXPECT_EQ(top.size(), 1u) << r.body;  // no "content", no "meta": nothing but the error
  ASSERT_TRUE(top.contains("error")) << r.body;
  ASSERT_TRUE(top.at("error").is_object()) << r.body;
  const auto& e = top.at("error").as_object();
  EXPECT_EQ(e.size(), 2u) << r.body;
  ASSERT_TRUE(e.contains("code") && e.at("code").is_string()) << r.body;
  ASSERT_TRUE(e.contains("message") && e.at("message").is_string()) << r.body;
  EXPECT_EQ(e.at("code").as_string(), code) << r.body;
  EXPECT_FALSE(e.at("message").as_string().empty()) << r.body;
}

// For load tests only (many sends a second from one token and one address): every abuse limit
// of the server off (CARECHAT_RATE_*=0). Functional tests keep the product's defaults.
inline std::map<std::string, std::string> rate_limits_off() {
  std::map<std::string, std::string> env;
  for (const char* name : {"SENDS_PER_TOKEN", "SENDS_PER_ADDRESS", "SEARCHES_PER_TOKEN", "SEARCHES_PER_ADDRESS",
                           "UPLOADS_PER_TOKEN", "UPLOADS_PER_ADDRESS", "LIVE_CONNECTS_PER_TOKEN",
                           "LIVE_CONNECTS_PER_ADDRESS", "AUTH_FAILURES_PER_ADDRESS"})
    env[std::string("CARECHAT_RATE_") + name] = "0";
  return env;
}

inline const std::regex external_id_re("^IM[0-9a-f]{32}$");
inline const std::regex created_at_re(R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$)");

class chat_server_test : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = database_.spec();
    user_ = mint(
        db_, {"--tenant", tenant, "--instance", instance, "--role", "user", "--user", "u-1", "--name", "Root Root"});
    patient_ = mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient", patient});
    other_patient_ =
        mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "patient", "--patient", other_patient});
    client_ = mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "client"});
    foreign_user_ = mint(db_, {"--tenant", "other-tenant", "--instance", instance, "--role", "user", "--user", "u-9",
                               "--name", "Eve Else"});
    start();
  }

  void start(std::map<std::string, std::string> env = {}) {
    server_ = std::make_unique<server_process>(db_, std::move(env));
    http_ = std::make_unique<http_client>(server_->port());
  }
  void restart(std::map<std::string, std::string> env = {}) {
    http_.reset();
    server_.reset();
    start(std::move(env));
  }

  http_result send_inbound(const std::string& text, const std::string& token = {}) {
    boost::json::object body{{"message", text}};
    return http_->post_json(chat_path() + "/inbound", token.empty() ? patient_ : token, boost::json::serialize(body));
  }
  http_result send_outbound(const std::string& text) {
    boost::json::object body{{"message", text}};
    return http_->post_json(chat_path() + "/outbound", user_, boost::json::serialize(body));
  }

  // GET with any token; the path is relative to the default chat unless it starts with '/'.
  http_result get(const std::string& target, const std::string& token) { return http_->get(target, token); }

  // Every message of a chat, newest first, walked with pageSize=200 and the next tokens; fails the
  // test on any non-200 page.
  std::vector<boost::json::object> all_messages(const std::string& token, bool include_archived = true,
                                                const std::string& path = chat_path()) {
    std::vector<boost::json::object> out;
    std::string target = path + "?pageSize=200" + (include_archived ? "&includeArchived=true" : "");
    for (int guard = 0; guard < 1000; ++guard) {
      auto r = http_->get(target, token);
      if (r.status != 200) {
        ADD_FAILURE() << "GET " << target << " -> " << r.status << " " << r.body;
        return out;
      }
      auto page = boost::json::parse(r.body).as_object();
      for (auto& m : page.at("content").as_array()) out.push_back(m.as_object());
      const auto& next = page.at("meta").at("nextPageToken");
      if (next.is_null()) return out;
      target = path + "?pageToken=" + url_encode(std::string(next.as_string()));
    }
    ADD_FAILURE() << "paging did not end";
    return out;
  }
  std::size_t count_messages() { return all_messages(user_).size(); }

  // The token id (tk_...) of the token `token list` shows for this user id.
  std::string token_id_of_user(const std::string& user_id) {
    auto r = run_cli({"token", "list", "--db", db_});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    std::istringstream lines(r.out);
    std::string line;
    while (std::getline(lines, line)) {
      std::vector<std::string> cols;
      std::istringstream fields(line);
      std::string col;
      while (std::getline(fields, col, '\t')) cols.push_back(col);
      if (cols.size() >= 6 && cols[5] == user_id) return cols[0];
    }
    ADD_FAILURE() << "no token for user " << user_id << " in:\n" << r.out;
    return {};
  }

  // SQL straight on the database, as an attacker, an auditor or a test moving a stored time would.
  void db_exec(const std::string& sql) {
    if (database_.postgres()) return database_.schema().exec(sql);
    sqlite3* db = nullptr;
    ASSERT_EQ(sqlite3_open_v2(db_.c_str(), &db, SQLITE_OPEN_READWRITE, nullptr), SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* err = nullptr;
    const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
    EXPECT_EQ(rc, SQLITE_OK) << (err ? err : "") << " in " << sql;
    sqlite3_free(err);
    sqlite3_close(db);
  }

  // `carechat audit --patient p` ("*": the instance-wide rows) rows whose action and outcome match, waiting for the queued ones.
  std::size_t audit_rows(const std::string& p, const std::string& action, const std::string& outcome,
                         std::size_t at_least) {
    std::size_t n = 0;
    for (int attempt = 0; attempt < 50; ++attempt) {
      auto out = run_cli({"audit", "--db", db_, "--patient", p});
      EXPECT_EQ(out.exit_code, 0) << out.err;
      n = 0;
      std::istringstream lines(out.out);
      std::string line;
      while (std::getline(lines, line))
        // The outcome column is followed by the request id (carechat audit's last column).
        if (line.find("\t" + action + "\t") != std::string::npos &&
            line.find("\t" + outcome + "\t") != std::string::npos)
          ++n;
      if (n >= at_least) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    return n;
  }

  temp_dir dir_;
  test_database database_{dir_.path()};
  std::string db_;  // what --db takes: database_.spec()
  std::string user_, patient_, other_patient_, client_, foreign_user_;
  std::unique_ptr<server_process> server_;
  std::unique_ptr<http_client> http_;
};

}  // namespace carechat::testing
