// Contract: webhook endpoints (sealed secrets), the outbox queue (head-of-line per endpoint, retry
// schedule, opt-in event types), the attempt log and redelivery.
#include <set>
#include <thread>

#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using next = domain::webhook_result::next;

class store_webhooks : public store_contract {
 protected:
  domain::webhook_store& ws() { return *store_->webhooks(); }

  domain::webhook_endpoint endpoint(std::string tenant = "gh", std::string instance = "sb-demo") {
    domain::webhook_endpoint e;
    e.tenant = std::move(tenant);
    e.instance = std::move(instance);
    e.url = "https://hooks.example.com/in";
    e.api_key = "key-abcdefghijklmnop";
    e.api_secret = "secret-abcdefghijklmnop";
    e.signing_secret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    e.created_at = e.updated_at = clock_.now_ms();
    return e;
  }

  // Staff of gh/second answer their patient.
  domain::send_command other_instance_outbound(const std::string& text) {
    domain::principal who = staff();
    who.instance = "second";
    auto cmd = domain::prepare_send(who, chat_at("gh", "second", "q1"), domain::message_kind::outbound,
                                    {text, {}, {}, {}, {}}, limits_, rng_, clock_);
    EXPECT_TRUE(cmd.has_value());
    return std::move(cmd).value();
  }

  void configure(const domain::webhook_endpoint& e) {
    auto ok = ws().put_webhook_endpoint(e);
    ASSERT_TRUE(ok) << ok.error().message;
  }

  // What is due, claimed with a lease that ends at once (so the next claim sees the same heads, as
  // a single worker that records everything it claims would). The lease tests below use real ones.
  std::vector<domain::webhook_job> due(int limit = 100) { return claim("worker", std::chrono::milliseconds(0), limit); }

  std::vector<domain::webhook_job> claim(const std::string& owner, std::chrono::milliseconds lease, int limit = 100,
                                         domain::webhook_store* store = nullptr) {
    auto d = (store ? *store : ws()).claim_webhooks(owner, clock_.now_ms(), lease, limit);
    EXPECT_TRUE(d) << d.error().message;
    return d ? *d : std::vector<domain::webhook_job>{};
  }

  // Records an attempt under the job's claim; answers whether the claim still held.
  bool record(const domain::webhook_job& j, next what, core::unix_ms retry_at = 0, int status = 200) {
    domain::webhook_attempt a;
    a.outbox_id = j.outbox_id;
    a.at = clock_.now_ms();
    a.status = status;
    a.latency_ms = 12;
    a.outcome = what == next::delivered ? "delivered" : what == next::retry ? "retry" : "failed";
    auto ok = ws().record_webhook_attempt(a, j.lease_token, domain::webhook_result{what, retry_at}, "gone");
    EXPECT_TRUE(ok) << ok.error().message;
    return ok && *ok;
  }
};

TEST_P(store_webhooks, endpoint_round_trips_with_secrets_sealed_at_rest) {
  ASSERT_NE(store_->webhooks(), nullptr);
  auto none = ws().webhook_endpoint_of("gh", "sb-demo");
  ASSERT_TRUE(none);
  EXPECT_FALSE(*none);
  auto e = endpoint();
  e.previous_signing_secret = "whsec_c2Vjb25kLXNlY3JldC1rZXktYnl0ZXM=";
  e.event_types = {"message.outbound", "messages.read"};
  configure(e);
  reopen();  // a restart reads them back with the key kept in the database
  auto got = ws().webhook_endpoint_of("gh", "sb-demo");
  ASSERT_TRUE(got && *got);
  EXPECT_EQ((*got)->url, e.url);
  EXPECT_EQ((*got)->api_key, e.api_key);
  EXPECT_EQ((*got)->api_secret, e.api_secret);
  EXPECT_EQ((*got)->signing_secret, e.signing_secret);
  EXPECT_EQ((*got)->previous_signing_secret, e.previous_signing_secret);
  EXPECT_EQ((*got)->event_types, e.event_types);
  EXPECT_TRUE((*got)->enabled);
  // Not in the file in clear text.
  EXPECT_FALSE(backend_->file_contains(e.api_secret));
  EXPECT_FALSE(backend_->file_contains(e.signing_secret));
  EXPECT_FALSE(*ws().webhook_endpoint_of("gh", "other"));
}

