// Live fan-out of committed events to subscribers (WebSocket sessions). The in-process hub lives
// in net/; a multi-node backend (PostgreSQL LISTEN/NOTIFY) implements the same interface.
// Thread-safety: every member may be called from any thread. deliver() must not block: it is
// called on the publishing (writer) thread.
#pragma once

#include <cstdint>
#include <memory>
#include <span>

#include "domain/events.hpp"

namespace carechat::domain {

class event_subscriber {
 public:
  virtual ~event_subscriber() = default;
  // Called once per committed event in the subscriber's scope, in position order.
  virtual void deliver(std::shared_ptr<const chat_event> e) = 0;
};

class event_hub {
 public:
  virtual ~event_hub() = default;
  // Registers `s` for events in `scope` from now on; returns an id for unsubscribe(). The caller
  // keeps `s` alive until unsubscribe() returns.
  virtual std::uint64_t subscribe(const event_scope& scope, event_subscriber& s) = 0;
  virtual void unsubscribe(std::uint64_t id) = 0;
  // Fans out events just committed, in position order. Called by the group committer after each
  // batch commits, before the writers are told.
  virtual void publish(std::span<const chat_event> events) = 0;
};

}  // namespace carechat::domain
