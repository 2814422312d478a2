// Limits of the live event endpoints (STYLE habit 2). Thread-safety: plain value, read-only after start.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <vector>

namespace carechat::net {

struct websocket_options {
  std::size_t max_queued_frames = 1024;  // a subscriber further behind is closed (4008) and resumes
  std::size_t max_per_token = 16;        // concurrent live connections per token; more get 429
  std::chrono::seconds idle_timeout{60}; // pings every half of it; no answer by then closes
  std::size_t max_client_message_bytes = 4096;  // clients send nothing we need; bound what they may
  int replay_batch = 500;                // events read from the log per round trip while catching up
  // Origins (scheme://host[:port]) whose pages may open a live connection, besides the server's
  // own origin. Requests without Origin (non-browser clients) are allowed.
  std::vector<std::string> allowed_origins;
};

}  // namespace carechat::net
