// Contract: page walks, ordering, archive/restore and any_beyond, on every backend.
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using domain::direction;
using strings = std::vector<std::string>;

class store_paging : public store_contract {};

TEST_P(store_paging, sends_return_the_stored_message) {
  const auto cmd = outbound("Your results are in");
  const auto m = send(cmd);
  EXPECT_GT(m.seq, 0);
  EXPECT_EQ(m.external_id, cmd.external_id);
  EXPECT_EQ(m.kind, domain::message_kind::outbound);
  EXPECT_EQ(m.sender, (domain::party{domain::client_type::user, "u1", "Dana Scully"}));
  ASSERT_TRUE(m.receiver.has_value());
  EXPECT_EQ(*m.receiver, (domain::party{domain::client_type::patient, "p1", std::nullopt}));
  EXPECT_EQ(m.created_at, start_ms);  // stamped by the store's clock at apply time
  EXPECT_FALSE(m.archived);

  const auto read = page({}, direction::older, 10);
  ASSERT_EQ(read.size(), 1u);
  EXPECT_EQ(read[0].seq, m.seq);
  EXPECT_EQ(read[0].external_id, m.external_id);
  EXPECT_EQ(read[0].sender, m.sender);
  EXPECT_EQ(read[0].receiver, m.receiver);
  EXPECT_EQ(read[0].text, m.text);
  EXPECT_EQ(read[0].created_at, m.created_at);

  const auto in = send(inbound("Thanks"));
  const auto both = page({}, direction::older, 10);
  ASSERT_EQ(both.size(), 2u);
  EXPECT_EQ(both[0].seq, in.seq);
  EXPECT_FALSE(both[0].receiver.has_value());  // inbound goes to the care team, no receiver
  EXPECT_FALSE(both[0].sender.title_name.has_value());
}

TEST_P(store_paging, walks_older_from_the_newest_in_pages) {
  const auto ms = send_all({"m0", "m1", "m2", "m3", "m4"});
  EXPECT_EQ(texts(page({}, direction::older, 2)), (strings{"m4", "m3"}));
  EXPECT_EQ(texts(page(ms[3].pos(), direction::older, 2)), (strings{"m2", "m1"}));
  EXPECT_EQ(texts(page(ms[1].pos(), direction::older, 2)), (strings{"m0"}));
  EXPECT_TRUE(page(ms[0].pos(), direction::older, 2).empty());
  EXPECT_EQ(texts(page({}, direction::older, 100)), (strings{"m4", "m3", "m2", "m1", "m0"}));
}

TEST_P(store_paging, walks_newer_oldest_first) {
  const auto ms = send_all({"m0", "m1", "m2", "m3", "m4"});
  EXPECT_EQ(texts(page(ms[0].pos(), direction::newer, 2)), (strings{"m1", "m2"}));
  EXPECT_EQ(texts(page(ms[2].pos(), direction::newer, 2)), (strings{"m3", "m4"}));
  EXPECT_TRUE(page(ms[4].pos(), direction::newer, 2).empty());
  // No anchor going newer starts before the oldest.
  EXPECT_EQ(texts(page({}, direction::newer, 2)), (strings{"m0", "m1"}));
}

TEST_P(store_paging, equal_timestamps_order_by_seq) {
  std::vector<domain::message> ms;
  for (const char* t : {"a", "b", "c", "d"}) ms.push_back(send(inbound(t), 0));  // clock never moves
  for (const auto& m : ms) EXPECT_EQ(m.created_at, start_ms);
  EXPECT_LT(ms[0].seq, ms[1].seq);
  EXPECT_EQ(texts(page({}, direction::older, 10)), (strings{"d", "c", "b", "a"}));
  EXPECT_EQ(texts(page(ms[2].pos(), direction::older, 10)), (strings{"b", "a"}));
  EXPECT_EQ(texts(page(ms[1].pos(), direction::newer, 10)), (strings{"c", "d"}));
  // A message sent after the clock stepped back is never stamped before the chat's newest one: it
  // sorts last, so a reader walking newer from "d" finds it (the order is stable).
  clock_.set(start_ms - 5);
  const auto late = send(inbound("late"));
  EXPECT_EQ(late.created_at, start_ms);
  EXPECT_EQ(texts(page({}, direction::newer, 10)), (strings{"a", "b", "c", "d", "late"}));
  EXPECT_EQ(texts(page(ms[3].pos(), direction::newer, 10)), (strings{"late"}));
}

TEST_P(store_paging, unknown_chat_and_empty_limits_read_nothing) {
  send_all({"m0"});
  EXPECT_TRUE(page({}, direction::older, 10, false, "nobody").empty());
  EXPECT_TRUE(page({}, direction::older, 0).empty());
  EXPECT_TRUE(page({}, direction::older, -1).empty());
  auto any = reader_->any_beyond(chat("nobody"), {0, 0}, direction::newer, true);
  ASSERT_TRUE(any.has_value());
  EXPECT_FALSE(*any);
}

