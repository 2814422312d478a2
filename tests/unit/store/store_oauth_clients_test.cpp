// Contract: OAuth clients (insert, lookup, list, revoke with their tokens) and tokens that expire,
// on every backend.
#include "domain/authentication.hpp"
#include "domain/oauth_client.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

class store_oauth_clients : public store_contract {
 protected:
  domain::issued_client create(std::optional<std::string> jwks = std::nullopt, const std::string& tenant = "gh") {
    auto c = domain::create_client(tenant, "sb-demo", "Lab feed", std::move(jwks), rng_, clock_);
    EXPECT_TRUE(c.has_value());
    clock_.advance(10);
    EXPECT_TRUE(store_->insert_oauth_client(c->record).has_value());
    return std::move(*c);
  }
};

TEST_P(store_oauth_clients, clients_round_trip_and_list_in_pages) {
  const auto secret_client = create();
  const auto key_client = create(std::string(R"({"keys":[]})"));
  const auto other = create(std::nullopt, "other");
  auto found = reader_->oauth_client(secret_client.record.id);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->tenant, "gh");
  EXPECT_EQ((*found)->instance, "sb-demo");
  EXPECT_EQ((*found)->name, "Lab feed");
  ASSERT_TRUE((*found)->secret_hash.has_value());
  EXPECT_EQ(*(*found)->secret_hash, *secret_client.record.secret_hash);
  EXPECT_TRUE((*found)->jwks.empty());
  EXPECT_TRUE(domain::client_secret_matches(**found, secret_client.secret));
  EXPECT_FALSE(domain::client_secret_matches(**found, secret_client.secret + "x"));

  auto keyed = reader_->oauth_client(key_client.record.id);
  ASSERT_TRUE(keyed.has_value() && keyed->has_value());
  EXPECT_FALSE((*keyed)->secret_hash.has_value());
  EXPECT_EQ((*keyed)->jwks, R"({"keys":[]})");
  EXPECT_FALSE(domain::client_secret_matches(**keyed, ""));

  auto none = reader_->oauth_client("cl_nosuch");
  ASSERT_TRUE(none.has_value());
  EXPECT_FALSE(none->has_value());

  auto all = store_->list_oauth_clients({});
  ASSERT_TRUE(all.has_value());
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].id, secret_client.record.id);  // creation order
  domain::token_listing gh_only{std::string("gh"), std::string("sb-demo"), std::nullopt, 1};
  auto page1 = store_->list_oauth_clients(gh_only);
  ASSERT_TRUE(page1.has_value());
  ASSERT_EQ(page1->size(), 1u);
  gh_only.after = page1->back().id;
  gh_only.limit = 10;
  auto page2 = store_->list_oauth_clients(gh_only);
  ASSERT_TRUE(page2.has_value());
  ASSERT_EQ(page2->size(), 1u);
  EXPECT_EQ(page2->front().id, key_client.record.id);
  (void)other;
}

TEST_P(store_oauth_clients, revoking_a_client_revokes_its_tokens_and_stops_new_ones) {
  const auto c = create();
  auto token = domain::issue_client_token(c.record, std::chrono::seconds(3600), rng_, clock_);
  ASSERT_TRUE(token.has_value());
  auto inserted = store_->insert_client_token(token->record);
  ASSERT_TRUE(inserted.has_value());
  EXPECT_TRUE(*inserted);
  // A CLI token of the same instance is not the client's: it survives.
  domain::principal cli;
  cli.role = domain::role::client;
  cli.tenant = "gh";
  cli.instance = "sb-demo";
  auto cli_token = domain::issue_token(cli, rng_, clock_);
  ASSERT_TRUE(store_->insert_token(cli_token->record).has_value());

  auto stored = reader_->token_by_hash(token->record.hash);
  ASSERT_TRUE(stored.has_value() && stored->has_value());
  EXPECT_EQ((*stored)->client_id, c.record.id);
  EXPECT_EQ((*stored)->expires_at, token->record.expires_at);
  EXPECT_TRUE(domain::authenticate(*reader_, token->secret, clock_.now_ms()).has_value());

  auto before = reader_->token_revocations();
  ASSERT_TRUE(before.has_value());
  auto revoked = store_->revoke_oauth_client(c.record.id, clock_.now_ms());
  ASSERT_TRUE(revoked.has_value());
  EXPECT_TRUE(*revoked);
  EXPECT_FALSE(domain::authenticate(*reader_, token->secret, clock_.now_ms()).has_value());
  EXPECT_TRUE(domain::authenticate(*reader_, cli_token->secret, clock_.now_ms()).has_value());
  auto after = reader_->token_revocations();
  ASSERT_TRUE(after.has_value());
  EXPECT_GT(*after, *before);  // the caches hear of it
  auto client = reader_->oauth_client(c.record.id);
  ASSERT_TRUE(client.has_value() && client->has_value());
  EXPECT_TRUE((*client)->revoked_at.has_value());

  // No new token for a revoked (or unknown) client.
  auto late = domain::issue_client_token(c.record, std::chrono::seconds(3600), rng_, clock_);
  auto late_inserted = store_->insert_client_token(late->record);
  ASSERT_TRUE(late_inserted.has_value());
  EXPECT_FALSE(*late_inserted);
  EXPECT_FALSE(reader_->token_by_hash(late->record.hash)->has_value());
  auto again = store_->revoke_oauth_client("cl_nosuch", clock_.now_ms());
  ASSERT_TRUE(again.has_value());
  EXPECT_FALSE(*again);
}

TEST_P(store_oauth_clients, a_client_token_expires) {
  const auto c = create();
  auto token = domain::issue_client_token(c.record, std::chrono::seconds(60), rng_, clock_);
  ASSERT_TRUE(store_->insert_client_token(token->record).has_value());
  const auto issued_at = token->record.created_at;
  EXPECT_TRUE(domain::authenticate(*reader_, token->secret, issued_at + 59'999).has_value());
  auto expired = domain::authenticate(*reader_, token->secret, issued_at + 60'000);
  ASSERT_FALSE(expired.has_value());
  EXPECT_EQ(expired.error().code, core::errc::unauthorized);
  EXPECT_NE(expired.error().message.find("expired"), std::string::npos);
  // Through the cache: cached while valid, never served past the expiry.
  domain::token_cache cache({std::chrono::milliseconds(3'600'000), 100});
  EXPECT_TRUE(domain::authenticate(*reader_, token->secret, cache, issued_at + 1).has_value());
  EXPECT_TRUE(domain::cached_principal(cache, token->secret, issued_at + 59'000).has_value());
  EXPECT_FALSE(domain::cached_principal(cache, token->secret, issued_at + 60'000).has_value());
  EXPECT_FALSE(domain::authenticate(*reader_, token->secret, cache, issued_at + 60'000).has_value());
}

INSTANTIATE_TEST_SUITE_P(backends, store_oauth_clients, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
