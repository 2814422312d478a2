// Contract: the event log. Every change appends one event in the transaction of the change (none
// when nothing changed), events_after() replays them by scope and position, prune keeps the floor.
#include <algorithm>

#include "core/crypto.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using domain::event_type;
using positions = std::vector<std::int64_t>;

class store_events : public store_contract {
 protected:
  // The event a successful outcome carries (failing the test when there is none).
  static domain::chat_event event_in(const domain::write_outcome& out) {
    EXPECT_TRUE(out.has_value());
    if (!out) return {};
    const domain::chat_event* e = domain::event_of(*out);
    EXPECT_NE(e, nullptr);
    return e != nullptr ? *e : domain::chat_event{};
  }

  static bool has_event(const domain::write_outcome& out) { return out && domain::event_of(*out) != nullptr; }

  static positions positions_of(const std::vector<domain::chat_event>& es) {
    positions out;
    for (const auto& e : es) out.push_back(e.position);
    return out;
  }
};

TEST_P(store_events, sends_append_message_created_with_increasing_positions) {
  EXPECT_EQ(bounds().floor, 0);
  EXPECT_EQ(bounds().latest, 0);
  auto in = apply(inbound("hello"));
  clock_.advance(1000);
  auto out = apply(outbound("hi back"));
  const auto e1 = event_in(in);
  const auto e2 = event_in(out);
  const auto& m1 = std::get<domain::send_receipt>(in.value()).msg;
  EXPECT_GT(e1.position, 0);
  EXPECT_GT(e2.position, e1.position);
  EXPECT_EQ(e1.type, event_type::message_created);
  EXPECT_EQ(e1.chat, chat());
  EXPECT_EQ(e1.at, m1.created_at);
  ASSERT_TRUE(e1.msg.has_value());
  EXPECT_EQ(e1.msg->seq, m1.seq);
  EXPECT_EQ(e1.msg->external_id, m1.external_id);
  EXPECT_EQ(e1.msg->text, "hello");
  EXPECT_EQ(e2.at, start_ms + 1000);

  const auto logged = events(chat_scope());
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(positions_of(logged), (positions{e1.position, e2.position}));
  for (std::size_t i = 0; i < 2; ++i) {
    const auto& want = i == 0 ? e1 : e2;
    EXPECT_EQ(logged[i].type, event_type::message_created);
    EXPECT_EQ(logged[i].chat, chat());
    EXPECT_EQ(logged[i].at, want.at);
    ASSERT_TRUE(logged[i].msg.has_value());
    EXPECT_EQ(logged[i].msg->external_id, want.msg->external_id);
    EXPECT_EQ(logged[i].msg->kind, want.msg->kind);
    EXPECT_EQ(logged[i].msg->sender, want.msg->sender);
    EXPECT_EQ(logged[i].msg->receiver, want.msg->receiver);
    EXPECT_EQ(logged[i].msg->text, want.msg->text);
    EXPECT_FALSE(logged[i].reader.has_value());
    EXPECT_EQ(logged[i].count, 0);
    EXPECT_FALSE(logged[i].archive_before.has_value());
  }
  EXPECT_EQ(bounds().latest, e2.position);
  EXPECT_EQ(bounds().floor, 0);
}

TEST_P(store_events, an_idempotent_replay_appends_nothing) {
  auto keyed = inbound("once");
  keyed.idempotency = domain::idempotency_claim{keyed.audit.token_id, "k", core::sha256("r")};
  auto first = apply(keyed);
  EXPECT_TRUE(has_event(first));
  auto again = apply(keyed);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(std::get<domain::send_receipt>(*again).replayed);
  EXPECT_FALSE(has_event(again));
  EXPECT_EQ(events(chat_scope()).size(), 1u);
  EXPECT_EQ(bounds().latest, event_in(first).position);
}

