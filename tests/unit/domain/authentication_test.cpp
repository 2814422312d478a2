#include "domain/authentication.hpp"

#include <gtest/gtest.h>

#include <set>

namespace carechat::domain {
namespace {

principal spec(role r) {
  principal p;
  p.role = r;
  p.tenant = "gh";
  p.instance = "sb-demo";
  if (r == role::patient) p.patient_id = "p-1";
  if (r == role::user) {
    p.user_id = "u-1";
    p.display_name = "Root Root";
  }
  return p;
}

TEST(issue_token, secrets_are_long_random_and_only_their_hash_is_kept) {
  core::openssl_random rng;
  core::manual_clock clk{42};
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    auto t = issue_token(spec(role::client), rng, clk);
    ASSERT_TRUE(t);
    EXPECT_EQ(t->secret.rfind("cc_", 0), 0u);
    EXPECT_GE(t->secret.size(), 3u + 43u);  // 256 bits in base64url
    EXPECT_EQ(t->record.hash, hash_token(t->secret));
    EXPECT_EQ(t->record.id, t->record.who.token_id);
    EXPECT_EQ(t->record.created_at, 42);
    EXPECT_TRUE(seen.insert(t->secret).second);
  }
}

TEST(issue_token, role_requirements) {
  core::openssl_random rng;
  core::manual_clock clk{0};
  auto no_patient = spec(role::patient);
  no_patient.patient_id.clear();
  EXPECT_FALSE(issue_token(no_patient, rng, clk));
  auto no_name = spec(role::user);
  no_name.display_name.clear();
  EXPECT_FALSE(issue_token(no_name, rng, clk));
  auto no_user = spec(role::user);
  no_user.user_id.clear();
  EXPECT_FALSE(issue_token(no_user, rng, clk));
  auto client_with_patient = spec(role::client);
  client_with_patient.patient_id = "p-1";
  EXPECT_FALSE(issue_token(client_with_patient, rng, clk));
  auto bad_tenant = spec(role::client);
  bad_tenant.tenant = "a/b";
  EXPECT_FALSE(issue_token(bad_tenant, rng, clk));
  EXPECT_TRUE(issue_token(spec(role::patient), rng, clk));
  EXPECT_TRUE(issue_token(spec(role::user), rng, clk));
}

}  // namespace
}  // namespace carechat::domain
