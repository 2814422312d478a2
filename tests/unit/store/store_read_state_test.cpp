// Contract: read state. mark_read marks one direction's unread, unarchived messages (all, or up to
// and including one message), set once; reads show it; unread counts and the staff inbox follow.
#include <random>

#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using domain::direction;
using domain::message_kind;
using strings = std::vector<std::string>;

class store_read_state : public store_contract {
 protected:
  static const domain::party& user_party() {
    static const domain::party p{domain::client_type::user, "u1", "Dana Scully"};
    return p;
  }
  static const domain::party& patient_party() {
    static const domain::party p{domain::client_type::patient, "p1", std::nullopt};
    return p;
  }

  std::vector<domain::audit_row> audit() { return store_->audit_for_patient("p1").value(); }

  std::vector<domain::unread_chat> inbox(const std::string& tenant = "gh", const std::string& instance = "sb-demo",
                                         int limit = 50) {
    auto r = reader_->unread_chats(tenant, instance, limit);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return r ? std::move(r).value() : std::vector<domain::unread_chat>{};
  }

  static strings patients(const std::vector<domain::unread_chat>& cs) {
    strings out;
    for (const auto& c : cs) out.push_back(c.patient);
    return out;
  }
};

TEST_P(store_read_state, staff_read_the_patients_messages) {
  const auto ms = send_all({"m0", "m1", "m2"});
  const auto reply = send(outbound("reply"));
  EXPECT_EQ(unread(message_kind::inbound), 3);
  EXPECT_EQ(unread(message_kind::outbound), 1);

  const auto now = clock_.now_ms();
  const auto r = read_ok(mark_read(staff()));
  EXPECT_EQ(r.marked, 3);
  EXPECT_EQ(r.read_at, now);
  EXPECT_EQ(r.up_to_external_id, ms[2].external_id);
  EXPECT_EQ(unread(message_kind::inbound), 0);
  EXPECT_EQ(unread(message_kind::outbound), 1);

  for (const auto& m : page({}, direction::older, 10)) {
    if (m.kind == message_kind::inbound) {
      EXPECT_EQ(m.read_at, now) << m.text;
      EXPECT_EQ(m.read_by, user_party()) << m.text;
    } else {
      EXPECT_EQ(m.seq, reply.seq);
      EXPECT_FALSE(m.read_at.has_value());
      EXPECT_FALSE(m.read_by.has_value());
    }
  }

  // Again: nothing left, still ok, the same newest read message; the first read_at is kept.
  clock_.advance(5000);
  const auto again = read_ok(mark_read(staff()));
  EXPECT_EQ(again.marked, 0);
  EXPECT_EQ(again.read_at, now + 5000);
  EXPECT_EQ(again.up_to_external_id, ms[2].external_id);
  EXPECT_EQ(page({}, direction::older, 10).back().read_at, now);

  const auto rows = audit();
  ASSERT_EQ(rows.size(), 6u);
  EXPECT_EQ(rows[4].entry.action, "mark_read");
  EXPECT_EQ(rows[4].entry.outcome, "ok");
  EXPECT_EQ(rows[5].entry.outcome, "ok");
}

