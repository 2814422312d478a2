// Counts live (WebSocket) connections per token to enforce websocket_options::max_per_token.
// Thread-safety: all members may be called from any thread.
#pragma once

#include <atomic>
#include <cstddef>
#include <mutex>
#include <string>
#include <unordered_map>

namespace carechat::net {

class live_connections {
 public:
  // Takes a slot for `token_id` if it has fewer than `max`; false otherwise.
  bool try_acquire(const std::string& token_id, std::size_t max);
  void release(const std::string& token_id);
  // Live connections open now, over every token (for /metrics).
  std::size_t total() const noexcept { return total_.load(std::memory_order_relaxed); }

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> counts_;
  std::atomic<std::size_t> total_{0};
};

}  // namespace carechat::net
