// Contract: attachments (issue #14) on every backend. An upload is recorded pending, ends clean or
// refused; a send takes clean uploads of its chat by its token, once; messages read anywhere
// (pages, search, events, replays) list them; collection expires and deletes only unsent ones.
#include "core/crypto.hpp"
#include "domain/attachment_service.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using domain::attachment_state;
using domain::direction;

class store_attachments : public store_contract {
 protected:
  // An upload by `who` to `c`, ended in `state` (pending: never ended).
  std::string upload(const domain::principal& who, const domain::chat_key& c, const std::string& name,
                     attachment_state state = attachment_state::clean) {
    auto begin = domain::prepare_upload(who, c, rng_, clock_);
    EXPECT_TRUE(begin.has_value());
    const std::string id = begin->id;
    EXPECT_TRUE(apply(std::move(*begin)).has_value());
    if (state != attachment_state::pending) {
      domain::attachment_info info{id, name, "image/png", 1234, std::string(64, 'a'), true};
      auto out = apply(domain::finish_upload(who, c, info, state, state == attachment_state::clean ? "ok" : "unprocessable",
                                             clock_));
      EXPECT_TRUE(out.has_value()) << (out ? "" : out.error().message);
    }
    return id;
  }

  domain::send_command inbound_with(const std::vector<std::string>& ids, const std::string& text = "") {
    auto cmd = domain::prepare_send(patient(), chat(), domain::message_kind::inbound, {text, {}, {}, {}, ids}, limits_,
                                    rng_, clock_);
    EXPECT_TRUE(cmd.has_value()) << (cmd ? "" : cmd.error().message);
    return std::move(cmd).value();
  }

  core::errc send_error(const std::vector<std::string>& ids) {
    auto out = apply(inbound_with(ids, "x"));
    EXPECT_FALSE(out.has_value());
    return out ? core::errc::internal : out.error().code;
  }

  std::optional<domain::attachment_record> record(const std::string& id, const domain::chat_key& c = chat()) {
    auto r = reader_->attachment(c, id);
    EXPECT_TRUE(r.has_value());
    return r ? *r : std::nullopt;
  }
};

TEST_P(store_attachments, a_sent_message_lists_its_attachments_everywhere_it_is_read) {
  const auto a = upload(patient(), chat(), "rash.png");
  const auto b = upload(patient(), chat(), "label.png");
  const auto sent = send(inbound_with({b, a}, "two photos"));
  ASSERT_EQ(sent.attachments.size(), 2u);
  EXPECT_EQ(sent.attachments[0].id, b);  // in the order the send listed them
  EXPECT_EQ(sent.attachments[1].id, a);
  EXPECT_EQ(sent.attachments[1].name, "rash.png");
  EXPECT_TRUE(sent.attachments[1].thumbnail);
  send(inbound("no files"));

  const auto listed = page({}, direction::older, 10);
  ASSERT_EQ(listed.size(), 2u);
  EXPECT_TRUE(listed[0].attachments.empty());
  EXPECT_EQ(listed[1].attachments, sent.attachments);

  auto found = reader_->search(domain::search_query{chat(), "photos", false, std::nullopt, direction::older, 10});
  ASSERT_TRUE(found.has_value());
  ASSERT_EQ(found->size(), 1u);
  EXPECT_EQ((*found)[0].attachments, sent.attachments);

  const auto log = events(instance_scope());
  ASSERT_FALSE(log.empty());
  ASSERT_TRUE(log[0].msg.has_value());
  EXPECT_EQ(log[0].msg->attachments, sent.attachments);

  auto oldest = reader_->oldest_unread(chat(), domain::message_kind::inbound);
  ASSERT_TRUE(oldest.has_value() && oldest->has_value());
  EXPECT_EQ((*oldest)->attachments, sent.attachments);

  const auto r = record(a);
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(r->state, attachment_state::clean);
  EXPECT_EQ(r->message_external_id, sent.external_id);
  EXPECT_FALSE(r->archived);
}