TEST_P(store_read_state, the_patient_reads_the_care_teams_messages) {
  const auto a = send(outbound("a"));
  const auto b = send(outbound("b"));
  send(inbound("question"));
  const auto r = read_ok(mark_read(patient()));
  EXPECT_EQ(r.marked, 2);
  EXPECT_EQ(r.up_to_external_id, b.external_id);
  EXPECT_EQ(unread(message_kind::outbound), 0);
  EXPECT_EQ(unread(message_kind::inbound), 1);
  const auto all = page({}, direction::older, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_FALSE(all[0].read_at.has_value());  // the patient's own question
  EXPECT_EQ(all[1].read_by, patient_party());
  EXPECT_EQ(all[2].seq, a.seq);
  EXPECT_EQ(all[2].read_by, patient_party());
  EXPECT_FALSE(all[2].read_by->title_name.has_value());
}

TEST_P(store_read_state, up_to_is_inclusive) {
  std::vector<domain::message> ms;
  for (const char* t : {"m0", "m1", "m2"}) ms.push_back(send(inbound(t), 0));  // one timestamp: seq decides
  ms.push_back(send(inbound("m3")));
  ms.push_back(send(inbound("m4")));
  const auto r = read_ok(mark_read(staff(), "p1", ms[1].external_id));
  EXPECT_EQ(r.marked, 2);
  EXPECT_EQ(r.up_to_external_id, ms[1].external_id);
  ASSERT_TRUE(r.event.has_value());
  EXPECT_EQ(r.event->up_to_external_id, ms[1].external_id);
  EXPECT_EQ(unread(message_kind::inbound), 3);
  auto oldest = reader_->oldest_unread(chat(), message_kind::inbound);
  ASSERT_TRUE(oldest.has_value());
  ASSERT_TRUE(oldest->has_value());
  EXPECT_EQ((*oldest)->seq, ms[2].seq);
  EXPECT_EQ((*oldest)->text, "m2");

  // An earlier upTo marks nothing more and still names itself.
  const auto earlier = read_ok(mark_read(staff(), "p1", ms[0].external_id));
  EXPECT_EQ(earlier.marked, 0);
  EXPECT_EQ(earlier.up_to_external_id, ms[0].external_id);
  EXPECT_FALSE(earlier.event.has_value());

  const auto rest = read_ok(mark_read(staff(), "p1", ms[3].external_id));
  EXPECT_EQ(rest.marked, 2);
  EXPECT_EQ(unread(message_kind::inbound), 1);
  EXPECT_EQ(reader_->oldest_unread(chat(), message_kind::inbound).value()->text, "m4");
}

TEST_P(store_read_state, up_to_must_name_a_message_of_that_kind_in_this_chat) {
  send_all({"m0", "m1"});
  const auto staff_msg = send(outbound("from staff"));
  const auto elsewhere = send(inbound("other chat", "p2"));
  const auto audit_before = audit().size();
  auto refused = [&](std::string up_to, const std::string& chat_patient = "p1") {
    auto out = apply(mark_read(staff(), chat_patient, std::move(up_to)));
    EXPECT_FALSE(out.has_value());
    if (out) return;
    EXPECT_EQ(out.error().code, core::errc::bad_request);
    EXPECT_EQ(out.error().message, "upTo does not name an inbound message of this chat");
  };
  refused(staff_msg.external_id);            // wrong kind
  refused(elsewhere.external_id);            // another chat
  refused("IM" + std::string(32, '0'));      // no such message
  refused(staff_msg.external_id, "nobody");  // a chat with no messages at all
  auto receipt = apply(mark_read(patient(), "p1", elsewhere.external_id));
  ASSERT_FALSE(receipt.has_value());
  EXPECT_EQ(receipt.error().message, "upTo does not name an outbound message of this chat");

  EXPECT_EQ(unread(message_kind::inbound), 2);
  EXPECT_EQ(unread(message_kind::outbound), 1);
  EXPECT_EQ(unread(message_kind::inbound, "p2"), 1);
  EXPECT_EQ(events(instance_scope()).size(), 4u);  // the four sends only
  const auto rows = audit();
  ASSERT_EQ(rows.size(), audit_before + 4);  // p1's refusals (the "nobody" one is audited under its own patient)
  for (std::size_t i = audit_before; i < rows.size(); ++i) {
    EXPECT_EQ(rows[i].entry.action, "mark_read");
    EXPECT_EQ(rows[i].entry.outcome, "bad_request");
  }
}

TEST_P(store_read_state, archived_messages_stay_unread) {
  const auto ms = send_all({"m0", "m1", "m2"});
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), ms[2].created_at, clock_).value()).has_value());
  EXPECT_EQ(unread(message_kind::inbound), 1);
  EXPECT_EQ(reader_->oldest_unread(chat(), message_kind::inbound).value()->text, "m2");
  // upTo may name an archived message; only live ones are marked.
  EXPECT_EQ(read_ok(mark_read(staff(), "p1", ms[1].external_id)).marked, 0);
  EXPECT_EQ(read_ok(mark_read(staff())).marked, 1);
  EXPECT_EQ(unread(message_kind::inbound), 0);
  EXPECT_FALSE(reader_->oldest_unread(chat(), message_kind::inbound).value().has_value());

  ASSERT_TRUE(apply(domain::prepare_restore(staff(), chat(), clock_).value()).has_value());
  EXPECT_EQ(unread(message_kind::inbound), 2);
  const auto all = page({}, direction::older, 10);
  ASSERT_EQ(all.size(), 3u);
  EXPECT_TRUE(all[0].read_at.has_value());
  EXPECT_FALSE(all[1].read_at.has_value());
  EXPECT_FALSE(all[2].read_at.has_value());
  EXPECT_EQ(reader_->oldest_unread(chat(), message_kind::inbound).value()->text, "m0");
}

