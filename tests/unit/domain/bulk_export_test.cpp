#include "domain/bulk_export.hpp"

#include <gtest/gtest.h>

namespace carechat::domain {
namespace {

TEST(bulk_export_test, files_are_ranges_between_boundaries) {
  export_job job;
  job.tenant = "gh";
  job.instance = "sb-demo";
  job.high_water = 9000;
  job.since = 42;
  job.file_ends = {1200, 5000, 7000};
  job.total = export_file_resources * 2 + 3;
  const auto first = job.file_range(0);
  EXPECT_EQ(first.after_seq, 0);
  EXPECT_EQ(first.upto_seq, 1200);
  EXPECT_EQ(first.since, 42);
  EXPECT_EQ(first.tenant, "gh");
  EXPECT_EQ(job.file_range(1).after_seq, 1200);
  EXPECT_EQ(job.file_range(1).upto_seq, 5000);
  EXPECT_EQ(job.file_range(2).after_seq, 5000);
  EXPECT_EQ(job.file_range(2).upto_seq, 7000);
  EXPECT_EQ(job.file_count(0), export_file_resources);
  EXPECT_EQ(job.file_count(1), export_file_resources);
  EXPECT_EQ(job.file_count(2), 3);
  EXPECT_EQ(job.file_count(3), 0);
}

TEST(bulk_export_test, thread_files_are_chat_id_ranges_bounded_by_the_same_mark) {
  export_job job;
  job.tenant = "gh";
  job.instance = "sb-demo";
  job.high_water = 9000;
  job.since = 42;
  job.thread_file_ends = {1500, 1800};
  job.thread_total = export_file_resources + 4;
  const auto first = job.thread_file_range(0);
  EXPECT_EQ(first.after_chat, 0);
  EXPECT_EQ(first.upto_chat, 1500);
  EXPECT_EQ(first.high_water, 9000);
  EXPECT_EQ(first.since, 42);
  EXPECT_EQ(first.instance, "sb-demo");
  EXPECT_EQ(job.thread_file_range(1).after_chat, 1500);
  EXPECT_EQ(job.thread_file_range(1).upto_chat, 1800);
  EXPECT_EQ(job.thread_file_count(0), export_file_resources);
  EXPECT_EQ(job.thread_file_count(1), 4);
  EXPECT_EQ(job.thread_file_count(2), 0);
  // The message files are counted apart.
  EXPECT_EQ(job.file_count(0), 0);
}

TEST(bulk_export_test, file_ends_round_trip) {
  EXPECT_EQ(format_file_ends({}), "");
  EXPECT_EQ(format_file_ends({1, 22, 333}), "1,22,333");
  EXPECT_EQ(*parse_file_ends(""), std::vector<std::int64_t>{});
  EXPECT_EQ(*parse_file_ends("1,22,333"), (std::vector<std::int64_t>{1, 22, 333}));
  for (const char* bad : {",", "1,", "a", "1,,2", "1 ,2", "99999999999999999999"})
    EXPECT_EQ(parse_file_ends(bad).error().code, core::errc::internal) << bad;
}

}  // namespace
}  // namespace carechat::domain
