// Counts live (WebSocket) connections per token to enforce websocket_options::max_per_token.
// Thread-safety: all members may be called from any thread.
#pragma once

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

 private:
  std::mutex mutex_;
  std::unordered_map<std::string, std::size_t> counts_;
};

}  // namespace carechat::net
