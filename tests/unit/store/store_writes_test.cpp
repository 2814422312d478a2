// Contract: apply() semantics — idempotency, per-command isolation inside a batch, the audit
// trail, the webhook outbox and durability across restarts.
#include <atomic>
#include <thread>

#include "core/crypto.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using domain::direction;
using strings = std::vector<std::string>;

class store_writes : public store_contract {
 protected:
  domain::send_command with_key(domain::send_command cmd, const std::string& key, std::string_view request) {
    cmd.idempotency = domain::idempotency_claim{cmd.audit.token_id, key, core::sha256(request)};
    return cmd;
  }

  std::vector<domain::audit_row> audit(const std::string& patient = "p1") {
    auto rows = store_->audit_for_patient(patient);
    EXPECT_TRUE(rows.has_value());
    return rows ? std::move(rows).value() : std::vector<domain::audit_row>{};
  }

  std::vector<outbox_row> outbox() { return backend_->outbox(); }

  static strings outcomes(const std::vector<domain::audit_row>& rows) {
    strings out;
    for (const auto& r : rows) out.push_back(r.entry.outcome);
    return out;
  }
};

TEST_P(store_writes, idempotent_retry_replays_the_first_message) {
  const auto first = send(with_key(inbound("only once"), "key-1", "request A"));
  auto retry = apply(with_key(inbound("only once"), "key-1", "request A"));
  ASSERT_TRUE(retry.has_value());
  const auto& receipt = std::get<domain::send_receipt>(*retry);
  EXPECT_TRUE(receipt.replayed);
  EXPECT_EQ(receipt.msg.seq, first.seq);
  EXPECT_EQ(receipt.msg.external_id, first.external_id);
  EXPECT_EQ(receipt.msg.created_at, first.created_at);
  EXPECT_EQ(receipt.msg.text, "only once");
  EXPECT_EQ(page({}, direction::older, 10).size(), 1u);
  EXPECT_EQ(outcomes(audit()), (strings{"ok", "replayed"}));
}