TEST_P(store_webhooks, only_the_head_of_each_endpoint_queue_is_due_and_in_order) {
  configure(endpoint());
  configure(endpoint("gh", "second"));
  const auto a1 = send(outbound("one"));
  const auto a2 = send(outbound("two", "p2"));
  const auto b1 = send(other_instance_outbound("three"));
  auto jobs = due();
  ASSERT_EQ(jobs.size(), 2u);  // one per endpoint
  const auto first = jobs[0].instance == "sb-demo" ? jobs[0] : jobs[1];
  EXPECT_EQ(first.event_id, "evt_" + a1.external_id.substr(2));
  EXPECT_EQ(first.message_text, "one");
  EXPECT_EQ(first.patient, "p1");
  EXPECT_EQ(first.event_type, "message.outbound");
  EXPECT_EQ(first.attempts, 0);
  (void)b1;

  // A retry scheduled later blocks the endpoint's queue (head-of-line) until it is due.
  record(first, next::retry, clock_.now_ms() + 60'000, 500);
  jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].instance, "second");
  clock_.advance(60'000);
  jobs = due();
  ASSERT_EQ(jobs.size(), 2u);
  const auto again = jobs[0].instance == "sb-demo" ? jobs[0] : jobs[1];
  EXPECT_EQ(again.outbox_id, first.outbox_id);
  EXPECT_EQ(again.attempts, 1);
  record(again, next::delivered);
  jobs = due();
  const auto then = jobs[0].instance == "sb-demo" ? jobs[0] : jobs[1];
  EXPECT_EQ(then.event_id, "evt_" + a2.external_id.substr(2));
  EXPECT_EQ(then.patient, "p2");
}

TEST_P(store_webhooks, events_before_the_first_endpoint_are_not_a_backlog) {
  send(outbound("before any endpoint"));
  configure(endpoint());
  EXPECT_TRUE(due().empty());
  const auto m = send(outbound("after"));
  auto jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].message_text, "after");
  // Reconfiguring keeps what is pending.
  configure(endpoint());
  EXPECT_EQ(due().size(), 1u);
  (void)m;
}

TEST_P(store_webhooks, disabled_endpoints_get_nothing_until_set_again) {
  configure(endpoint());
  send(outbound("x"));
  auto done = ws().disable_webhook_endpoint("gh", "sb-demo", "by test", clock_.now_ms());
  ASSERT_TRUE(done && *done);
  EXPECT_TRUE(due().empty());
  auto e = ws().webhook_endpoint_of("gh", "sb-demo");
  EXPECT_FALSE((*e)->enabled);
  EXPECT_EQ((*e)->disabled_reason, "by test");
  configure(endpoint());
  EXPECT_EQ(due().size(), 1u);
  EXPECT_FALSE(*ws().disable_webhook_endpoint("gh", "nowhere", "x", 0));
}

TEST_P(store_webhooks, gone_disables_the_endpoint_and_keeps_the_event_pending) {
  configure(endpoint());
  send(outbound("x"));
  auto jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  record(jobs[0], next::endpoint_gone, 0, 410);
  auto e = ws().webhook_endpoint_of("gh", "sb-demo");
  EXPECT_FALSE((*e)->enabled);
  EXPECT_EQ((*e)->disabled_reason, "gone");
  EXPECT_TRUE(due().empty());
  auto counts = ws().webhook_outbox_counts("gh", "sb-demo");
  EXPECT_EQ(counts->pending, 1);
}

