#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <thread>
#include <vector>

namespace carechat::core::metrics {
namespace {

TEST(metrics, counters_sum_every_threads_shard) {
  counter_array c(3);
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 10'000; ++i) c.add(1);
      c.add(2, 5);
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(c.value(0), 0u);
  EXPECT_EQ(c.value(1), 80'000u);
  EXPECT_EQ(c.value(2), 40u);
}

TEST(metrics, histogram_buckets_are_cumulative_and_count_matches_inf) {
  histogram h({10, 100});
  for (std::uint64_t v : {5u, 10u, 11u, 100u, 1000u}) h.observe(v);
  const auto s = h.snapshot();
  EXPECT_EQ(s.cumulative, (std::vector<std::uint64_t>{2, 4, 5}));  // <=10, <=100, +Inf
  EXPECT_EQ(s.count, 5u);
  EXPECT_EQ(s.sum, 1126u);
}

TEST(metrics, renders_the_text_format_with_escaped_labels) {
  registry reg;
  counter c;
  c.add(3);
  histogram h({25'000, 1'000'000});
  h.observe(20'000);
  h.observe(2'000'000);
  reg.add_counter("demo_requests_total", "Requests.\nSecond line \\ here.", c);
  reg.add_family("demo_labelled_total", "Labelled.", metric_type::counter,
                 [](sample_writer& w) { w.sample({{"path", "a\"b\\c\nd"}}, std::uint64_t{1}); });
  reg.add_histogram("demo_duration_seconds", "Durations.", h, 1e6);
  reg.add_gauge("demo_depth", "Depth.", [] { return 2.5; });
  EXPECT_EQ(reg.render(),
            "# HELP demo_requests_total Requests.\\nSecond line \\\\ here.\n"
            "# TYPE demo_requests_total counter\n"
            "demo_requests_total 3\n"
            "# HELP demo_labelled_total Labelled.\n"
            "# TYPE demo_labelled_total counter\n"
            "demo_labelled_total{path=\"a\\\"b\\\\c\\nd\"} 1\n"
            "# HELP demo_duration_seconds Durations.\n"
            "# TYPE demo_duration_seconds histogram\n"
            "demo_duration_seconds_bucket{le=\"0.025\"} 1\n"
            "demo_duration_seconds_bucket{le=\"1\"} 1\n"
            "demo_duration_seconds_bucket{le=\"+Inf\"} 2\n"
            "demo_duration_seconds_sum 2.02\n"
            "demo_duration_seconds_count 2\n"
            "# HELP demo_depth Depth.\n"
            "# TYPE demo_depth gauge\n"
            "demo_depth 2.5\n");
}

TEST(metrics, refuses_invalid_names_and_bounds) {
  registry reg;
  EXPECT_THROW(reg.add_gauge("9lives", "x", [] { return 0.0; }), std::invalid_argument);
  EXPECT_THROW(reg.add_gauge("has-dash", "x", [] { return 0.0; }), std::invalid_argument);
  EXPECT_THROW(histogram({10, 10}), std::invalid_argument);
}

}  // namespace
}  // namespace carechat::core::metrics