TEST_P(store_attachments, an_idempotent_replay_answers_the_first_message_with_its_attachments) {
  const auto a = upload(patient(), chat(), "a.png");
  auto cmd = inbound_with({a}, "once");
  cmd.idempotency = domain::idempotency_claim{cmd.audit.token_id, "k1", core::sha256("POST once")};
  const auto first = send(cmd);
  auto again = apply(cmd);
  ASSERT_TRUE(again.has_value());
  const auto& receipt = std::get<domain::send_receipt>(*again);
  EXPECT_TRUE(receipt.replayed);
  EXPECT_EQ(receipt.msg.attachments, first.attachments);
}

TEST_P(store_attachments, a_send_refuses_ids_that_are_not_its_own_clean_unsent_uploads_and_stores_nothing) {
  const auto other_chat = upload(patient("p2"), chat("p2"), "theirs.png");
  const auto by_staff = upload(staff(), chat(), "staff.png");
  const auto pending = upload(patient(), chat(), "pending.png", attachment_state::pending);
  const auto refused = upload(patient(), chat(), "virus.png", attachment_state::refused);
  const auto fine = upload(patient(), chat(), "fine.png");
  const std::string unknown = "AT" + std::string(32, '0');

  EXPECT_EQ(send_error({unknown}), core::errc::unprocessable);
  EXPECT_EQ(send_error({other_chat}), core::errc::unprocessable);
  EXPECT_EQ(send_error({by_staff}), core::errc::unprocessable);
  EXPECT_EQ(send_error({refused}), core::errc::unprocessable);
  EXPECT_EQ(send_error({pending}), core::errc::conflict);
  EXPECT_EQ(send_error({fine, pending}), core::errc::conflict);  // all or nothing
  EXPECT_TRUE(page({}, direction::older, 10).empty());
  EXPECT_FALSE(record(fine)->message_external_id.has_value());

  send(inbound_with({fine}));
  EXPECT_EQ(send_error({fine}), core::errc::conflict);  // already sent
  EXPECT_EQ(page({}, direction::older, 10).size(), 1u);
  // Another chat's id is not even visible from this chat.
  EXPECT_FALSE(record(other_chat).has_value());
}

TEST_P(store_attachments, an_upload_ends_once) {
  const auto id = upload(patient(), chat(), "a.png");
  domain::attachment_info info{id, "again.png", "image/png", 1, std::string(64, 'b'), false};
  auto again = apply(domain::finish_upload(patient(), chat(), info, attachment_state::clean, "ok", clock_));
  ASSERT_FALSE(again.has_value());
  EXPECT_EQ(again.error().code, core::errc::conflict);
  EXPECT_EQ(record(id)->info.name, "a.png");
}

TEST_P(store_attachments, archive_hides_a_message_and_marks_its_attachments_archived) {
  const auto a = upload(patient(), chat(), "a.png");
  send(inbound_with({a}, "before"));
  clock_.advance(1000);
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), clock_.now_ms(), clock_).value()).has_value());
  EXPECT_TRUE(record(a)->archived);
  ASSERT_TRUE(apply(domain::prepare_restore(staff(), chat(), clock_).value()).has_value());
  EXPECT_FALSE(record(a)->archived);
}