TEST_P(store_webhooks, failed_rows_are_kept_logged_and_can_be_redelivered) {
  configure(endpoint());
  const auto m = send(outbound("x"));
  auto jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  record(jobs[0], next::failed, 0, 503);
  EXPECT_TRUE(due().empty());
  auto counts = ws().webhook_outbox_counts("gh", "sb-demo");
  EXPECT_EQ(counts->failed, 1);
  auto log = ws().webhook_attempts("gh", "sb-demo", 10);
  ASSERT_TRUE(log);
  ASSERT_EQ(log->size(), 1u);
  EXPECT_EQ((*log)[0].status, 503);
  EXPECT_EQ((*log)[0].outcome, "failed");
  EXPECT_EQ((*log)[0].event_id, "evt_" + m.external_id.substr(2));
  EXPECT_TRUE(ws().webhook_attempts("gh", "other", 10)->empty());

  // By delivery id, and by event id.
  auto again = ws().redeliver_webhook("gh", "sb-demo", "dl_" + std::to_string((*log)[0].id), clock_.now_ms());
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(**again, (*log)[0].event_id);
  jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].attempts, 0);
  record(jobs[0], next::delivered);
  EXPECT_TRUE(due().empty());
  again = ws().redeliver_webhook("gh", "sb-demo", (*log)[0].event_id, clock_.now_ms());
  ASSERT_TRUE(again && *again);
  EXPECT_EQ(due().size(), 1u);
  // Another instance's event, or nonsense, is not found.
  EXPECT_FALSE(*ws().redeliver_webhook("gh", "other", (*log)[0].event_id, 0));
  EXPECT_FALSE(*ws().redeliver_webhook("gh", "sb-demo", "dl_999999", 0));
  EXPECT_FALSE(*ws().redeliver_webhook("gh", "sb-demo", "nonsense", 0));
}

TEST_P(store_webhooks, opt_in_event_types_are_queued_only_when_enabled) {
  configure(endpoint());
  send(inbound("patient writes"));
  EXPECT_TRUE(due().empty());  // message.inbound is off by default
  auto e = endpoint();
  e.event_types = {"message.outbound", "message.inbound", "messages.read", "chat.archived"};
  configure(e);
  const auto in = send(inbound("again"));
  auto jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event_type, "message.inbound");
  EXPECT_EQ(jobs[0].message_external_id, in.external_id);
  record(jobs[0], next::delivered);
  read_ok(mark_read(staff()));
  jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event_type, "messages.read");
  EXPECT_EQ(jobs[0].count, 2);
  EXPECT_EQ(jobs[0].up_to_external_id, in.external_id);
  EXPECT_EQ(jobs[0].direction, "inbound");  // the patient's messages, read by staff
  EXPECT_EQ(jobs[0].event_id.size(), 36u);
  record(jobs[0], next::delivered);
  const auto out = send(outbound("care team writes"));
  jobs = due();
  ASSERT_EQ(jobs.size(), 1u);  // the reference webhook of that send
  record(jobs[0], next::delivered);
  read_ok(mark_read(patient()));
  jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event_type, "messages.read");
  EXPECT_EQ(jobs[0].direction, "outbound");  // a read receipt: the patient read the care team's message
  EXPECT_EQ(jobs[0].up_to_external_id, out.external_id);
  record(jobs[0], next::delivered);
  auto archive = domain::prepare_archive(staff(), chat(), clock_.now_ms() + 1, clock_);
  ASSERT_TRUE(archive);
  ASSERT_TRUE(apply(*archive));
  jobs = due();
  ASSERT_EQ(jobs.size(), 1u);
  EXPECT_EQ(jobs[0].event_type, "chat.archived");
  EXPECT_EQ(jobs[0].count, 3);
  EXPECT_TRUE(jobs[0].direction.empty());
}

