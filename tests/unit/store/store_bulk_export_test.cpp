// Contract: FHIR Bulk Data export (domain/bulk_export.hpp) on every backend. The high-water mark
// is the instance's newest seq; a range walks one instance's messages (every chat, archived ones
// too) in seq order, bounded by the mark and `since`; the count pass cuts it into files; a job is
// one per instance until it expires or is deleted. A thread range walks the instance's chats that
// have a message in the snapshot, in id order.
#include <limits>

#include "domain/bulk_export.hpp"
#include "domain/chat_service.hpp"
#include "unit/store/support/store_contract.hpp"

namespace carechat::test {
namespace {

class store_bulk_export : public store_contract {
 protected:
  domain::export_range whole(std::int64_t mark, std::optional<core::unix_ms> since = std::nullopt) {
    return domain::export_range{"gh", "sb-demo", 0, mark, since};
  }
  std::int64_t mark() {
    auto m = reader_->export_high_water("gh", "sb-demo");
    EXPECT_TRUE(m.has_value());
    return m ? *m : -1;
  }
  std::vector<std::string> exported(const domain::export_range& r, int limit = 1000) {
    auto rows = reader_->export_messages(r, limit);
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    std::vector<std::string> out;
    if (rows)
      for (auto& m : *rows) out.push_back(m.patient + ":" + m.msg.text);
    return out;
  }
  domain::export_thread_range threads(std::int64_t mark, std::optional<core::unix_ms> since = std::nullopt) {
    return domain::export_thread_range{"gh", "sb-demo", 0, std::numeric_limits<std::int64_t>::max(), mark, since};
  }
  // "patient:first-last" per chat, first/last in seconds since start_ms.
  std::vector<std::string> exported_threads(const domain::export_thread_range& r, int limit = 1000) {
    auto rows = reader_->export_threads(r, limit);
    EXPECT_TRUE(rows.has_value()) << (rows ? "" : rows.error().message);
    std::vector<std::string> out;
    if (rows)
      for (auto& t : *rows)
        out.push_back(t.patient + ":" + std::to_string((t.first_message_at - start_ms) / 1000) + "-" +
                      std::to_string((t.last_message_at - start_ms) / 1000));
    return out;
  }
  static int value_of(const core::result<bool>& r) {
    EXPECT_TRUE(r.has_value()) << (r ? "" : r.error().message);
    return r ? static_cast<int>(*r) : -1;
  }
  domain::export_job job(const std::string& id, core::unix_ms now) {
    domain::export_job j;
    j.id = id;
    j.tenant = "gh";
    j.instance = "sb-demo";
    j.token_id = "tk_1";
    j.since = 5;
    j.transaction_time = now;
    j.high_water = 42;
    j.request = "http://h/fhir/R4/Group/gh.sb-demo/$export";
    j.file_ends = {10, 20};
    j.total = domain::export_file_resources + 1;
    j.thread_file_ends = {3, 7};
    j.thread_total = domain::export_file_resources + 2;
    j.created_at = now;
    j.expires_at = now + domain::export_job_ttl_ms;
    return j;
  }
};

TEST_P(store_bulk_export, a_range_is_one_instance_in_seq_order_up_to_the_mark) {
  EXPECT_EQ(mark(), 0);  // no message yet
  send(inbound("a1"));
  send(inbound("b1", "p2"));
  send(inbound_to(chat_at("other", "sb-demo", "p1"), "elsewhere"));
  send(outbound("a2"));
  const std::int64_t at = mark();
  EXPECT_GT(at, 0);
  send(inbound("after the mark"));
  EXPECT_EQ(exported(whole(at)), (std::vector<std::string>{"p1:a1", "p2:b1", "p1:a2"}));
  // Archived messages are in it.
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), clock_.now_ms(), clock_).value()).has_value());
  EXPECT_EQ(exported(whole(at)).size(), 3u);
  // A limit, then on from the last seq.
  auto first = reader_->export_messages(whole(at), 2);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->size(), 2u);
  auto rest = whole(at);
  rest.after_seq = first->back().msg.seq;
  EXPECT_EQ(exported(rest), std::vector<std::string>{"p1:a2"});
  // since: created strictly after it.
  EXPECT_EQ(exported(whole(at, first->front().msg.created_at)), (std::vector<std::string>{"p2:b1", "p1:a2"}));
  auto span = reader_->export_span(whole(at), 2);
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->count, 2);
  EXPECT_EQ(span->last_seq, first->back().msg.seq);
  auto all = reader_->export_span(whole(at), 1000);
  ASSERT_TRUE(all.has_value());
  EXPECT_EQ(all->count, 3);
}

TEST_P(store_bulk_export, the_count_pass_cuts_files) {
  std::vector<std::string> texts;
  for (int i = 0; i < 5; ++i) texts.push_back("m" + std::to_string(i));
  send_all(texts);
  auto plan = domain::plan_export(*reader_, whole(mark()));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->total, 5);
  ASSERT_EQ(plan->file_ends.size(), 1u);
  EXPECT_EQ(plan->file_ends[0], mark());
  auto none = domain::plan_export(*reader_, whole(mark(), start_ms + 100'000'000));
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->total, 0);
  EXPECT_TRUE(none->file_ends.empty());
}

