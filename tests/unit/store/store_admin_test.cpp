// Contract: the administration calls (tokens, audit query, server secrets).
#include <algorithm>

#include "domain/authentication.hpp"
#include "domain/smart_launch.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

// Deterministic bytes, so a test can tell which fill() produced a secret.
class counting_random final : public core::random_source {
 public:
  void fill(std::span<std::uint8_t> out) override {
    ++calls;
    for (auto& b : out) b = next++;
  }
  int calls = 0;
  std::uint8_t next = 1;
};

class store_admin : public store_contract {
 protected:
  domain::token_record issue(const domain::principal& who) { return issue_with_secret(who).record; }

  domain::issued_token issue_with_secret(const domain::principal& who) {
    auto t = domain::issue_token(who, rng_, clock_);
    EXPECT_TRUE(t.has_value());
    clock_.advance(10);
    return std::move(t).value();
  }
};

TEST_P(store_admin, tokens_insert_lookup_list_revoke) {
  const auto staff_issued = issue_with_secret(staff());
  const auto patient_issued = issue_with_secret(patient());
  auto staff_token = staff_issued.record;
  auto patient_token = patient_issued.record;
  domain::principal client;
  client.role = domain::role::client;
  client.tenant = "gh";
  client.instance = "sb-demo";
  auto client_token = issue(client);
  for (const auto* t : {&patient_token, &client_token, &staff_token}) ASSERT_TRUE(store_->insert_token(*t).has_value());

  auto found = reader_->token_by_hash(staff_token.hash);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  const auto& rec = **found;
  EXPECT_EQ(rec.id, staff_token.id);
  EXPECT_EQ(rec.hash, staff_token.hash);
  EXPECT_EQ(rec.who.token_id, staff_token.id);
  EXPECT_EQ(rec.who.role, domain::role::user);
  EXPECT_EQ(rec.who.tenant, "gh");
  EXPECT_EQ(rec.who.instance, "sb-demo");
  EXPECT_EQ(rec.who.user_id, "u1");
  EXPECT_EQ(rec.who.display_name, "Dana Scully");
  EXPECT_TRUE(rec.who.patient_id.empty());
  EXPECT_EQ(rec.created_at, staff_token.created_at);
  EXPECT_FALSE(rec.revoked_at.has_value());

  auto p = reader_->token_by_hash(patient_token.hash);
  EXPECT_EQ(p.value()->who.patient_id, "p1");
  EXPECT_EQ(p.value()->who.role, domain::role::patient);
  EXPECT_FALSE(reader_->token_by_hash(core::sha256("not a token")).value().has_value());

  // Listed by creation time, whatever the insertion order.
  auto listed = store_->list_tokens();
  ASSERT_TRUE(listed.has_value());
  ASSERT_EQ(listed->size(), 3u);
  EXPECT_EQ((*listed)[0].id, staff_token.id);
  EXPECT_EQ((*listed)[1].id, patient_token.id);
  EXPECT_EQ((*listed)[2].id, client_token.id);
  EXPECT_EQ((*listed)[2].who.role, domain::role::client);

  const auto revoked_at = clock_.now_ms();
  const auto revocations_before = reader_->token_revocations().value();
  EXPECT_TRUE(store_->revoke_token(patient_token.id, revoked_at).value());
  EXPECT_EQ(reader_->token_revocations().value(), revocations_before + 1);  // token caches poll this
  EXPECT_TRUE(store_->revoke_token(patient_token.id, revoked_at + 999).value());  // again: still true
  EXPECT_FALSE(store_->revoke_token("tk_missing", revoked_at).value());
  EXPECT_EQ(reader_->token_revocations().value(), revocations_before + 1);  // only first revocations count
  auto after = reader_->token_by_hash(patient_token.hash);
  ASSERT_TRUE(after.value().has_value());
  EXPECT_EQ(after.value()->revoked_at, revoked_at);  // the first revocation's instant is kept

  // authenticate() over this store: a live token resolves, a revoked one no longer does.
  auto who = domain::authenticate(*reader_, staff_issued.secret, 0);
  ASSERT_TRUE(who.has_value());
  EXPECT_EQ(who->user_id, "u1");
  auto gone = domain::authenticate(*reader_, patient_issued.secret, 0);
  ASSERT_FALSE(gone.has_value());
  EXPECT_EQ(gone.error().code, core::errc::unauthorized);
}

