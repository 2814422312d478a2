// domain::read_page and domain::search_page end to end over each real store backend, including the
// reference walk-through of search hits and their surrounding-messages cursors.
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

using strings = std::vector<std::string>;

class chat_service_store : public store_contract {
 protected:
  void SetUp() override {
    store_contract::SetUp();
    // The reference chat, oldest first.
    send_all({"Hello0", "Hello1", "Test1", "Test2", "Hello2", "Test3", "Test4"});
  }

  domain::page_result read(domain::page_request req) {
    auto r = domain::read_page(*reader_, staff(), chat(), req, limits_);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return std::move(r).value();
  }

  domain::search_result find(domain::search_request req) {
    auto r = domain::search_page(*reader_, staff(), chat(), req, limits_);
    EXPECT_TRUE(r.has_value()) << r.error().message;
    return std::move(r).value();
  }

  static strings hit_texts(const domain::search_result& r) {
    strings out;
    for (const auto& h : r.hits) out.push_back(h.msg.text);
    return out;
  }
};

TEST_P(chat_service_store, reference_search_walk_through) {
  domain::search_request first;
  first.query = "hello";
  first.page_size = 2;
  first.content_page_size = 1;
  const auto page1 = find(first);
  EXPECT_EQ(hit_texts(page1), (strings{"Hello2", "Hello1"}));
  ASSERT_TRUE(page1.next.has_value());
  EXPECT_FALSE(page1.prev.has_value());

  domain::search_request second;
  second.from = page1.next;
  const auto page2 = find(second);
  EXPECT_EQ(hit_texts(page2), (strings{"Hello0"}));
  EXPECT_FALSE(page2.next.has_value());
  ASSERT_TRUE(page2.prev.has_value());

  // Back again through prev: the first page's hits.
  domain::search_request back;
  back.from = page2.prev;
  const auto page1_again = find(back);
  EXPECT_EQ(hit_texts(page1_again), (strings{"Hello2", "Hello1"}));

  // Hello2's "older" cursor opens the chat just before it, content_page_size messages at a time.
  const auto& hello2 = page1.hits[0];
  ASSERT_TRUE(hello2.older.has_value());
  ASSERT_TRUE(hello2.newer.has_value());
  EXPECT_EQ(hello2.older->page_size, 1);
  domain::page_request around;
  around.from = hello2.older;
  const auto context = read(around);
  EXPECT_EQ(texts(context.messages), (strings{"Test2"}));
  EXPECT_TRUE(context.next.has_value());
  EXPECT_TRUE(context.prev.has_value());

  // Its "newer" cursor: the message just after Hello2.
  domain::page_request after;
  after.from = hello2.newer;
  EXPECT_EQ(texts(read(after).messages), (strings{"Test3"}));

  // Hello0, the oldest message, has nothing older.
  EXPECT_FALSE(page2.hits[0].older.has_value());
  EXPECT_TRUE(page2.hits[0].newer.has_value());
}

TEST_P(chat_service_store, read_page_walks_the_chat_both_ways) {
  domain::page_request first;
  first.page_size = 3;
  const auto p1 = read(first);
  EXPECT_EQ(texts(p1.messages), (strings{"Test4", "Test3", "Hello2"}));
  ASSERT_TRUE(p1.next.has_value());
  EXPECT_FALSE(p1.prev.has_value());

  domain::page_request r2;
  r2.from = p1.next;
  const auto p2 = read(r2);
  EXPECT_EQ(texts(p2.messages), (strings{"Test2", "Test1", "Hello1"}));
  ASSERT_TRUE(p2.next.has_value());
  ASSERT_TRUE(p2.prev.has_value());

  domain::page_request r3;
  r3.from = p2.next;
  const auto p3 = read(r3);
  EXPECT_EQ(texts(p3.messages), (strings{"Hello0"}));
  EXPECT_FALSE(p3.next.has_value());
  ASSERT_TRUE(p3.prev.has_value());

  domain::page_request back;
  back.from = p3.prev;
  const auto p2_again = read(back);
  EXPECT_EQ(texts(p2_again.messages), (strings{"Test2", "Test1", "Hello1"}));
  EXPECT_TRUE(p2_again.next.has_value());
  EXPECT_TRUE(p2_again.prev.has_value());
}

TEST_P(chat_service_store, archived_messages_are_hidden_unless_asked_for) {
  const auto all = read({{}, 10, true}).messages;
  ASSERT_EQ(all.size(), 7u);
  // Archive everything before Hello2 (the 5th message).
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), all[2].created_at, clock_).value()).has_value());
  EXPECT_EQ(texts(read({{}, 10, {}}).messages), (strings{"Test4", "Test3", "Hello2"}));
  EXPECT_EQ(read({{}, 10, true}).messages.size(), 7u);

  domain::search_request q;
  q.query = "hello";
  EXPECT_EQ(hit_texts(find(q)), (strings{"Hello2"}));
  q.include_archived = true;
  EXPECT_EQ(hit_texts(find(q)), (strings{"Hello2", "Hello1", "Hello0"}));
}

TEST_P(chat_service_store, a_patient_reads_only_their_own_chat) {
  auto own = domain::read_page(*reader_, patient("p1"), chat("p1"), {{}, 2, {}}, limits_);
  EXPECT_TRUE(own.has_value());
  auto other = domain::read_page(*reader_, patient("p2"), chat("p1"), {{}, 2, {}}, limits_);
  ASSERT_FALSE(other.has_value());
  EXPECT_EQ(other.error().code, core::errc::forbidden);
}

