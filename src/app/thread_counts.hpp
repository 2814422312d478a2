// How many threads serve uses when a count is left at 0 (automatic): I/O threads and database
// readers. Both follow the cores this process may run on, so a server under `taskset`, a cgroup
// cpuset or a container limited to fewer CPUs than the machine has sizes itself to what it gets.
#pragma once

#include "app/config.hpp"
#include "app/store_factory.hpp"

namespace carechat::app {

// The CPUs in this thread's affinity mask (sched_getaffinity), at least 1; the machine's count if
// the mask cannot be read.
unsigned usable_cores();

// CARECHAT_IO_THREADS, or one per usable core.
unsigned io_threads(const config& cfg);

// CARECHAT_READER_THREADS, or by backend: on SQLite one per usable core, at least 2 (a read is CPU
// in this process, and more runnable readers than cores only preempt one another mid-read: figure
// 5a's 10 M p99 was 1.8-2.0 ms with 4 readers on 2 cores against 1.1-1.35 ms with 2, see
// docs/benchmarks.md; at least 2 so a long search does not hold up every page); on PostgreSQL 4,
// since a reader there mostly waits for the database server's answer.
unsigned reader_threads(const config& cfg, backend b);

}  // namespace carechat::app
