// domain::log_bus on PostgreSQL: LISTEN/NOTIFY on a connection of its own. The channel is named
// after the schema carechat lives in, so two carechat databases in one PostgreSQL database do not
// wake each other. A NOTIFY is sent by the thread in wait(), in its own tiny transaction after the
// data's commit (synchronous_commit off: a hint need not be durable), never inside the data's
// transaction: a full notification queue (PostgreSQL refuses NOTIFYs at 8 GB) can then never fail
// a send, and the global lock PostgreSQL takes for a notifying commit is never held by the
// writer. One NOTIFY per call of wait() at most, carrying every log announced since.
// Thread-safety: announce() and wake() from any thread; wait() from one thread at a time.
#pragma once

#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "domain/log_bus.hpp"
#include "store/postgres/pg_connection.hpp"
#include "store/postgres/pg_options.hpp"

namespace carechat::store::postgres {

class pg_log_bus final : public domain::log_bus {
 public:
  explicit pg_log_bus(pg_options opts);
  ~pg_log_bus() override;
  pg_log_bus(const pg_log_bus&) = delete;
  pg_log_bus& operator=(const pg_log_bus&) = delete;

  void announce(std::span<const domain::log_hint> hints) override;
  std::vector<domain::log_hint> wait(std::chrono::milliseconds timeout) override;
  void wake() override;

 private:
  // The listening connection, (re)opened with LISTEN; false when the server cannot be reached.
  bool connected();
  void send_announcements();

  const pg_options opts_;
  int wake_fd_ = -1;                      // eventfd: announce() and wake() interrupt wait()
  std::optional<connection> conn_;        // wait()'s thread only
  std::string channel_;                   // wait()'s thread only: "carechat.events/<schema>"
  bool reconnected_ = false;              // wait()'s thread only: tell the caller to look everywhere
  std::mutex mutex_;
  std::vector<domain::log_hint> outbox_;  // guarded by mutex_: announced, not yet sent
};

}  // namespace carechat::store::postgres