TEST_P(store_attachments, collection_expires_and_deletes_only_old_unsent_uploads) {
  const auto sent = upload(patient(), chat(), "sent.png");
  send(inbound_with({sent}));
  const auto old_unsent = upload(patient(), chat(), "old.png");
  const auto old_pending = upload(patient(), chat(), "crashed.png", attachment_state::pending);
  clock_.advance(60'000);
  const auto cutoff = clock_.now_ms();
  const auto young = upload(patient(), chat(), "young.png");

  auto expired = apply(domain::expire_attachments_command{cutoff, 1000});
  ASSERT_TRUE(expired.has_value());
  auto ids = std::get<domain::attachment_ids_receipt>(*expired).ids;
  std::sort(ids.begin(), ids.end());
  std::vector<std::string> want{old_unsent, old_pending};
  std::sort(want.begin(), want.end());
  EXPECT_EQ(ids, want);
  // Expired: a send can no longer take it, even before its row is gone.
  EXPECT_EQ(send_error({old_unsent}), core::errc::unprocessable);
  // An interrupted collection finds them again.
  auto again = apply(domain::expire_attachments_command{cutoff, 1000});
  ASSERT_TRUE(again.has_value());
  EXPECT_EQ(std::get<domain::attachment_ids_receipt>(*again).ids.size(), 2u);

  auto gone = apply(domain::delete_attachments_command{ids});
  ASSERT_TRUE(gone.has_value());
  EXPECT_EQ(std::get<domain::count_receipt>(*gone).affected, 2);
  EXPECT_FALSE(record(old_unsent).has_value());
  EXPECT_TRUE(record(sent).has_value());
  EXPECT_TRUE(record(young).has_value());
  // Deleting a sent or a live one does nothing.
  auto kept = apply(domain::delete_attachments_command{{sent, young}});
  ASSERT_TRUE(kept.has_value());
  EXPECT_EQ(std::get<domain::count_receipt>(*kept).affected, 0);
}

TEST_P(store_attachments, the_upload_writes_its_audit_row_with_its_outcome) {
  upload(patient(), chat(), "a.png");
  upload(patient(), chat(), "b.png", attachment_state::refused);
  auto rows = store_->audit_for_patient("p1");
  ASSERT_TRUE(rows.has_value());
  std::vector<std::string> seen;
  for (const auto& r : *rows)
    if (r.entry.action == "upload_attachment") seen.push_back(r.entry.outcome);
  EXPECT_EQ(seen, (std::vector<std::string>{"ok", "unprocessable"}));
}

// The FHIR facade's lookups by id (its URLs carry no patient): a message by its externalId and an
// attachment's chat, within one tenant's instance only.
TEST_P(store_attachments, messages_and_attachments_are_found_by_id_within_their_instance_only) {
  const auto a = upload(patient(), chat(), "rash.png");
  const auto mine = send(inbound_with({a}, "with a photo"));
  const auto theirs = send(inbound("someone else", "p2"));
  const auto elsewhere = send(inbound_to(chat_at("other", "sb-demo", "p1"), "another tenant"));

  auto found = reader_->message_by_external_id("gh", "sb-demo", mine.external_id);
  ASSERT_TRUE(found.has_value());
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->patient, "p1");
  EXPECT_EQ((*found)->msg.text, "with a photo");
  ASSERT_EQ((*found)->msg.attachments.size(), 1u);
  EXPECT_EQ((*found)->msg.attachments[0].id, a);
  found = reader_->message_by_external_id("gh", "sb-demo", theirs.external_id);
  ASSERT_TRUE(found.has_value() && found->has_value());
  EXPECT_EQ((*found)->patient, "p2");
  // Another tenant's or instance's message is not there.
  EXPECT_FALSE(*reader_->message_by_external_id("gh", "sb-demo", elsewhere.external_id));
  EXPECT_FALSE(*reader_->message_by_external_id("gh", "other-instance", mine.external_id));
  EXPECT_FALSE(*reader_->message_by_external_id("gh", "sb-demo", "IM00000000000000000000000000000000"));

  auto patient_of = reader_->attachment_patient("gh", "sb-demo", a);
  ASSERT_TRUE(patient_of.has_value());
  EXPECT_EQ(patient_of->value_or(""), "p1");
  EXPECT_FALSE(*reader_->attachment_patient("other", "sb-demo", a));
  EXPECT_FALSE(*reader_->attachment_patient("gh", "sb-demo", "AT00000000000000000000000000000000"));
}

INSTANTIATE_TEST_SUITE_P(backends, store_attachments, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