// A claim holds its row: no other owner gets it (nor the endpoint's later rows) until the lease
// expires; then another owner claims the same event (same id, attempts unchanged) and the first
// owner, back too late, cannot record over it.
TEST_P(store_webhooks, a_claim_is_a_lease_and_its_token_fences_a_late_owner) {
  configure(endpoint());
  const auto m1 = send(outbound("one"));
  send(outbound("two"));
  const auto held = claim("node-a", std::chrono::milliseconds(300));
  ASSERT_EQ(held.size(), 1u);
  EXPECT_EQ(held[0].event_id, "evt_" + m1.external_id.substr(2));
  EXPECT_NE(held[0].lease_token, 0);
  EXPECT_TRUE(claim("node-b", std::chrono::milliseconds(300)).empty())
      << "neither the held row nor the endpoint's next one is handed out";
  // The lease runs out (by the store's clock: real time where several processes share the
  // database, the given `now` otherwise).
  std::this_thread::sleep_for(std::chrono::milliseconds(400));
  clock_.advance(400);
  const auto taken = claim("node-b", std::chrono::milliseconds(30'000));
  ASSERT_EQ(taken.size(), 1u);
  EXPECT_EQ(taken[0].outbox_id, held[0].outbox_id);
  EXPECT_EQ(taken[0].event_id, held[0].event_id) << "the same webhook-id";
  EXPECT_EQ(taken[0].attempts, 0);
  EXPECT_NE(taken[0].lease_token, held[0].lease_token);
  EXPECT_FALSE(record(held[0], next::delivered)) << "node-a lost its lease: its result does not count";
  auto log = ws().webhook_attempts("gh", "sb-demo", 10);
  ASSERT_TRUE(log);
  EXPECT_TRUE(log->empty()) << "nothing recorded for the fenced owner";
  EXPECT_TRUE(record(taken[0], next::delivered));
  const auto next_row = claim("node-a", std::chrono::milliseconds(30'000));
  ASSERT_EQ(next_row.size(), 1u);
  EXPECT_NE(next_row[0].outbox_id, held[0].outbox_id);
}

// Several nodes claiming at the same moment: every due head goes to exactly one of them.
TEST_P(store_webhooks, racing_claims_hand_each_head_to_one_owner) {
  for (int i = 0; i < 12; ++i) {
    configure(endpoint("gh", "inst" + std::to_string(i)));
    domain::principal who = staff();
    who.instance = "inst" + std::to_string(i);
    auto cmd = domain::prepare_send(who, chat_at("gh", who.instance, "q"), domain::message_kind::outbound,
                                    {"hello", {}, {}, {}, {}}, limits_, rng_, clock_);
    ASSERT_TRUE(cmd.has_value());
    send(std::move(cmd).value());
  }
  std::vector<std::unique_ptr<domain::store>> nodes;
  for (int n = 0; n < 4; ++n) {
    auto s = backend_->open(clock_, rng_);
    ASSERT_TRUE(s.has_value()) << s.error().message;
    nodes.push_back(std::move(*s));
  }
  std::vector<std::vector<domain::webhook_job>> got(nodes.size());
  std::vector<std::thread> threads;
  for (std::size_t n = 0; n < nodes.size(); ++n)
    threads.emplace_back([&, n] {
      auto c = nodes[n]->webhooks()->claim_webhooks("node-" + std::to_string(n), clock_.now_ms(),
                                                    std::chrono::milliseconds(30'000), 5);
      EXPECT_TRUE(c) << c.error().message;
      if (c) got[n] = *c;
    });
  for (auto& t : threads) t.join();
  std::set<std::int64_t> ids;
  std::size_t total = 0;
  for (const auto& jobs : got) {
    total += jobs.size();
    for (const auto& j : jobs) ids.insert(j.outbox_id);
  }
  EXPECT_EQ(ids.size(), total) << "a head claimed by two nodes";
  // What nobody claimed yet (each asked for at most 5) is claimed by the next round.
  const auto rest = claim("node-x", std::chrono::milliseconds(30'000));
  EXPECT_EQ(total + rest.size(), 12u);
}

INSTANTIATE_TEST_SUITE_P(backends, store_webhooks, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
