// The automatic thread counts: an explicit setting wins; otherwise I/O threads and SQLite readers
// follow the cores this process may run on (its affinity mask, as `taskset` sets it), SQLite
// readers at least 2, PostgreSQL readers 4.
#include "app/thread_counts.hpp"

#include <gtest/gtest.h>
#include <sched.h>

#include <algorithm>

namespace carechat::app {
namespace {

// Restricts the calling thread to its first allowed CPU for the test's lifetime.
class one_cpu {
 public:
  one_cpu() {
    CPU_ZERO(&saved_);
    ok_ = sched_getaffinity(0, sizeof saved_, &saved_) == 0;
    if (!ok_) return;
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &saved_)) {
        CPU_SET(c, &one);
        break;
      }
    ok_ = sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~one_cpu() {
    if (ok_) sched_setaffinity(0, sizeof saved_, &saved_);
  }
  bool ok() const { return ok_; }

 private:
  cpu_set_t saved_;
  bool ok_ = false;
};

TEST(thread_counts, explicit_settings_win_on_both_backends) {
  config cfg;
  cfg.io_threads = 3;
  cfg.reader_threads = 7;
  EXPECT_EQ(io_threads(cfg), 3u);
  EXPECT_EQ(reader_threads(cfg, backend::sqlite), 7u);
  EXPECT_EQ(reader_threads(cfg, backend::postgres), 7u);
}

TEST(thread_counts, automatic_counts_follow_the_affinity_mask) {
  cpu_set_t mask;
  ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
  const auto cores = static_cast<unsigned>(CPU_COUNT(&mask));
  const config cfg;  // both 0: automatic
  EXPECT_EQ(usable_cores(), cores);
  EXPECT_EQ(io_threads(cfg), cores);
  EXPECT_EQ(reader_threads(cfg, backend::sqlite), std::max(2u, cores));
  EXPECT_EQ(reader_threads(cfg, backend::postgres), 4u);
  {
    one_cpu pinned;  // what `taskset -c 0` does to a server
    ASSERT_TRUE(pinned.ok());
    EXPECT_EQ(usable_cores(), 1u);
    EXPECT_EQ(io_threads(cfg), 1u);
    EXPECT_EQ(reader_threads(cfg, backend::sqlite), 2u) << "at least two, so one long search holds up no page";
  }
  EXPECT_EQ(usable_cores(), cores);
}

}  // namespace
}  // namespace carechat::app
