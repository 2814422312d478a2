// One live event connection (the chat-multi example's websocket_session, with its gaps closed):
// replays the log from the client's position, then streams live events with no gap and no
// duplicate, through a bounded send queue. A client that falls behind is closed with 4008 and
// resumes from the last position it received. Thread-safety: everything runs on the connection's
// executor (its I/O thread, an implicit strand) except deliver() and stop(), which may be called
// from any thread and only post to it. Stream: plain_stream or tls_stream (net/transport.hpp); both
// are instantiated in the .cpp.
#pragma once

#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <boost/beast/websocket.hpp>

#include "api/json_codec.hpp"
#include "net/live_event.hpp"
#include "net/asio.hpp"
#include "net/services.hpp"
#include "net/transport.hpp"

namespace carechat::net {

namespace websocket = boost::beast::websocket;

// Close codes of the live protocol (docs/api/events.md).
inline constexpr std::uint16_t close_slow_consumer = 4008;

template <class Stream>
class websocket_session final : public live_subscriber,
                                public std::enable_shared_from_this<websocket_session<Stream>> {
 public:
  websocket_session(websocket::stream<Stream> ws, services& svc, domain::event_scope scope, api::viewer v);

  // Accepts the handshake for `req`, replays from `from.after` (or starts live), then serves until
  // the connection closes. Unsubscribes before returning. `request_id`: echoed as X-Request-Id on
  // the 101 (copied before the first suspension).
  asio::awaitable<void> run(const request& req, domain::resume_point from, bool echo_subprotocol,
                            std::string_view request_id = {});

  void deliver(std::shared_ptr<const live_event> e) override;
  void stop();  // server shutdown: close with 1001 going away

 private:
  asio::awaitable<bool> replay(domain::resume_point from);
  void on_event(std::shared_ptr<const live_event> e);
  // Frames are shared: a live event's frame is the same string for every session of its viewer.
  void enqueue(std::shared_ptr<const std::string> frame);
  void close_with(websocket::close_reason reason);
  asio::awaitable<void> write_loop();

  websocket::stream<Stream> ws_;
  services& svc_;
  domain::event_scope scope_;
  api::viewer viewer_;
  std::uint64_t subscription_ = 0;
  // own-thread-only state
  bool replaying_ = true;
  bool writing_ = false;
  bool closed_ = false;
  std::optional<websocket::close_reason> closing_;
  std::int64_t last_sent_ = 0;
  std::int64_t epoch_ = 0;  // the log's epoch, read with the bounds; the ready frame reports it
  bool following_ = false;  // the log follower (several nodes) follows this session's log for it
  std::vector<std::shared_ptr<const live_event>> held_;  // live events that arrive during replay
  std::deque<std::shared_ptr<const std::string>> queue_;
};

}  // namespace carechat::net
