// A committed event as this node's live connections share it: the event itself, and its frame
// for each viewer (staff, patient) serialized at most once, on first use, however many sessions
// send it. A message watched by 1,000 connections costs one or two serializations, not 1,000.
// Thread-safety: immutable after construction except the frames, which are built under
// std::call_once; frame() may be called from any thread.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>

#include "api/json_codec.hpp"
#include "domain/events.hpp"

namespace carechat::net {

class live_event {
 public:
  explicit live_event(domain::chat_event e) : event_(std::move(e)) {}
  live_event(const live_event&) = delete;
  live_event& operator=(const live_event&) = delete;

  const domain::chat_event& event() const noexcept { return event_; }
  std::int64_t position() const noexcept { return event_.position; }

  // The text frame `v` receives (api::serialize_event), built once and kept for the event's life.
  const std::string& frame(api::viewer v) const {
    const auto i = static_cast<std::size_t>(v == api::viewer::staff ? 0 : 1);
    std::call_once(once_[i], [&] { frames_[i] = api::serialize_event(event_, v); });
    return frames_[i];
  }

 private:
  domain::chat_event event_;
  mutable std::once_flag once_[2];
  mutable std::string frames_[2];
};

// A live connection as the hub sees it.
class live_subscriber {
 public:
  virtual ~live_subscriber() = default;
  // Called once per committed event in the subscriber's scope, in position order, on the
  // publishing (writer) thread: must not block.
  virtual void deliver(std::shared_ptr<const live_event> e) = 0;
};

}  // namespace carechat::net
