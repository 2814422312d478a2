// Contract: FHIR Bulk Data export (domain/bulk_export.hpp) on every backend. The high-water mark
// is the instance's newest seq; a range walks one instance's messages (every chat, archived ones
// too) in seq order, bounded by the mark and `since`; the count pass cuts it into files; a job is
// one per instance until it expires or is deleted.
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
  // Deleted only by its own instance.
  EXPECT_EQ(value_of(jobs->delete_export_job("bx4", "gh", "other")), 0);
  EXPECT_EQ(value_of(jobs->delete_export_job("bx4", "gh", "sb-demo")), 1);
  EXPECT_EQ(value_of(jobs->delete_export_job("bx4", "gh", "sb-demo")), 0);
  EXPECT_EQ(value_of(jobs->create_export_job(job("bx5", later), later)), 1);
}

INSTANTIATE_TEST_SUITE_P(backends, store_bulk_export, testing::ValuesIn(all_backends()), backend_name);

}  // namespace
}  // namespace carechat::test
