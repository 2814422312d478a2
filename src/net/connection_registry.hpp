// Tracks live connections so a graceful stop can close the idle ones at once while busy ones
// finish their request. Thread-safety: all members are safe from any thread.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <unordered_map>

namespace carechat::net {

class connection_registry {
 public:
  // `close_if_idle` is called (from any thread) when the server stops; it must hop to the
  // connection's executor itself. Returns an id for remove().
  std::uint64_t add(std::function<void()> close_if_idle);
  void remove(std::uint64_t id);
  std::size_t size() const;

  // Marks the server as stopping and asks every connection to close when idle.
  void stop_all();
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

 private:
  mutable std::mutex mutex_;
  std::unordered_map<std::uint64_t, std::function<void()>> closers_;
  std::uint64_t next_id_ = 1;
  std::atomic<bool> stopping_{false};
};

}  // namespace carechat::net
