// OAuth clients in the domain: what a create accepts, the secret check, a client token's expiry;
// and the replay cache of client-assertion jtis.
#include "domain/oauth_client.hpp"

#include <gtest/gtest.h>

#include "domain/assertion_replay_cache.hpp"

namespace carechat::domain {
namespace {

TEST(oauth_client, create_mints_an_id_and_a_secret_stored_only_as_its_hash) {
  core::openssl_random rng;
  core::manual_clock clock(1000);
  auto c = create_client("gh", "sb-demo", "Lab feed", std::nullopt, rng, clock);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->record.id.substr(0, 3), "cl_");
  EXPECT_EQ(c->record.id.size(), 19u);
  EXPECT_EQ(c->secret.substr(0, 4), "ccs_");
  ASSERT_TRUE(c->record.secret_hash.has_value());
  EXPECT_EQ(*c->record.secret_hash, core::sha256(c->secret));
  EXPECT_TRUE(c->record.jwks.empty());
  EXPECT_EQ(c->record.created_at, 1000);
  EXPECT_TRUE(client_secret_matches(c->record, c->secret));
  EXPECT_FALSE(client_secret_matches(c->record, c->secret.substr(0, c->secret.size() - 1)));
  EXPECT_FALSE(client_secret_matches(c->record, ""));
  EXPECT_FALSE(client_secret_matches(c->record, std::string(10'000, 'a')));
  auto revoked = c->record;
  revoked.revoked_at = 2000;
  EXPECT_FALSE(client_secret_matches(revoked, c->secret));
}

TEST(oauth_client, a_key_client_has_no_secret_and_bad_input_is_refused) {
  core::openssl_random rng;
  core::manual_clock clock(0);
  auto k = create_client("gh", "sb-demo", "", std::string(R"({"keys":[]})"), rng, clock);
  ASSERT_TRUE(k.has_value());
  EXPECT_TRUE(k->secret.empty());
  EXPECT_FALSE(k->record.secret_hash.has_value());
  EXPECT_FALSE(client_secret_matches(k->record, ""));
  EXPECT_FALSE(create_client("g h", "sb-demo", "", std::nullopt, rng, clock).has_value());
  EXPECT_FALSE(create_client("gh", "", "", std::nullopt, rng, clock).has_value());
  EXPECT_FALSE(create_client("gh", "sb-demo", std::string(201, 'n'), std::nullopt, rng, clock).has_value());
  EXPECT_FALSE(create_client("gh", "sb-demo", "\xff", std::nullopt, rng, clock).has_value());
}

TEST(oauth_client, a_client_token_is_a_client_role_token_that_expires) {
  core::openssl_random rng;
  core::manual_clock clock(5000);
  auto c = create_client("gh", "sb-demo", "", std::nullopt, rng, clock);
  auto t = issue_client_token(c->record, std::chrono::seconds(3600), rng, clock);
  ASSERT_TRUE(t.has_value());
  EXPECT_EQ(t->record.who.role, role::client);
  EXPECT_EQ(t->record.who.tenant, "gh");
  EXPECT_EQ(t->record.who.instance, "sb-demo");
  EXPECT_EQ(t->record.client_id, c->record.id);
  EXPECT_EQ(t->record.expires_at, 5000 + 3'600'000);
  EXPECT_EQ(t->secret.substr(0, 3), "cc_");  // an ordinary API token
}

TEST(assertion_replay_cache, a_jti_is_accepted_once_until_it_expires) {
  assertion_replay_cache cache(100);
  using v = assertion_replay_cache::verdict;
  EXPECT_EQ(cache.remember("cl_1", "j1", 10'000, 0), v::fresh);
  EXPECT_EQ(cache.remember("cl_1", "j1", 10'000, 5'000), v::replayed);
  EXPECT_EQ(cache.remember("cl_2", "j1", 10'000, 5'000), v::fresh);  // per client
  EXPECT_EQ(cache.remember("cl_1", "j1", 20'000, 10'000), v::fresh);  // expired, forgotten
  EXPECT_EQ(cache.size(), 1u);
}

TEST(assertion_replay_cache, a_full_cache_refuses_rather_than_forgets) {
  assertion_replay_cache cache(2);
  using v = assertion_replay_cache::verdict;
  EXPECT_EQ(cache.remember("c", "a", 1000, 0), v::fresh);
  EXPECT_EQ(cache.remember("c", "b", 2000, 0), v::fresh);
  EXPECT_EQ(cache.remember("c", "c", 3000, 0), v::full);
  EXPECT_EQ(cache.remember("c", "a", 3000, 500), v::replayed);  // still remembered
  EXPECT_EQ(cache.remember("c", "c", 3000, 1000), v::fresh);    // "a" expired: room again
}

}  // namespace
}  // namespace carechat::domain
