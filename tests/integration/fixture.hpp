// Shared fixture: a fresh database, tokens for every role minted through the real CLI, and a
// running server. Thread-safety: one per test.
#pragma once

#include <gtest/gtest.h>

#include <boost/json.hpp>

#include <memory>
#include <string>

#include "integration/server_process.hpp"

namespace carechat::testing {

inline const std::string tenant = "gh";
inline const std::string instance = "sb-demo";
inline const std::string patient = "7272b601-bb09-4abf-87c0-ade48ddfaea0";
inline const std::string other_patient = "p-other";

inline std::string chat_path(const std::string& p = patient, const std::string& t = tenant,
                             const std::string& i = instance) {
  return "/" + t + "/" + i + "/patient/" + p + "/chat";
}

inline std::string mint(const std::filesystem::path& db, const std::vector<std::string>& args) {
  std::vector<std::string> full = {"token", "create", "--db", db.string()};
  full.insert(full.end(), args.begin(), args.end());
  auto r = run_cli(full);
  if (r.exit_code != 0) throw std::runtime_error("token create failed: " + r.err);
  std::string t = r.out;
  while (!t.empty() && (t.back() == '\n' || t.back() == '\r')) t.pop_back();
  return t;
}

inline boost::json::value json_of(const http_result& r) { return boost::json::parse(r.body); }

class chat_server_test : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = dir_.path() / "carechat.db";
    user_ = mint(db_, {"--tenant", tenant, "--instance", instance, "--role", "user", "--user", "u-1", "--name",
                       "Root Root"});
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

  temp_dir dir_;
  std::filesystem::path db_;
  std::string user_, patient_, other_patient_, client_, foreign_user_;
  std::unique_ptr<server_process> server_;
  std::unique_ptr<http_client> http_;
};

}  // namespace carechat::testing
