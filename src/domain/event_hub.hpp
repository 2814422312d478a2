// Where committed events go live: the group committer publishes each committed batch here. The
// in-process fan-out to WebSocket sessions lives in net/ (net::local_hub); a multi-node backend
// (e.g. PostgreSQL LISTEN/NOTIFY) forwards other nodes' events into the same place.
// Thread-safety: publish() may be called from any thread and must not block for long: it runs on
// the writer thread.
#pragma once

#include <span>
#include <vector>

#include "domain/events.hpp"

namespace carechat::domain {

class event_hub {
 public:
  virtual ~event_hub() = default;
  // Fans out events just committed, in position order. Called by the group committer after each
  // batch commits, before the writers are told.
  virtual void publish(std::span<const chat_event> events) = 0;
};

// Publishes to several hubs, in the order given (e.g. caches to invalidate before the fan-out).
class event_hub_chain final : public event_hub {
 public:
  explicit event_hub_chain(std::vector<event_hub*> hubs) : hubs_(std::move(hubs)) {}
  void publish(std::span<const chat_event> events) override {
    for (event_hub* h : hubs_) h->publish(events);
  }

 private:
  std::vector<event_hub*> hubs_;
};

}  // namespace carechat::domain
