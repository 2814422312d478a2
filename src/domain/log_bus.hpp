// Hints between the processes that share a database: "log L has committed events up to position P".
// Only a wake-up call, never the events themselves (readers fetch those from the durable log), and
// lossy: a reader also polls, so a hint lost or never sent costs latency, never an event.
// Implemented by the PostgreSQL store (LISTEN/NOTIFY); SQLite, served by one process, has none.
// Thread-safety: announce() from any thread (the writer thread: it never blocks); wait() and
// stop() as stated.
#pragma once

#include <chrono>
#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace carechat::domain {

struct log_hint {
  std::string tenant;
  std::string instance;
  std::int64_t position = 0;
};

class log_bus {
 public:
  virtual ~log_bus() = default;
  // This process committed events of these logs, up to these positions. Queued and sent by the
  // thread in wait() (never on the caller's thread, never inside the data's transaction).
  virtual void announce(std::span<const log_hint> hints) = 0;
  // Sends what announce() queued, then waits up to `timeout` for hints from other processes.
  // Returns them (possibly none: a timeout). After a lost connection it returns one hint with an
  // empty tenant: "anything may have moved". Called by one thread at a time.
  virtual std::vector<log_hint> wait(std::chrono::milliseconds timeout) = 0;
  // Makes a wait() in progress return at once (shutdown). Any thread.
  virtual void wake() = 0;
};

}  // namespace carechat::domain