// The unread counters (kept by the store beside the messages) always equal a recount of the
// messages themselves, whatever mix of sends, reads, archives and restores reaches two chats.
TEST_P(store_read_state, unread_counts_always_equal_a_recount_of_the_messages) {
  std::mt19937 pick(20261121);
  const strings who = {"p1", "p2"};
  auto recount = [&](const std::string& p, message_kind kind) {
    std::int64_t n = 0;
    auto all = reader_->messages(domain::page_query{chat(p), true, {}, direction::older, 1000}).value();
    for (const auto& m : all) n += m.kind == kind && !m.read_at && !m.archived;
    return n;
  };
  std::vector<domain::message> sent;
  for (int step = 0; step < 300; ++step) {
    const std::string& p = who[pick() % 2];
    clock_.advance(1 + static_cast<core::unix_ms>(pick() % 3));
    switch (pick() % 8) {
      case 0: case 1: case 2: sent.push_back(send(inbound("in " + std::to_string(step), p))); break;
      case 3: case 4: sent.push_back(send(outbound("out " + std::to_string(step), p))); break;
      case 5: {  // read all, or up to a random message of that chat and direction
        const bool staff_reads = pick() % 2 == 0;
        std::optional<std::string> up_to;
        for (const auto& m : sent)
          if (m.sender.id == p || (m.receiver && m.receiver->id == p))
            if ((m.kind == message_kind::inbound) == staff_reads && pick() % 4 == 0) up_to = m.external_id;
        auto who_reads = staff_reads ? staff() : patient(p);
        auto cmd = domain::prepare_mark_read(who_reads, chat(p), {up_to, {}}, limits_, clock_);
        ASSERT_TRUE(cmd.has_value());
        ASSERT_TRUE(apply(std::move(*cmd)).has_value());
        break;
      }
      case 6: {
        const core::unix_ms before =
            sent.empty() ? clock_.now_ms() : sent[pick() % sent.size()].created_at + static_cast<core::unix_ms>(pick() % 2);
        auto cmd = domain::prepare_archive(staff(), chat(p), before, clock_);
        ASSERT_TRUE(cmd.has_value());
        ASSERT_TRUE(apply(std::move(*cmd)).has_value());
        break;
      }
      default:
        ASSERT_TRUE(apply(domain::prepare_restore(staff(), chat(p), clock_).value()).has_value());
    }
    for (const auto& c : who)
      for (auto kind : {message_kind::inbound, message_kind::outbound})
        ASSERT_EQ(unread(kind, c), recount(c, kind)) << "step " << step << " chat " << c;
  }
  EXPECT_GT(unread(message_kind::inbound, "p1") + unread(message_kind::inbound, "p2"), 0);
}