// The thread headers: the instance's chats that have a message at or below the mark (after
// `since`), in chat id order, each with its oldest and newest message at or below the mark
// (archived ones too, `since` aside); a chat created after the mark is not there.
TEST_P(store_bulk_export, a_thread_range_is_the_chats_with_a_message_in_the_snapshot) {
  EXPECT_TRUE(exported_threads(threads(mark())).empty());
  send(inbound("a1"));                                               // t=0, chat p1
  send(inbound("b1", "p2"));                                         // t=1, chat p2
  send(inbound_to(chat_at("other", "sb-demo", "p1"), "elsewhere"));  // t=2, another tenant
  const auto a2 = send(outbound("a2"));                              // t=3
  send(inbound("c1", "p3"));                                         // t=4, chat p3
  const std::int64_t at = mark();
  send(inbound("after the mark"));  // t=5: p1's newest is still a2 in the snapshot
  send(inbound("new chat", "p4"));  // a chat created after the mark
  EXPECT_EQ(exported_threads(threads(at)), (std::vector<std::string>{"p1:0-3", "p2:1-1", "p3:4-4"}));
  // Archived messages count.
  ASSERT_TRUE(apply(domain::prepare_archive(staff(), chat(), clock_.now_ms(), clock_).value()).has_value());
  EXPECT_EQ(exported_threads(threads(at)), (std::vector<std::string>{"p1:0-3", "p2:1-1", "p3:4-4"}));
  // since: only chats with a message created strictly after it, their headers whole.
  EXPECT_EQ(exported_threads(threads(at, start_ms + 1000)), (std::vector<std::string>{"p1:0-3", "p3:4-4"}));
  EXPECT_EQ(exported_threads(threads(at, a2.created_at)), std::vector<std::string>{"p3:4-4"});
  // A limit, then on from the last chat id; the span counts the same chats.
  auto first = reader_->export_threads(threads(at), 2);
  ASSERT_TRUE(first.has_value());
  ASSERT_EQ(first->size(), 2u);
  auto rest = threads(at);
  rest.after_chat = first->back().chat_id;
  EXPECT_EQ(exported_threads(rest), std::vector<std::string>{"p3:4-4"});
  rest.after_chat = 0;
  rest.upto_chat = first->front().chat_id;
  EXPECT_EQ(exported_threads(rest), std::vector<std::string>{"p1:0-3"});
  auto span = reader_->export_thread_span(threads(at), 2);
  ASSERT_TRUE(span.has_value());
  EXPECT_EQ(span->count, 2);
  EXPECT_EQ(span->last_seq, first->back().chat_id);
  auto plan = domain::plan_export_threads(*reader_, threads(at));
  ASSERT_TRUE(plan.has_value());
  EXPECT_EQ(plan->total, 3);
  ASSERT_EQ(plan->file_ends.size(), 1u);
  auto none = domain::plan_export_threads(*reader_, threads(at, start_ms + 100'000'000));
  ASSERT_TRUE(none.has_value());
  EXPECT_EQ(none->total, 0);
  EXPECT_TRUE(none->file_ends.empty());
  EXPECT_TRUE(reader_->export_threads(threads(at), 0)->empty());
}

TEST_P(store_bulk_export, one_job_per_instance_until_it_expires_or_is_deleted) {
  auto* jobs = store_->export_jobs();
  ASSERT_NE(jobs, nullptr);
  const core::unix_ms now = start_ms;
  ASSERT_EQ(value_of(jobs->create_export_job(job("bx1", now), now)), 1);
  auto read = reader_->export_job_by_id("bx1");
  ASSERT_TRUE(read.has_value() && read->has_value());
  EXPECT_EQ((*read)->since, 5);
  EXPECT_EQ((*read)->file_ends, (std::vector<std::int64_t>{10, 20}));
  EXPECT_EQ((*read)->total, domain::export_file_resources + 1);
  EXPECT_EQ((*read)->request, "http://h/fhir/R4/Group/gh.sb-demo/$export");
  EXPECT_EQ((*read)->thread_file_ends, (std::vector<std::int64_t>{3, 7}));
  EXPECT_EQ((*read)->thread_total, domain::export_file_resources + 2);
  // A second job of the instance while the first lives: refused, nothing changed.
  EXPECT_EQ(value_of(jobs->create_export_job(job("bx2", now + 1), now + 1)), 0);
  EXPECT_FALSE(reader_->export_job_by_id("bx2")->has_value());
  // Another instance is not held up.
  auto elsewhere = job("bx3", now);
  elsewhere.instance = "other";
  EXPECT_EQ(value_of(jobs->create_export_job(elsewhere, now)), 1);
  // Expired: replaced by the next kick-off.
  const core::unix_ms later = now + domain::export_job_ttl_ms;
  auto next = job("bx4", later);
  next.since.reset();
  EXPECT_EQ(value_of(jobs->create_export_job(next, later)), 1);
  EXPECT_FALSE(reader_->export_job_by_id("bx1")->has_value());
  EXPECT_FALSE((*reader_->export_job_by_id("bx4"))->since.has_value());
  EXPECT_EQ((*reader_->export_job_by_id("bx4"))->thread_file_ends, (std::vector<std::int64_t>{3, 7}));
  // Deleted only by its own instance.
  EXPECT_EQ(value_of(jobs->delete_export_job("bx4", "gh", "other")), 0);
  EXPECT_EQ(value_of(jobs->delete_export_job("bx4", "gh", "sb-demo")), 1);
  EXPECT_EQ(value_of(jobs->delete_export_job("bx4", "gh", "sb-demo")), 0);
  EXPECT_EQ(value_of(jobs->create_export_job(job("bx5", later), later)), 1);
}

INSTANTIATE_TEST_SUITE_P(backends, store_bulk_export, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