TEST_P(store_paging, chats_are_separate) {
  send_all({"mine"}, "p1");
  send_all({"theirs"}, "p2");
  EXPECT_EQ(texts(page({}, direction::older, 10, false, "p1")), (strings{"mine"}));
  EXPECT_EQ(texts(page({}, direction::older, 10, false, "p2")), (strings{"theirs"}));
  domain::chat_key other_tenant{"other", "sb-demo", "p1"};
  auto r = reader_->messages(domain::page_query{other_tenant, true, {}, direction::older, 10});
  ASSERT_TRUE(r.has_value());
  EXPECT_TRUE(r->empty());
}

TEST_P(store_paging, any_beyond_looks_strictly_past_the_anchor) {
  const auto ms = send_all({"m0", "m1", "m2"});
  auto beyond = [&](domain::position p, direction d, bool all = false) {
    auto r = reader_->any_beyond(chat(), p, d, all);
    EXPECT_TRUE(r.has_value());
    return r && *r;
  };
  EXPECT_TRUE(beyond(ms[1].pos(), direction::older));
  EXPECT_TRUE(beyond(ms[1].pos(), direction::newer));
  EXPECT_FALSE(beyond(ms[0].pos(), direction::older));
  EXPECT_FALSE(beyond(ms[2].pos(), direction::newer));
  // Same timestamp, lower seq is still "older".
  EXPECT_TRUE(beyond({ms[2].created_at, ms[2].seq + 1}, direction::older));
  EXPECT_FALSE(beyond({ms[2].created_at, ms[2].seq + 1}, direction::newer));
}

TEST_P(store_paging, archive_is_strictly_before_and_restore_brings_all_back) {
  const auto ms = send_all({"m0", "m1", "m2", "m3"});
  const auto who = staff();

  auto archived = apply(domain::prepare_archive(who, chat(), ms[2].created_at, clock_).value());
  ASSERT_TRUE(archived.has_value());
  EXPECT_EQ(std::get<domain::count_receipt>(*archived).affected, 2);  // m0, m1; m2 is not strictly before
  EXPECT_EQ(texts(page({}, direction::older, 10)), (strings{"m3", "m2"}));
  const auto all = page({}, direction::older, 10, true);
  EXPECT_EQ(texts(all), (strings{"m3", "m2", "m1", "m0"}));
  EXPECT_TRUE(all[2].archived);
  EXPECT_TRUE(all[3].archived);
  EXPECT_FALSE(all[1].archived);

  // any_beyond follows the same filter.
  EXPECT_FALSE(reader_->any_beyond(chat(), ms[2].pos(), direction::older, false).value());
  EXPECT_TRUE(reader_->any_beyond(chat(), ms[2].pos(), direction::older, true).value());
  EXPECT_TRUE(page(ms[2].pos(), direction::older, 10).empty());
  EXPECT_EQ(texts(page(ms[2].pos(), direction::older, 10, true)), (strings{"m1", "m0"}));
  EXPECT_EQ(texts(page({}, direction::newer, 10)), (strings{"m2", "m3"}));

  // Archiving again counts only what changed.
  auto again = apply(domain::prepare_archive(who, chat(), ms[3].created_at + 1, clock_).value());
  EXPECT_EQ(std::get<domain::count_receipt>(again.value()).affected, 2);
  EXPECT_TRUE(page({}, direction::older, 10).empty());

  auto restored = apply(domain::prepare_restore(who, chat(), clock_).value());
  ASSERT_TRUE(restored.has_value());
  EXPECT_EQ(std::get<domain::count_receipt>(*restored).affected, 4);
  EXPECT_EQ(texts(page({}, direction::older, 10)), (strings{"m3", "m2", "m1", "m0"}));
  for (const auto& m : page({}, direction::older, 10, true)) EXPECT_FALSE(m.archived);
}

TEST_P(store_paging, archive_and_restore_of_unknown_chat_count_zero) {
  auto a = apply(domain::prepare_archive(staff(), chat("nobody"), clock_.now_ms(), clock_).value());
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(std::get<domain::count_receipt>(*a).affected, 0);
  auto r = apply(domain::prepare_restore(staff(), chat("nobody"), clock_).value());
  ASSERT_TRUE(r.has_value());
  EXPECT_EQ(std::get<domain::count_receipt>(*r).affected, 0);
}

TEST_P(store_paging, archive_touches_only_its_chat) {
  send_all({"mine"}, "p1");
  send_all({"theirs"}, "p2");
  auto a = apply(domain::prepare_archive(staff(), chat("p1"), clock_.now_ms(), clock_).value());
  EXPECT_EQ(std::get<domain::count_receipt>(a.value()).affected, 1);
  EXPECT_TRUE(page({}, direction::older, 10, false, "p1").empty());
  EXPECT_EQ(texts(page({}, direction::older, 10, false, "p2")), (strings{"theirs"}));
}

INSTANTIATE_TEST_SUITE_P(backends, store_paging, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
