// Test harness: a blocking WebSocket client for the live event endpoints. A read that times out
// leaves the connection usable (the read stays pending and the next read() continues it), so a
// test can assert "nothing arrived" and then go on reading. Thread-safety: one per thread.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace carechat::testing {

struct ws_handshake {
  unsigned status = 0;                         // 101 when upgraded; else the HTTP refusal's status
  std::string body;                            // the refusal's body
  std::string subprotocol;                     // the Sec-WebSocket-Protocol the server picked
  std::map<std::string, std::string> headers;  // the answer's headers, lower-case names
};

struct ws_connect_options {
  std::map<std::string, std::string> headers;  // extra request headers (e.g. Origin)
  bool use_authorization_header = false;       // token in Authorization instead of the subprotocol
  int receive_buffer_bytes = 0;                // SO_RCVBUF set before connecting; 0 keeps the default
};

class ws_client {
 public:
  explicit ws_client(unsigned short port);
  ~ws_client();
  ws_client(const ws_client&) = delete;
  ws_client& operator=(const ws_client&) = delete;

  // Opens `target`. The token goes in Sec-WebSocket-Protocol ("carechat.v1, bearer.<token>") unless
  // `use_authorization_header`; an empty token sends none. Extra headers (e.g. Origin) are added as given.
  ws_handshake connect(const std::string& target, const std::string& token,
                       const std::map<std::string, std::string>& headers = {}, bool use_authorization_header = false);
  ws_handshake connect(const std::string& target, const std::string& token, const ws_connect_options& options);

  // The next text frame, or nullopt on timeout (closed() stays false, the stream stays usable) or
  // on close (then closed() / close_code() say why).
  std::optional<std::string> read(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  bool closed() const;
  int close_code() const;  // -1 when not closed by a close frame
  // Sends one text message; false if the write failed (or took longer than `timeout`).
  bool send(const std::string& text, std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Starts the closing handshake (code 1000) and waits for it (at most `timeout`).
  void close(std::chrono::milliseconds timeout = std::chrono::seconds(5));
  // Stop reading (the server's send queue then fills against the TCP window). Shrinking the buffer
  // after the handshake has a limited effect; prefer ws_connect_options::receive_buffer_bytes.
  void pause_reading_by_shrinking_buffers();

 private:
  struct impl;
  std::unique_ptr<impl> impl_;
};

}  // namespace carechat::testing
