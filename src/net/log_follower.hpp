// Live events across nodes: the durable event log is the delivery path. When several carechat
// nodes share one database (PostgreSQL), a node's sessions must see the events every node
// commits, each once and in log order. The follower keeps, for each log (tenant/instance) that has
// subscribers on this node, the position it has delivered up to, and hands the local hub each
// next position exactly once:
// - this node's own commits arrive through publish() (the group committer's hub chain, as on a
//   single node) and go live at once when they are next in line; the other nodes are told with a
//   hint (domain::log_bus: NOTIFY), sent off the writer thread;
// - other nodes' commits are read from the log (store_reader::events_after) by the follower's
//   thread, woken by their hints, and every 250 ms whatever happens (a hint may be lost);
// - an event that arrives ahead of a gap (this node's commit, while an earlier position from
//   another node is not read yet) waits for the gap to be read, so order always holds.
// Only logs with local subscribers are read: a node never follows every clinic's traffic.
//
// A session tracks its log from the position it read before replaying (websocket_session): the
// follower delivers everything after it, the replay everything up to its end, and the session's
// position check drops what both deliver.
// Thread-safety: publish(), track() and untrack() from any thread (they never block on I/O);
// one thread of its own reads the log; stop() from any thread, once.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain/event_hub.hpp"
#include "domain/log_bus.hpp"
#include "store/reader_pool.hpp"

namespace carechat::net {

class log_follower final : public domain::event_hub {
 public:
  struct options {
    // How often every followed log is read even without a hint (hints are lossy).
    std::chrono::milliseconds poll_interval{250};
    // Events read from the log per query.
    int batch = 500;
    // Events held ahead of a gap per log, at most; past it they are dropped and read again from the
    // log once the gap is filled (memory stays bounded whatever the other nodes do).
    std::size_t max_held = 10'000;
  };

  // `deliver` is where events go live in order (this node's page cache, then its local hub).
  // Starts the thread. `bus` may be null (hints off: polling only).
  log_follower(store::reader_pool& readers, domain::log_bus* bus, domain::event_hub& deliver, options o);
  ~log_follower() override;  // stop()
  log_follower(const log_follower&) = delete;
  log_follower& operator=(const log_follower&) = delete;

  // This node's commits (called by the group committer, on the writer thread, in position order).
  void publish(std::span<const domain::chat_event> events) override;
  // A local subscriber of `tenant`/`instance`'s log that has everything up to `from` (the log's
  // last position when it started its replay). The first one makes the log followed from there.
  void track(const std::string& tenant, const std::string& instance, std::int64_t from);
  void untrack(const std::string& tenant, const std::string& instance);
  void stop();

  // For tests: logs followed now.
  std::size_t followed() const;

 private:
  using log_key = std::pair<std::string, std::string>;
  struct log_state {
    int subscribers = 0;
    std::int64_t upto = 0;                         // the last position delivered
    std::map<std::int64_t, domain::chat_event> held;  // ahead of a gap
    bool fetch = false;                            // read it at the next round
  };

  void run();
  // Delivers what is next in line for `key` (the caller holds mutex_); true when a gap remains.
  bool offer(log_state& s, const domain::chat_event& e);
  void drain(log_state& s);
  // Reads `key` from the log after its position, until caught up (on the follower's thread).
  void fetch(const log_key& key);

  store::reader_pool& readers_;
  domain::log_bus* bus_;
  domain::event_hub& deliver_;
  const options opts_;
  mutable std::mutex mutex_;
  std::condition_variable wake_;   // for the thread's wait when there is no bus
  std::map<log_key, log_state> logs_;  // guarded by mutex_
  bool stopping_ = false;              // guarded by mutex_
  std::thread thread_;                 // last: starts after everything it uses exists
};

}  // namespace carechat::net