// Housekeeping forgets Idempotency-Keys claimed before its cutoff (24 h in the server): a retry
// after that is a new request. Keys claimed later still replay.
TEST_P(store_writes, pruned_idempotency_keys_no_longer_replay) {
  const auto old_first = send(with_key(inbound("old"), "key-old", "request A"));
  clock_.advance(10'000);
  const auto cutoff = clock_.now_ms();
  const auto new_first = send(with_key(inbound("new"), "key-new", "request B"));
  domain::prune_events_command prune;
  prune.older_than = 0;  // events: none
  prune.keys_older_than = cutoff;
  ASSERT_TRUE(apply(prune).has_value());
  auto old_retry = apply(with_key(inbound("old"), "key-old", "request A"));
  ASSERT_TRUE(old_retry.has_value());
  EXPECT_FALSE(std::get<domain::send_receipt>(*old_retry).replayed);
  EXPECT_NE(std::get<domain::send_receipt>(*old_retry).msg.external_id, old_first.external_id);
  auto new_retry = apply(with_key(inbound("new"), "key-new", "request B"));
  ASSERT_TRUE(new_retry.has_value());
  EXPECT_TRUE(std::get<domain::send_receipt>(*new_retry).replayed);
  EXPECT_EQ(std::get<domain::send_receipt>(*new_retry).msg.external_id, new_first.external_id);
}

TEST_P(store_writes, same_key_with_another_request_conflicts_and_changes_nothing) {
  send(with_key(inbound("first"), "key-1", "request A"));
  auto conflict = apply(with_key(inbound("second"), "key-1", "request B"));
  ASSERT_FALSE(conflict.has_value());
  EXPECT_EQ(conflict.error().code, core::errc::idempotency_conflict);
  EXPECT_EQ(conflict.error().message, "Idempotency-Key was already used with a different request");
  EXPECT_EQ(texts(page({}, direction::older, 10, true)), (strings{"first"}));
  EXPECT_EQ(outcomes(audit()), (strings{"ok", "idempotency_conflict"}));
  // The original claim is intact: its own retry still replays.
  auto retry = apply(with_key(inbound("first"), "key-1", "request A"));
  EXPECT_TRUE(std::get<domain::send_receipt>(retry.value()).replayed);
}

TEST_P(store_writes, keys_are_scoped_per_token) {
  auto a = with_key(inbound("from token a"), "shared-key", "A");
  auto b = with_key(outbound("from token b"), "shared-key", "B");
  ASSERT_NE(a.idempotency->token_id, b.idempotency->token_id);
  send(a);
  auto r = apply(b);
  ASSERT_TRUE(r.has_value());
  EXPECT_FALSE(std::get<domain::send_receipt>(*r).replayed);
  EXPECT_EQ(page({}, direction::older, 10).size(), 2u);
}

TEST_P(store_writes, duplicate_key_within_one_batch_replays) {
  std::vector<domain::write_command> batch{with_key(inbound("once"), "k", "same"),
                                           with_key(inbound("once"), "k", "same")};
  auto out = store_->apply(batch);
  ASSERT_EQ(out.size(), 2u);
  ASSERT_TRUE(out[0].has_value() && out[1].has_value());
  EXPECT_FALSE(std::get<domain::send_receipt>(*out[0]).replayed);
  EXPECT_TRUE(std::get<domain::send_receipt>(*out[1]).replayed);
  EXPECT_EQ(std::get<domain::send_receipt>(*out[0]).msg.seq, std::get<domain::send_receipt>(*out[1]).msg.seq);
}

TEST_P(store_writes, a_failing_command_does_not_affect_its_batch) {
  send(with_key(inbound("claimed"), "used", "A"));
  auto dup = inbound("duplicate id");
  const auto ok1 = outbound("first in batch");
  dup.external_id = ok1.external_id;  // violates uniqueness: a storage-level failure mid-batch
  std::vector<domain::write_command> batch{
      ok1,
      dup,
      with_key(inbound("conflicting"), "used", "B"),
      domain::prepare_archive(staff(), chat(), start_ms + 1, clock_).value(),
      inbound("last in batch"),
  };
  auto out = store_->apply(batch);
  ASSERT_EQ(out.size(), 5u);
  EXPECT_TRUE(out[0].has_value());
  ASSERT_FALSE(out[1].has_value());
  EXPECT_EQ(out[1].error().code, core::errc::internal);
  ASSERT_FALSE(out[2].has_value());
  EXPECT_EQ(out[2].error().code, core::errc::idempotency_conflict);
  ASSERT_TRUE(out[3].has_value());
  EXPECT_EQ(std::get<domain::count_receipt>(*out[3]).affected, 1);  // "claimed" only
  EXPECT_TRUE(out[4].has_value());

  EXPECT_EQ(texts(page({}, direction::older, 10, true)), (strings{"last in batch", "first in batch", "claimed"}));
  EXPECT_EQ(outbox().size(), 1u);  // the failed command left no outbox row either
  EXPECT_EQ(outcomes(audit()), (strings{"ok", "ok", "internal", "idempotency_conflict", "ok", "ok"}));
}

TEST_P(store_writes, every_command_is_audited_without_message_text) {
  const std::string secret_text = "my very private symptom";
  send(outbound(secret_text));
  send(inbound(secret_text));
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), clock_.now_ms(), clock_).value()).has_value());
  ASSERT_TRUE(apply(domain::prepare_restore(staff(), chat(), clock_).value()).has_value());
  auto read_audit = domain::make_audit(patient(), chat(), domain::action::read, clock_, "forbidden");
  auto r = apply(read_audit);
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(std::holds_alternative<std::monostate>(*r));

  const auto rows = audit();
  ASSERT_EQ(rows.size(), 5u);
  strings actions;
  for (const auto& row : rows) {
    actions.push_back(row.entry.action);
    EXPECT_EQ(row.entry.chat, chat());
    for (const std::string* field : {&row.entry.token_id, &row.entry.actor_id, &row.entry.action, &row.entry.outcome,
                                     &row.entry.chat.tenant, &row.entry.chat.instance, &row.entry.chat.patient})
      EXPECT_EQ(field->find("private"), std::string::npos);
  }
  EXPECT_EQ(actions, (strings{"send_outbound", "send_inbound", "archive", "restore", "read"}));
  EXPECT_EQ(outcomes(rows), (strings{"ok", "ok", "ok", "ok", "forbidden"}));
  EXPECT_EQ(rows[0].entry.actor_role, domain::role::user);
  EXPECT_EQ(rows[0].entry.actor_id, "u1");
  EXPECT_EQ(rows[0].entry.token_id, "tk_staff");
  EXPECT_EQ(rows[1].entry.actor_role, domain::role::patient);
  EXPECT_EQ(rows[1].entry.actor_id, "p1");
  EXPECT_EQ(rows[4].entry.at, read_audit.at);
  EXPECT_LT(rows[0].id, rows[1].id);
  EXPECT_TRUE(audit("p2").empty());
}

