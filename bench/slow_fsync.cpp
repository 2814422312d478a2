// An imitation of a slower disk for docs/benchmarks.md's "2b on a slower machine": LD_PRELOADed
// into the server and the raw-SQLite baseline alike, it adds a delay after every fsync and
// fdatasync: BENCH_FSYNC_US always, plus BENCH_FSYNC_SPIKE_US for BENCH_FSYNC_SPIKE_PER_MILLE of
// them (a disk with a fast median and a slow tail). No device-mapper or cgroup io controller on
// the bench VMs, hence a shim. Never part of the server or its tests.
//   LD_PRELOAD=build-release/bench/libslow_fsync.so BENCH_FSYNC_US=500 BENCH_FSYNC_SPIKE_US=20000 \
//     BENCH_FSYNC_SPIKE_PER_MILLE=10 python3 bench/run.py --only 2
#include <dlfcn.h>
#include <time.h>

#include <cstdlib>
#include <random>

namespace {

using sync_fn = int (*)(int);
sync_fn real_fsync = nullptr;
sync_fn real_fdatasync = nullptr;
long base_us = 0, spike_us = 0, spike_per_mille = 0;

long env_long(const char* name) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atol(v) : 0;
}

__attribute__((constructor)) void load() {
  real_fsync = reinterpret_cast<sync_fn>(dlsym(RTLD_NEXT, "fsync"));
  real_fdatasync = reinterpret_cast<sync_fn>(dlsym(RTLD_NEXT, "fdatasync"));
  base_us = env_long("BENCH_FSYNC_US");
  spike_us = env_long("BENCH_FSYNC_SPIKE_US");
  spike_per_mille = env_long("BENCH_FSYNC_SPIKE_PER_MILLE");
}

void slow_down() {
  thread_local std::minstd_rand rng{std::random_device{}()};
  long us = base_us;
  if (spike_per_mille > 0 && static_cast<long>(rng() % 1000) < spike_per_mille) us += spike_us;
  if (us <= 0) return;
  timespec ts{us / 1000000, (us % 1000000) * 1000};
  nanosleep(&ts, nullptr);
}

}  // namespace

extern "C" int fsync(int fd) {
  const int rc = real_fsync(fd);
  slow_down();
  return rc;
}

extern "C" int fdatasync(int fd) {
  const int rc = real_fdatasync(fd);
  slow_down();
  return rc;
}