TEST_P(store_events, archive_and_restore_append_only_when_something_changed) {
  auto nothing = apply(domain::prepare_archive(staff(), chat(), clock_.now_ms(), clock_).value());
  ASSERT_TRUE(nothing.has_value());
  EXPECT_FALSE(has_event(nothing));  // unknown chat
  const auto ms = send_all({"m0", "m1"});

  const auto before = ms[1].created_at;
  auto archived = apply(domain::prepare_archive(staff(), chat(), before, clock_).value());
  const auto ea = event_in(archived);
  EXPECT_EQ(ea.type, event_type::chat_archived);
  EXPECT_EQ(ea.chat, chat());
  EXPECT_EQ(ea.count, 1);
  EXPECT_EQ(ea.archive_before, before);
  EXPECT_EQ(ea.at, clock_.now_ms());
  EXPECT_FALSE(ea.msg.has_value());
  EXPECT_FALSE(has_event(apply(domain::prepare_archive(staff(), chat(), before, clock_).value())));

  clock_.advance(500);
  auto restored = apply(domain::prepare_restore(staff(), chat(), clock_).value());
  const auto er = event_in(restored);
  EXPECT_EQ(er.type, event_type::chat_restored);
  EXPECT_EQ(er.count, 1);
  EXPECT_FALSE(er.archive_before.has_value());
  EXPECT_EQ(er.at, clock_.now_ms());
  EXPECT_GT(er.position, ea.position);
  EXPECT_FALSE(has_event(apply(domain::prepare_restore(staff(), chat(), clock_).value())));

  const auto logged = events(chat_scope());
  ASSERT_EQ(logged.size(), 4u);
  EXPECT_EQ(logged[0].type, event_type::message_created);
  EXPECT_EQ(logged[1].type, event_type::message_created);
  EXPECT_EQ(logged[2].type, event_type::chat_archived);
  EXPECT_EQ(logged[2].count, 1);
  EXPECT_EQ(logged[2].archive_before, before);
  EXPECT_EQ(logged[2].at, ea.at);
  EXPECT_EQ(logged[3].type, event_type::chat_restored);
  EXPECT_EQ(logged[3].count, 1);
  EXPECT_EQ(positions_of(logged).back(), er.position);
}

TEST_P(store_events, mark_read_appends_messages_read) {
  const auto ms = send_all({"m0", "m1"});
  const auto r = read_ok(mark_read(staff()));
  ASSERT_TRUE(r.event.has_value());
  const auto& e = *r.event;
  EXPECT_EQ(e.type, event_type::messages_read);
  EXPECT_EQ(e.chat, chat());
  EXPECT_EQ(e.at, clock_.now_ms());
  EXPECT_EQ(e.reader, (domain::party{domain::client_type::user, "u1", "Dana Scully"}));
  EXPECT_EQ(e.read_kind, domain::message_kind::inbound);
  EXPECT_EQ(e.up_to_external_id, ms[1].external_id);
  EXPECT_EQ(e.count, 2);

  const auto logged = events(chat_scope());
  ASSERT_EQ(logged.size(), 3u);
  const auto& l = logged[2];
  EXPECT_EQ(l.position, e.position);
  EXPECT_EQ(l.type, event_type::messages_read);
  EXPECT_EQ(l.reader, e.reader);
  EXPECT_EQ(l.read_kind, domain::message_kind::inbound);
  EXPECT_EQ(l.up_to_external_id, ms[1].external_id);
  EXPECT_EQ(l.count, 2);
  EXPECT_EQ(l.at, e.at);
  EXPECT_FALSE(l.msg.has_value());

  // The patient's receipt: reader without a name, the other direction.
  send(outbound("reply"));
  const auto pr = read_ok(mark_read(patient()));
  ASSERT_TRUE(pr.event.has_value());
  const auto back = events(chat_scope(), pr.event->position - 1);
  ASSERT_EQ(back.size(), 1u);
  EXPECT_EQ(back[0].reader, (domain::party{domain::client_type::patient, "p1", std::nullopt}));
  EXPECT_EQ(back[0].read_kind, domain::message_kind::outbound);
  EXPECT_EQ(back[0].count, 1);

  // Nothing left to read: ok, but no event.
  const auto again = read_ok(mark_read(staff()));
  EXPECT_EQ(again.marked, 0);
  EXPECT_FALSE(again.event.has_value());
  EXPECT_EQ(events(chat_scope()).size(), 5u);
}