TEST_P(store_writes, audit_trail_is_append_only) {
  send(inbound("x"));
  EXPECT_FALSE(backend_->update_audit_rows().has_value());
  EXPECT_FALSE(backend_->delete_audit_rows().has_value());
  const auto rows = audit();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].entry.outcome, "ok");
}

TEST_P(store_writes, outbound_sends_record_the_webhook_event_inbound_do_not) {
  send(inbound("to the care team"));
  const auto out = send(outbound("to the patient"));
  const auto rows = outbox();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].event_id, "evt_" + out.external_id.substr(2));
  EXPECT_EQ(rows[0].event_id.size(), 4u + 32u);
  EXPECT_EQ(rows[0].event_type, "message.outbound");
  EXPECT_EQ(rows[0].message_seq, out.seq);
  EXPECT_EQ(rows[0].state, "pending");
  EXPECT_EQ(rows[0].attempts, 0);
  // A replayed outbound send does not queue the event twice.
  auto keyed = with_key(outbound("keyed"), "k", "r");
  send(keyed);
  ASSERT_TRUE(std::get<domain::send_receipt>(apply(keyed).value()).replayed);
  EXPECT_EQ(outbox().size(), 2u);
}

TEST_P(store_writes, empty_batch_is_a_no_op) { EXPECT_TRUE(store_->apply({}).empty()); }

TEST_P(store_writes, committed_writes_survive_a_restart) {
  const auto ms = send_all({"m0", "m1"});
  send(outbound("m2"));
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), ms[1].created_at, clock_).value()).has_value());
  reopen();
  EXPECT_EQ(texts(page({}, direction::older, 10)), (strings{"m2", "m1"}));
  const auto all = page({}, direction::older, 10, true);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[2].archived);
  EXPECT_EQ(all[2].seq, ms[0].seq);
  EXPECT_EQ(audit().size(), 4u);
  EXPECT_EQ(outbox().size(), 1u);
  // Reopening repeatedly (migrations already applied) changes nothing, and new seqs keep rising.
  reopen();
  reopen();
  EXPECT_GT(send(inbound("m3")).seq, all[0].seq);
  EXPECT_EQ(page({}, direction::older, 10, true).size(), 4u);
}

TEST_P(store_writes, a_reader_sees_commits_while_the_writer_runs) {
  constexpr int total = 200;
  std::vector<domain::write_command> cmds;
  for (int i = 0; i < total; ++i)
    cmds.emplace_back(std::in_place_type<domain::send_command>, inbound("message " + std::to_string(i)));
  std::atomic<int> committed{0};
  std::atomic<bool> finished{false};
  std::thread writer([&] {
    for (const auto& cmd : cmds) {
      auto out = store_->apply(std::span<const domain::write_command>(&cmd, 1));
      if (!out.at(0).has_value()) break;
      committed.fetch_add(1);
    }
    finished.store(true);
  });
  // The reader never blocks on the writer and never sees less than was committed before it looked.
  std::size_t last = 0;
  for (bool done = false; !done;) {
    done = finished.load();
    const auto floor = static_cast<std::size_t>(committed.load());
    auto rows = reader_->messages(domain::page_query{chat(), false, {}, direction::older, total + 1});
    if (!rows) {
      ADD_FAILURE() << rows.error().message;  // not ASSERT: the writer thread must still be joined
      break;
    }
    EXPECT_GE(rows->size(), floor);
    EXPECT_GE(rows->size(), last);
    last = rows->size();
  }
  writer.join();
  EXPECT_EQ(committed.load(), total);
  EXPECT_EQ(last, static_cast<std::size_t>(total));
}

INSTANTIATE_TEST_SUITE_P(backends, store_writes, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
