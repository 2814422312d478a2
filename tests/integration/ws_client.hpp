// Test harness: a blocking WebSocket client for the live event endpoints. Thread-safety: one per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace carechat::testing {

struct ws_handshake {
  unsigned status = 0;      // 101 when upgraded; else the HTTP refusal's status
  std::string body;         // the refusal's body
  std::string subprotocol;  // the Sec-WebSocket-Protocol the server picked
};

class ws_client {
 public:
  explicit ws_client(unsigned short port);
  ~ws_client();

  // Opens `target`. The token goes in Sec-WebSocket-Protocol ("carechat.v1, bearer.<token>") unless
  // `use_authorization_header`. Extra headers (e.g. Origin) are added as given.
  ws_handshake connect(const std::string& target, const std::string& token,
                       const std::map<std::string, std::string>& headers = {}, bool use_authorization_header = false);

  // The next text frame, or nullopt on timeout or close (then closed() / close_code() say why).
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool closed() const;
  int close_code() const;  // -1 when not closed by a close frame
  void close();
  // Stop reading (the server's send queue then fills against the TCP window).
  void pause_reading_by_shrinking_buffers();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace carechat::testing