TEST_P(store_read_state, an_unknown_chat_marks_nothing) {
  const auto r = read_ok(mark_read(staff(), "nobody"));
  EXPECT_EQ(r.marked, 0);
  EXPECT_EQ(r.read_at, clock_.now_ms());
  EXPECT_TRUE(r.up_to_external_id.empty());
  EXPECT_FALSE(r.event.has_value());
  EXPECT_EQ(unread(message_kind::inbound, "nobody"), 0);
  EXPECT_FALSE(reader_->oldest_unread(chat("nobody"), message_kind::inbound).value().has_value());
  const auto rows = store_->audit_for_patient("nobody").value();
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0].entry.outcome, "ok");
}

TEST_P(store_read_state, read_state_shows_in_search_and_survives_a_restart) {
  send_all({"hello one", "hello two"});
  const auto r = read_ok(mark_read(staff()));
  const auto hits = search("hello");
  ASSERT_EQ(hits.size(), 2u);
  for (const auto& m : hits) {
    EXPECT_EQ(m.read_at, r.read_at);
    EXPECT_EQ(m.read_by, user_party());
  }
  EXPECT_EQ(search("he").at(0).read_by, user_party());  // the short-query scan too
  reopen();
  EXPECT_EQ(page({}, direction::older, 10).at(1).read_by, user_party());
  EXPECT_EQ(unread(message_kind::inbound), 0);
}

TEST_P(store_read_state, unread_chats_lists_chats_with_unread_patient_messages) {
  // p1: two unread, then a staff reply (its newest message).
  const auto p1a = send(inbound("p1 a", "p1"));
  const auto p1b = send(inbound("p1 b", "p1"));
  const auto p1reply = send(outbound("reply", "p1"));
  // p2: one unread, newer than p1's.
  const auto p2a = send(inbound("p2 a", "p2"));
  // p3: read by staff. p4: only staff messages. p5: archived.
  send(inbound("p3 a", "p3"));
  read_ok(mark_read(staff(), "p3"));
  send(outbound("hello", "p4"));
  send(inbound("p5 a", "p5"));
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat("p5"), clock_.now_ms(), clock_).value()).has_value());
  // Other instances and tenants never show.
  send(inbound_to(chat_at("gh", "other", "p9"), "elsewhere"));
  send(inbound_to(chat_at("acme", "sb-demo", "p8"), "elsewhere"));

  const auto list = inbox();
  EXPECT_EQ(patients(list), (strings{"p2", "p1"}));
  ASSERT_EQ(list.size(), 2u);
  EXPECT_EQ(list[0].unread, 1);
  EXPECT_EQ(list[0].oldest_unread_at, p2a.created_at);
  EXPECT_EQ(list[0].latest_unread_at, p2a.created_at);
  EXPECT_EQ(list[0].latest_message_at, p2a.created_at);
  EXPECT_EQ(list[1].unread, 2);
  EXPECT_EQ(list[1].oldest_unread_at, p1a.created_at);
  EXPECT_EQ(list[1].latest_unread_at, p1b.created_at);
  EXPECT_EQ(list[1].latest_message_at, p1reply.created_at);

  EXPECT_EQ(patients(inbox("gh", "sb-demo", 1)), (strings{"p2"}));
  EXPECT_TRUE(inbox("gh", "sb-demo", 0).empty());
  EXPECT_EQ(patients(inbox("gh", "other")), (strings{"p9"}));
  EXPECT_EQ(patients(inbox("acme", "sb-demo")), (strings{"p8"}));
  EXPECT_TRUE(inbox("nobody", "sb-demo").empty());

  // Equal latest unread instants order by patient; reading removes a chat.
  for (const char* p : {"p7", "p6"}) send(inbound("same time", p), 0);
  EXPECT_EQ(patients(inbox()), (strings{"p6", "p7", "p2", "p1"}));
  read_ok(mark_read(staff(), "p2"));
  EXPECT_EQ(patients(inbox()), (strings{"p6", "p7", "p1"}));
}

INSTANTIATE_TEST_SUITE_P(backends, store_read_state, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
