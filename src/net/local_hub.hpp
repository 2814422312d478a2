// In-process event fan-out: one node's WebSocket sessions subscribe here; the group committer
// publishes each committed batch. Subscriptions are indexed by chat and by instance, so a message
// costs work proportional to its own watchers, not to every connection on the node. Each event is
// wrapped once in a shared live_event, whose frames every receiving session shares.
// Thread-safety: all members may be called from any thread; deliveries happen under the hub's lock
// and therefore never race with unsubscribe().
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/event_hub.hpp"
#include "domain/events.hpp"
#include "net/live_event.hpp"

namespace carechat::net {

class local_hub final : public domain::event_hub {
 public:
  // Registers `s` for events in `scope` from now on; returns an id for unsubscribe(). The caller
  // keeps `s` alive until unsubscribe() returns.
  std::uint64_t subscribe(const domain::event_scope& scope, live_subscriber& s);
  void unsubscribe(std::uint64_t id);
  void publish(std::span<const domain::chat_event> events) override;
  std::size_t subscribers() const;

 private:
  using bucket = std::unordered_map<std::uint64_t, live_subscriber*>;

  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, std::string> entries_;  // id -> the bucket it is filed under
  std::unordered_map<std::string, bucket> buckets_;  // "t\ni\np" for a chat, "t\ni" for an instance
};

}  // namespace carechat::net