// A SMART session (domain/smart_launch): a staff token bound to one patient, with an idle expiry
// and its absolute end in client_id. Every field must come back, or the binding is lost.
TEST_P(store_admin, a_smart_session_token_keeps_its_patient_binding_and_absolute_end) {
  auto who = staff();
  who.patient_id = "pat-A";
  domain::smart_session_options opts;
  const core::unix_ms end = clock_.now_ms() + 8 * 3'600'000;
  auto issued = domain::issue_smart_session(who, end, opts, rng_, clock_);
  ASSERT_TRUE(issued.has_value()) << issued.error().message;
  ASSERT_TRUE(store_->insert_token(issued->record).has_value());
  auto found = reader_->token_by_hash(issued->record.hash);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  const auto& rec = **found;
  EXPECT_EQ(rec.who.role, domain::role::user);
  EXPECT_EQ(rec.who.user_id, "u1");
  EXPECT_EQ(rec.who.patient_id, "pat-A");
  EXPECT_EQ(rec.expires_at, issued->record.expires_at);
  EXPECT_EQ(domain::smart_session_end(rec), end);
  auto resolved = domain::authenticate(*reader_, issued->secret, clock_.now_ms());
  ASSERT_TRUE(resolved.has_value());
  EXPECT_TRUE(domain::is_bound_to_patient(*resolved));
  auto lapsed = domain::authenticate(*reader_, issued->secret, *issued->record.expires_at);
  EXPECT_FALSE(lapsed.has_value());
}

TEST_P(store_admin, duplicate_token_id_is_an_error) {
  auto t = issue(staff());
  ASSERT_TRUE(store_->insert_token(t).has_value());
  auto again = store_->insert_token(t);
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::errc::internal);
}

TEST_P(store_admin, secret_is_created_once_and_kept_across_restarts) {
  counting_random rng;
  reader_.reset();
  store_.reset();
  auto opened = backend_->open(clock_, rng);
  ASSERT_TRUE(opened.has_value());
  store_ = std::move(*opened);

  auto first = store_->secret("page-token-key", 32);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->size(), 32u);
  EXPECT_EQ((*first)[0], 1);  // drawn from the injected random source
  EXPECT_EQ(store_->secret("page-token-key", 32).value(), *first);
  auto other = store_->secret("other", 16);
  EXPECT_EQ(other->size(), 16u);
  EXPECT_NE(std::vector<std::uint8_t>(first->begin(), first->begin() + 16), *other);

  reopen();  // a restart with another random source
  EXPECT_EQ(store_->secret("page-token-key", 32).value(), *first);
  auto wrong_size = store_->secret("page-token-key", 16);
  ASSERT_FALSE(wrong_size.has_value());
  EXPECT_EQ(wrong_size.error().code, core::errc::internal);
}

TEST_P(store_admin, audit_for_patient_is_ordered_and_scoped) {
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(apply(domain::make_audit(patient(), chat(), domain::action::read, clock_)).has_value());
    ASSERT_TRUE(apply(domain::make_audit(patient("p2"), chat("p2"), domain::action::search, clock_)).has_value());
  }
  auto rows = store_->audit_for_patient("p1");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 3u);
  EXPECT_TRUE(std::is_sorted(rows->begin(), rows->end(), [](auto& a, auto& b) { return a.id < b.id; }));
  for (const auto& r : *rows) EXPECT_EQ(r.entry.chat.patient, "p1");
  EXPECT_TRUE(store_->audit_for_patient("nobody").value().empty());
}

// The audit log by patient answers the same whatever part of it the store has indexed (SQLite
// keeps that index after the fact, index_audit, and catches up when asked; PostgreSQL indexes as
// it writes, and answers 0): every row of the patient once, in id order, pages and the tenant
// filter included. (The scan of the rows the index does not cover: sqlite_store_test.)
TEST_P(store_admin, audit_for_patient_is_the_same_before_during_and_after_indexing) {
  for (int i = 0; i < 7; ++i) {
    ASSERT_TRUE(apply(domain::make_audit(patient(), chat(), domain::action::read, clock_)).has_value());
    ASSERT_TRUE(apply(domain::make_audit(patient("p2"), chat("p2"), domain::action::read, clock_)).has_value());
  }
  const auto walk = [&](const std::optional<std::string>& tenant) {
    std::vector<std::int64_t> ids;
    domain::audit_listing q;
    q.limit = 3;
    q.tenant = tenant;
    for (int guard = 0; guard < 20; ++guard) {
      auto page = store_->audit_for_patient("p1", q);
      EXPECT_TRUE(page.has_value()) << page.error().message;
      if (!page || page->empty()) break;
      for (const auto& r : *page) {
        EXPECT_EQ(r.entry.chat.patient, "p1");
        ids.push_back(r.id);
      }
      q.after = page->back().id;
    }
    return ids;
  };
  const auto everything = walk(std::nullopt);
  ASSERT_EQ(everything.size(), 7u);
  EXPECT_TRUE(std::is_sorted(everything.begin(), everything.end()));
  EXPECT_EQ(walk(chat().tenant), everything);
  EXPECT_TRUE(walk(std::string("another-tenant")).empty());
  // Part of the log indexed (5 of 14 rows on SQLite), then all of it.
  auto added = store_->index_audit(5);
  ASSERT_TRUE(added.has_value()) << added.error().message;
  EXPECT_EQ(walk(std::nullopt), everything);
  EXPECT_EQ(walk(chat().tenant), everything);
  while (store_->index_audit(5).value() > 0) {
  }
  EXPECT_EQ(walk(std::nullopt), everything);
  EXPECT_TRUE(walk(std::string("another-tenant")).empty());
}