// anchor=firstUnread: the page opens at the oldest unread message with a quarter page of context.
TEST_P(chat_service_store, first_unread_anchor_opens_at_the_oldest_unread_message) {
  const auto all = read({{}, 10, {}}).messages;  // Test4 ... Hello0
  ASSERT_EQ(all.size(), 7u);
  const auto& test1 = all[4];
  ASSERT_EQ(test1.text, "Test1");
  ASSERT_TRUE(apply(mark_read(staff(), "p1", test1.external_id)).has_value());  // Hello0, Hello1, Test1 read

  domain::page_request anchored;
  anchored.page_size = 4;
  anchored.first_unread_anchor = true;
  const auto p = read(anchored);
  // One message of context (4 / 4), then the first unread and what follows, newest first.
  EXPECT_EQ(texts(p.messages), (strings{"Test3", "Hello2", "Test2", "Test1"}));
  EXPECT_EQ(p.first_unread_external_id, all[3].external_id);  // Test2
  EXPECT_EQ(p.unread_count, 4);
  EXPECT_EQ(p.page_size, 4);
  ASSERT_TRUE(p.next.has_value());
  ASSERT_TRUE(p.prev.has_value());

  domain::page_request newer;
  newer.from = p.prev;
  const auto up = read(newer);
  EXPECT_EQ(texts(up.messages), (strings{"Test4"}));
  EXPECT_FALSE(up.prev.has_value());
  EXPECT_TRUE(up.next.has_value());
  EXPECT_EQ(up.unread_count, 4);
  EXPECT_FALSE(up.first_unread_external_id.has_value());

  domain::page_request older;
  older.from = p.next;
  const auto down = read(older);
  EXPECT_EQ(texts(down.messages), (strings{"Hello1", "Hello0"}));
  EXPECT_FALSE(down.next.has_value());
  EXPECT_TRUE(down.prev.has_value());
}

TEST_P(chat_service_store, first_unread_anchor_at_the_start_of_the_chat_has_no_older_page) {
  domain::page_request anchored;
  anchored.page_size = 4;
  anchored.first_unread_anchor = true;
  const auto p = read(anchored);  // nothing read yet: the first unread is the oldest message
  EXPECT_EQ(texts(p.messages), (strings{"Test2", "Test1", "Hello1", "Hello0"}));
  EXPECT_EQ(p.unread_count, 7);
  EXPECT_FALSE(p.next.has_value());
  ASSERT_TRUE(p.prev.has_value());
  domain::page_request newer;
  newer.from = p.prev;
  EXPECT_EQ(texts(read(newer).messages), (strings{"Test4", "Test3", "Hello2"}));
}

TEST_P(chat_service_store, first_unread_anchor_without_unread_messages_is_the_newest_page) {
  ASSERT_TRUE(apply(mark_read(staff())).has_value());
  domain::page_request anchored;
  anchored.page_size = 3;
  anchored.first_unread_anchor = true;
  const auto p = read(anchored);
  EXPECT_EQ(texts(p.messages), (strings{"Test4", "Test3", "Hello2"}));
  EXPECT_EQ(p.unread_count, 0);
  EXPECT_FALSE(p.first_unread_external_id.has_value());
  EXPECT_TRUE(p.next.has_value());
  EXPECT_FALSE(p.prev.has_value());
}

TEST_P(chat_service_store, the_patient_opens_at_the_care_teams_first_unread_message) {
  send(outbound("Your results are in"));
  send(outbound("Call us back"));
  domain::page_request anchored;
  anchored.page_size = 8;
  anchored.first_unread_anchor = true;
  auto p = domain::read_page(*reader_, patient(), chat(), anchored, limits_);
  ASSERT_TRUE(p.has_value()) << p.error().message;
  EXPECT_EQ(texts(p->messages), (strings{"Call us back", "Your results are in", "Test4", "Test3"}));
  EXPECT_EQ(p->unread_count, 2);
  EXPECT_FALSE(p->prev.has_value());
  EXPECT_TRUE(p->next.has_value());
  // Staff see their own unread count (the patient's seven messages) on a plain page.
  EXPECT_EQ(read({{}, 2, {}}).unread_count, 7);
}

TEST_P(chat_service_store, list_unread_is_the_staff_inbox) {
  send(inbound("hi", "p2"));
  auto list = domain::list_unread(*reader_, staff(), "gh", "sb-demo", std::nullopt, limits_);
  ASSERT_TRUE(list.has_value()) << list.error().message;
  ASSERT_EQ(list->size(), 2u);
  EXPECT_EQ((*list)[0].patient, "p2");
  EXPECT_EQ((*list)[1].patient, "p1");
  EXPECT_EQ((*list)[1].unread, 7);
  auto one = domain::list_unread(*reader_, staff(), "gh", "sb-demo", 1, limits_);
  EXPECT_EQ(one.value().size(), 1u);
  auto denied = domain::list_unread(*reader_, patient(), "gh", "sb-demo", std::nullopt, limits_);
  ASSERT_FALSE(denied.has_value());
  EXPECT_EQ(denied.error().code, core::errc::forbidden);
  auto bad = domain::list_unread(*reader_, staff(), "gh", "sb-demo", 0, limits_);
  ASSERT_FALSE(bad.has_value());
  EXPECT_EQ(bad.error().code, core::errc::bad_request);
}

INSTANTIATE_TEST_SUITE_P(backends, chat_service_store, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
