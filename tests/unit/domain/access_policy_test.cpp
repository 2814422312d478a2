#include "domain/access_policy.hpp"

#include <gtest/gtest.h>

namespace carechat::domain {
namespace {

principal make(role r, std::string patient = {}) {
  principal p;
  p.token_id = "tk_1";
  p.role = r;
  p.tenant = "gh";
  p.instance = "sb-demo";
  p.patient_id = std::move(patient);
  p.user_id = is_staff_member(r) ? "u-1" : "";
  return p;
}

const chat_key chat{"gh", "sb-demo", "p-1"};

struct rule {
  role who;
  action what;
  bool allowed;
};

class role_table : public ::testing::TestWithParam<rule> {};

TEST_P(role_table, matches_the_documented_rules) {
  const rule r = GetParam();
  const auto out = authorize(make(r.who, r.who == role::patient ? "p-1" : ""), chat, r.what);
  EXPECT_EQ(out.has_value(), r.allowed) << to_string(r.who) << " " << to_string(r.what);
  if (!out) {
    EXPECT_EQ(out.error().code, core::errc::forbidden);
  }
}

INSTANTIATE_TEST_SUITE_P(
    all, role_table,
    ::testing::Values(rule{role::patient, action::read, true}, rule{role::patient, action::search, true},
                      rule{role::patient, action::send_inbound, true}, rule{role::patient, action::send_outbound, false},
                      rule{role::patient, action::archive, false}, rule{role::patient, action::restore, false},
                      rule{role::user, action::read, true}, rule{role::user, action::search, true},
                      rule{role::user, action::send_inbound, false}, rule{role::user, action::send_outbound, true},
                      rule{role::user, action::archive, true}, rule{role::user, action::restore, true},
                      rule{role::client, action::read, true}, rule{role::client, action::search, true},
                      rule{role::client, action::send_inbound, true}, rule{role::client, action::send_outbound, true},
                      rule{role::client, action::archive, false}, rule{role::client, action::restore, false},
                      rule{role::admin, action::read, true}, rule{role::admin, action::search, true},
                      rule{role::admin, action::send_inbound, false}, rule{role::admin, action::send_outbound, true},
                      rule{role::admin, action::archive, true}, rule{role::admin, action::restore, true},
                      rule{role::admin, action::mark_read, true}, rule{role::admin, action::subscribe, true}));

TEST(access_policy, other_tenant_or_instance_is_forbidden_for_every_role_and_action) {
  for (role r : {role::patient, role::user, role::client, role::admin}) {
    for (action a : {action::read, action::search, action::send_inbound, action::send_outbound, action::archive,
                     action::restore}) {
      EXPECT_FALSE(authorize(make(r, "p-1"), chat_key{"other", "sb-demo", "p-1"}, a));
      EXPECT_FALSE(authorize(make(r, "p-1"), chat_key{"gh", "other", "p-1"}, a));
    }
  }
}

TEST(access_policy, patient_token_is_confined_to_its_own_chat) {
  for (action a : {action::read, action::search, action::send_inbound}) {
    EXPECT_TRUE(authorize(make(role::patient, "p-1"), chat, a));
    const auto other = authorize(make(role::patient, "p-2"), chat, a);
    ASSERT_FALSE(other);
    EXPECT_EQ(other.error().code, core::errc::forbidden);
  }
}

TEST(access_policy, only_an_admin_of_that_instance_configures_webhooks) {
  EXPECT_TRUE(authorize_instance(make(role::admin), "gh", "sb-demo", instance_action::configure_webhooks));
  for (role r : {role::patient, role::user, role::client}) {
    const auto out = authorize_instance(make(r, "p-1"), "gh", "sb-demo", instance_action::configure_webhooks);
    ASSERT_FALSE(out) << to_string(r);
    EXPECT_EQ(out.error().code, core::errc::forbidden);
  }
  EXPECT_FALSE(authorize_instance(make(role::admin), "gh", "other", instance_action::configure_webhooks));
  EXPECT_FALSE(authorize_instance(make(role::admin), "other", "sb-demo", instance_action::configure_webhooks));
  // An admin is staff for the instance-wide reads too.
  EXPECT_TRUE(authorize_instance(make(role::admin), "gh", "sb-demo", instance_action::list_unread));
}

TEST(access_policy, staff_and_clients_of_that_instance_bulk_export_it) {
  for (role r : {role::user, role::admin, role::client})
    EXPECT_TRUE(authorize_instance(make(r), "gh", "sb-demo", instance_action::bulk_export)) << to_string(r);
  const auto patient = authorize_instance(make(role::patient, "p-1"), "gh", "sb-demo", instance_action::bulk_export);
  ASSERT_FALSE(patient);
  EXPECT_EQ(patient.error().code, core::errc::forbidden);
  EXPECT_FALSE(authorize_instance(make(role::user), "gh", "other", instance_action::bulk_export));
  EXPECT_FALSE(authorize_instance(make(role::client), "other", "sb-demo", instance_action::bulk_export));
  EXPECT_EQ(to_string(instance_action::bulk_export), "bulk_export");
}

TEST(access_policy, admin_role_round_trips_as_text) {
  EXPECT_EQ(to_string(role::admin), "admin");
  EXPECT_EQ(role_from_string("admin"), role::admin);
}

}  // namespace
}  // namespace carechat::domain
