#include "app/thread_counts.hpp"

#include <sched.h>

#include <algorithm>
#include <thread>

namespace carechat::app {

unsigned usable_cores() {
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof set, &set) == 0) return std::max(1, CPU_COUNT(&set));
  return std::max(1u, std::thread::hardware_concurrency());
}

unsigned io_threads(const config& cfg) { return cfg.io_threads != 0 ? cfg.io_threads : usable_cores(); }

unsigned reader_threads(const config& cfg, backend b) {
  if (cfg.reader_threads != 0) return cfg.reader_threads;
  return b == backend::postgres ? 4u : std::max(2u, usable_cores());
}

}  // namespace carechat::app