TEST_P(store_events, failed_commands_append_nothing) {
  auto keyed = inbound("first");
  keyed.idempotency = domain::idempotency_claim{keyed.audit.token_id, "k", core::sha256("a")};
  send(keyed);
  auto conflicting = inbound("second");
  conflicting.idempotency = domain::idempotency_claim{keyed.audit.token_id, "k", core::sha256("b")};
  EXPECT_FALSE(apply(conflicting).has_value());
  const auto outbound_msg = send(outbound("staff"));
  EXPECT_FALSE(apply(mark_read(staff(), "p1", outbound_msg.external_id)).has_value());
  const auto logged = events(chat_scope());
  ASSERT_EQ(logged.size(), 2u);
  EXPECT_EQ(bounds().latest, logged[1].position);
  // The next event follows on directly: the failed commands used up no position.
  const auto next = event_in(apply(inbound("third")));
  EXPECT_EQ(next.position, logged[1].position + 1);
}

TEST_P(store_events, scopes_separate_chats_instances_and_tenants) {
  const auto a = event_in(apply(inbound("p1 a")));
  const auto b = event_in(apply(inbound("p2", "p2")));
  const auto other_instance = event_in(apply(inbound_to(chat_at("gh", "other", "p1"), "elsewhere")));
  const auto other_tenant = event_in(apply(inbound_to(chat_at("acme", "sb-demo", "p1"), "elsewhere")));
  const auto c = event_in(apply(outbound("p1 c")));
  EXPECT_LT(a.position, b.position);
  EXPECT_LT(other_tenant.position, c.position);

  EXPECT_EQ(positions_of(events(chat_scope("p1"))), (positions{a.position, c.position}));
  EXPECT_EQ(positions_of(events(chat_scope("p2"))), (positions{b.position}));
  EXPECT_TRUE(events(chat_scope("nobody")).empty());
  const auto all = events(instance_scope());
  EXPECT_EQ(positions_of(all), (positions{a.position, b.position, c.position}));
  ASSERT_EQ(all.size(), 3u);
  EXPECT_EQ(all[1].chat, chat("p2"));
  EXPECT_EQ(all[1].msg->text, "p2");
  EXPECT_EQ(positions_of(events({"gh", "other", std::nullopt})), (positions{other_instance.position}));
  EXPECT_EQ(positions_of(events({"acme", "sb-demo", "p1"})), (positions{other_tenant.position}));
  EXPECT_TRUE(events({"acme", "other", std::nullopt}).empty());
  for (const auto& e : all) EXPECT_TRUE(instance_scope().contains(e.chat));
}

TEST_P(store_events, events_after_walks_by_position_with_a_limit) {
  positions all;
  for (int i = 0; i < 5; ++i)
    all.push_back(event_in(apply(inbound("m" + std::to_string(i), i % 2 ? "p2" : "p1"))).position);
  const auto scope = instance_scope();
  EXPECT_EQ(positions_of(events(scope, 0, 2)), (positions{all[0], all[1]}));
  EXPECT_EQ(positions_of(events(scope, all[1], 2)), (positions{all[2], all[3]}));
  EXPECT_EQ(positions_of(events(scope, all[3], 2)), (positions{all[4]}));
  EXPECT_TRUE(events(scope, all[4], 2).empty());
  EXPECT_TRUE(events(scope, 0, 0).empty());
  EXPECT_TRUE(events(scope, 0, -1).empty());
  EXPECT_TRUE(events(chat_scope("p1"), 0, -1).empty());
  // A chat scope skips the other chat's positions.
  EXPECT_EQ(positions_of(events(chat_scope("p1"), 0, 2)), (positions{all[0], all[2]}));
  EXPECT_EQ(positions_of(events(chat_scope("p1"), all[0], 5)), (positions{all[2], all[4]}));
  EXPECT_EQ(positions_of(events(chat_scope("p2"), all[1], 5)), (positions{all[3]}));
}

TEST_P(store_events, message_created_shows_the_messages_current_state) {
  const auto m = send(inbound("read me"));
  read_ok(mark_read(staff()));
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), clock_.now_ms(), clock_).value()).has_value());
  const auto logged = events(chat_scope());
  ASSERT_EQ(logged.size(), 3u);
  ASSERT_TRUE(logged[0].msg.has_value());
  EXPECT_EQ(logged[0].msg->seq, m.seq);
  EXPECT_TRUE(logged[0].msg->archived);
  EXPECT_EQ(logged[0].msg->read_at, start_ms + 1000);
  EXPECT_EQ(logged[0].msg->read_by, (domain::party{domain::client_type::user, "u1", "Dana Scully"}));
}