// An audit row keeps the X-Request-Id of the request that wrote it, and none when there was none
// (the CLI), whether it was written alone or with a send in one batch.
TEST_P(store_admin, audit_rows_keep_their_request_id) {
  auto with_id = domain::make_audit(patient(), chat(), domain::action::read, clock_);
  with_id.request_id = "req-abc.1_Z";
  // One batch: on PostgreSQL one insert of arrays, a NULL among the ids.
  std::vector<domain::write_command> batch{with_id, domain::make_audit(patient(), chat(), domain::action::search, clock_)};
  const auto outcomes = store_->apply(batch);
  ASSERT_EQ(outcomes.size(), 2u);
  for (const auto& o : outcomes) ASSERT_TRUE(o.has_value());
  auto rows = store_->audit_for_patient("p1");
  ASSERT_TRUE(rows.has_value());
  ASSERT_EQ(rows->size(), 2u);
  EXPECT_EQ((*rows)[0].entry.request_id, std::optional<std::string>("req-abc.1_Z"));
  EXPECT_EQ((*rows)[1].entry.request_id, std::nullopt);
}

// Listings are pages (issue #16): at most `limit` rows after a cursor, of one tenant/instance
// when asked; walking the pages gives every row once, in order.
TEST_P(store_admin, listings_are_bounded_pages_that_walk_everything_once) {
  std::vector<std::string> ids;
  for (int i = 0; i < 7; ++i) {
    domain::principal who = i % 2 == 0 ? staff() : patient("p" + std::to_string(i));
    if (i == 6) who.instance = "other-instance";
    auto issued = domain::issue_token(who, rng_, clock_);
    ASSERT_TRUE(issued.has_value());
    ASSERT_TRUE(store_->insert_token(issued->record).has_value());
    ids.push_back(issued->record.id);
    clock_.advance(i % 3 == 0 ? 0 : 10);  // some share a creation instant: the id breaks the tie
  }
  std::vector<std::string> walked;
  domain::token_listing q;
  q.limit = 3;
  for (int guard = 0; guard < 10; ++guard) {
    auto page = store_->list_tokens(q);
    ASSERT_TRUE(page.has_value()) << page.error().message;
    ASSERT_LE(page->size(), 3u);
    for (const auto& t : *page) walked.push_back(t.id);
    if (page->size() < 3) break;
    q.after = page->back().id;
  }
  auto all = store_->list_tokens().value();
  ASSERT_EQ(walked.size(), all.size());
  for (std::size_t i = 0; i < all.size(); ++i) EXPECT_EQ(walked[i], all[i].id);
  domain::token_listing other;
  other.instance = "other-instance";
  auto only = store_->list_tokens(other).value();
  ASSERT_EQ(only.size(), 1u);
  EXPECT_EQ(only[0].id, ids[6]);

  for (int i = 0; i < 5; ++i)
    ASSERT_TRUE(apply(domain::make_audit(patient(), chat(), domain::action::read, clock_)).has_value());
  domain::audit_listing a;
  a.limit = 2;
  auto first = store_->audit_for_patient("p1", a).value();
  ASSERT_EQ(first.size(), 2u);
  a.after = first.back().id;
  auto second = store_->audit_for_patient("p1", a).value();
  ASSERT_EQ(second.size(), 2u);
  EXPECT_GT(second.front().id, first.back().id);
  a.after = 0;
  a.limit = 100;
  a.tenant = "another-tenant";
  EXPECT_TRUE(store_->audit_for_patient("p1", a).value().empty());
}

INSTANTIATE_TEST_SUITE_P(backends, store_admin, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
