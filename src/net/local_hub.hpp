// In-process event fan-out: one node's WebSocket sessions subscribe here; the group committer
// publishes each committed batch. Subscriptions are indexed by chat and by instance, so a message
// costs work proportional to its own watchers, not to every connection on the node.
// Thread-safety: all members may be called from any thread; deliveries happen under the hub's lock
// and therefore never race with unsubscribe().
#pragma once

#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/event_hub.hpp"

namespace carechat::net {

class local_hub final : public domain::event_hub {
 public:
  std::uint64_t subscribe(const domain::event_scope& scope, domain::event_subscriber& s) override;
  void unsubscribe(std::uint64_t id) override;
  void publish(std::span<const domain::chat_event> events) override;
  std::size_t subscribers() const;

 private:
  struct entry {
    std::string key;  // the index bucket it is filed under
    domain::event_subscriber* subscriber;
  };
  using bucket = std::unordered_map<std::uint64_t, domain::event_subscriber*>;

  mutable std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::unordered_map<std::uint64_t, entry> entries_;
  std::unordered_map<std::string, bucket> buckets_;  // "t\ni\np" for a chat, "t\ni" for an instance
};

}  // namespace carechat::net