TEST_P(store_events, prune_raises_the_floor_and_positions_are_never_reused) {
  const auto e0 = event_in(apply(inbound("t0")));  // at start_ms
  clock_.advance(1000);
  const auto e1 = event_in(apply(inbound("t1")));  // start + 1000
  clock_.advance(1000);
  const auto e2 = event_in(apply(inbound("t2")));  // start + 2000
  const auto audit_rows = store_->audit_for_patient("p1").value().size();

  auto pruned = apply(domain::prune_events_command{start_ms + 1500});
  ASSERT_TRUE(pruned.has_value());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*pruned));
  EXPECT_EQ(bounds().floor, e1.position);
  EXPECT_EQ(bounds().latest, e2.position);
  EXPECT_EQ(positions_of(events(chat_scope())), (positions{e2.position}));
  EXPECT_EQ(positions_of(events(instance_scope(), e0.position)), (positions{e2.position}));
  EXPECT_EQ(store_->audit_for_patient("p1").value().size(), audit_rows);  // housekeeping is not audited

  // An older cut-off removes nothing and never lowers the floor.
  ASSERT_TRUE(apply(domain::prune_events_command{start_ms}).has_value());
  EXPECT_EQ(bounds().floor, e1.position);

  // Everything pruned: the bounds still know the latest position, also after a restart.
  ASSERT_TRUE(apply(domain::prune_events_command{start_ms + 1'000'000}).has_value());
  EXPECT_TRUE(events(instance_scope()).empty());
  EXPECT_EQ(bounds().floor, e2.position);
  EXPECT_EQ(bounds().latest, e2.position);
  reopen();
  EXPECT_EQ(bounds().floor, e2.position);
  EXPECT_EQ(bounds().latest, e2.position);
  const auto e3 = event_in(apply(inbound("after")));
  EXPECT_GT(e3.position, e2.position);
  EXPECT_EQ(positions_of(events(chat_scope())), (positions{e3.position}));
  ASSERT_TRUE(apply(domain::prune_events_command{0}).has_value());
  EXPECT_EQ(bounds().floor, e2.position);
  EXPECT_EQ(bounds().latest, e3.position);
}

// Positions follow commits, `at` follows the clock, which may step back: the floor is the highest
// position ever pruned, so a client below it knows it may have missed something.
TEST_P(store_events, the_floor_follows_positions_even_when_the_clock_stepped_back) {
  clock_.set(start_ms + 5000);
  const auto late = event_in(apply(inbound("stamped later")));
  clock_.set(start_ms + 1000);
  // A read is stamped by the clock as it is (a message would not be: never before its chat's newest).
  const auto early = event_in(apply(mark_read(staff())));
  ASSERT_LT(late.position, early.position);
  ASSERT_EQ(early.at, start_ms + 1000);

  ASSERT_TRUE(apply(domain::prune_events_command{start_ms + 2000}).has_value());
  EXPECT_EQ(bounds().floor, early.position);
  EXPECT_EQ(positions_of(events(chat_scope())), (positions{late.position}));
  ASSERT_TRUE(apply(domain::prune_events_command{start_ms + 6000}).has_value());  // prunes the lower position
  EXPECT_EQ(bounds().floor, early.position);
  EXPECT_TRUE(events(chat_scope()).empty());
}

TEST_P(store_events, events_in_one_batch_follow_the_batch_order) {
  std::vector<domain::write_command> batch{inbound("a"), outbound("b"), inbound("c", "p2"), mark_read(staff())};
  auto out = store_->apply(batch);
  ASSERT_EQ(out.size(), 4u);
  positions got;
  for (const auto& o : out) got.push_back(event_in(o).position);
  EXPECT_TRUE(std::is_sorted(got.begin(), got.end()));
  EXPECT_EQ(positions_of(events(instance_scope())), got);
  EXPECT_EQ(std::get<domain::read_receipt>(*out[3]).marked, 1);  // "a", written earlier in the batch
}

INSTANTIATE_TEST_SUITE_P(backends, store_events, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
