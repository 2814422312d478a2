#include "net/websocket_session.hpp"

#include "core/log.hpp"
#include "net/log_follower.hpp"
#include "net/offload.hpp"

namespace carechat::net {
namespace {

websocket::close_reason slow_consumer() {
  // 4000-4999 are application codes (RFC 6455 7.4.2); Beast's enum stops at the standard ones.
  return websocket::close_reason(static_cast<websocket::close_code>(close_slow_consumer),
                                 "too slow: reconnect with after=<last position seen>");
}

}  // namespace

template <class Stream>
websocket_session<Stream>::websocket_session(websocket::stream<Stream> ws, services& svc, domain::event_scope scope,
                                     api::viewer v)
    : ws_(std::move(ws)), svc_(svc), scope_(std::move(scope)), viewer_(v) {}

template <class Stream>
void websocket_session<Stream>::deliver(std::shared_ptr<const live_event> e) {
  asio::post(ws_.get_executor(),
             [self = this->shared_from_this(), e = std::move(e)]() mutable { self->on_event(std::move(e)); });
}

template <class Stream>
void websocket_session<Stream>::stop() {
  asio::post(ws_.get_executor(), [self = this->shared_from_this()] {
    // 1012 Service Restart: reconnect (through the load balancer, to another node) and resume.
    self->close_with(websocket::close_reason(websocket::close_code::service_restart,
                                             "server is restarting: reconnect with after=<last position seen>"));
  });
}

template <class Stream>
void websocket_session<Stream>::on_event(std::shared_ptr<const live_event> e) {
  if (closed_ || closing_) return;
  if (replaying_) {
    if (held_.size() >= svc_.websocket.max_queued_frames) {
      close_with(slow_consumer());
      return;
    }
    held_.push_back(std::move(e));
    return;
  }
  if (e->position() <= last_sent_) return;  // already sent by the replay
  last_sent_ = e->position();
  const std::string* frame = &e->frame(viewer_);
  enqueue(std::shared_ptr<const std::string>(std::move(e), frame));  // shares the event's ownership
}

template <class Stream>
void websocket_session<Stream>::enqueue(std::shared_ptr<const std::string> frame) {
  if (closed_ || closing_) return;
  if (queue_.size() >= svc_.websocket.max_queued_frames) {
    close_with(slow_consumer());
    return;
  }
  queue_.push_back(std::move(frame));
  if (!writing_) {
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), write_loop(), asio::detached);
  }
}

template <class Stream>
void websocket_session<Stream>::close_with(websocket::close_reason reason) {
  if (closed_ || closing_) return;
  closing_ = reason;
  queue_.clear();  // a closing client resumes from its own last position; nothing more is sent
  if (!writing_ && !replaying_) {
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), write_loop(), asio::detached);
  }
}

// The only writer after the replay: one frame at a time (Beast allows one outstanding write), then
// the close frame if one is pending.
template <class Stream>
asio::awaitable<void> websocket_session<Stream>::write_loop() {
  auto self = this->shared_from_this();
  while (!queue_.empty() && !closing_) {
    const std::shared_ptr<const std::string> frame = std::move(queue_.front());
    queue_.pop_front();
    auto [ec, n] = co_await ws_.async_write(asio::buffer(*frame), use_tuple);
    if (ec) {
      closed_ = true;
      writing_ = false;
      co_return;
    }
  }
  if (closing_ && !closed_) {
    closed_ = true;
    const websocket::close_reason reason = *closing_;
    co_await ws_.async_close(reason, use_tuple);  // a failed close leaves nothing to do
  }
  writing_ = false;
}

// Sends everything after `after` from the durable log, then releases the live events held meanwhile.
// The subscription was taken before the log was read, so an event committed at any moment is either
// in the log read or held (or both: the position check drops the duplicate).
template <class Stream>
asio::awaitable<bool> websocket_session<Stream>::replay(domain::resume_point from) {
  auto bounds = co_await run_blocking(svc_.blocking, [this]() -> core::result<domain::event_log_bounds> {
    auto lease = svc_.readers.acquire();
    return lease->event_bounds(scope_);
  });
  if (!bounds) co_return false;
  epoch_ = bounds->epoch;
  // Other nodes' events reach this node's hub from here on (nothing before: the replay has it).
  if (svc_.follower != nullptr && !following_) {
    svc_.follower->track(scope_.tenant, scope_.instance, bounds->latest);
    following_ = true;
  }
  const std::optional<std::int64_t> after = from.after;
  const bool other_epoch = from.epoch && *from.epoch != bounds->epoch;
  if (!after) {
    last_sent_ = bounds->latest;  // live only, from now
  } else if (other_epoch || *after < bounds->floor || *after > bounds->latest) {
    // Too old to replay, numbered in another epoch (the database moved or was restored), or a
    // position this log never issued (another database, a reset): the client's view cannot be
    // continued; it must refetch.
    last_sent_ = bounds->latest;
    const std::string frame = api::serialize_resync_required(bounds->latest, bounds->epoch, other_epoch);
    auto [ec, n] = co_await ws_.async_write(asio::buffer(frame), use_tuple);
    if (ec) co_return false;
  } else {
    last_sent_ = *after;
    // Told to close meanwhile (too slow, or the server stops)? Stop replaying and fall through to
    // the close below: returning early would leave the connection open and silent.
    bool more = true;
    while (more && !closing_) {
      const std::int64_t from = last_sent_;
      auto batch = co_await run_blocking(svc_.blocking, [this, from]() -> core::result<std::vector<domain::chat_event>> {
        auto lease = svc_.readers.acquire();
        return lease->events_after(scope_, from, svc_.websocket.replay_batch);
      });
      if (!batch) co_return false;
      for (const auto& e : *batch) {
        if (closing_) break;
        const std::string frame = api::serialize_event(e, viewer_);
        auto [ec, n] = co_await ws_.async_write(asio::buffer(frame), use_tuple);
        if (ec) co_return false;
        last_sent_ = e.position;
      }
      more = static_cast<int>(batch->size()) >= svc_.websocket.replay_batch;
    }
  }
  replaying_ = false;
  if (closing_) {  // closed while replaying (slow or stopping): send the close now
    writing_ = true;
    asio::co_spawn(ws_.get_executor(), write_loop(), asio::detached);
    co_return true;
  }
  enqueue(std::make_shared<const std::string>(api::serialize_ready(last_sent_, epoch_)));
  auto held = std::move(held_);
  held_.clear();
  for (auto& e : held) on_event(std::move(e));
  co_return true;
}

template <class Stream>
asio::awaitable<void> websocket_session<Stream>::run(const request& req, domain::resume_point from,
                                             bool echo_subprotocol, std::string_view request_id) {
  auto self = this->shared_from_this();
  beast::get_lowest_layer(ws_).expires_never();  // the websocket stream keeps its own timeouts
  websocket::stream_base::timeout t{};
  t.handshake_timeout = std::chrono::seconds(30);
  t.idle_timeout = svc_.websocket.idle_timeout;
  t.keep_alive_pings = true;
  ws_.set_option(t);
  ws_.read_message_max(svc_.websocket.max_client_message_bytes);
  ws_.set_option(websocket::stream_base::decorator([echo_subprotocol, rid = std::string(request_id)](
                                                       websocket::response_type& res) {
    res.set(http::field::server, "carechat");
    add_transport_headers<Stream>(res);
    if (!rid.empty()) res.set("X-Request-Id", rid);
    if (echo_subprotocol) res.set(http::field::sec_websocket_protocol, "carechat.v1");
  }));
  auto [aec] = co_await ws_.async_accept(req, use_tuple);
  if (aec) co_return;

  subscription_ = svc_.hub.subscribe(scope_, *this);
  const bool ok = co_await replay(from);
  struct stop_following {
    websocket_session& s;
    ~stop_following() {
      if (s.following_) s.svc_.follower->untrack(s.scope_.tenant, s.scope_.instance);
    }
  } unfollow{*this};
  if (!ok) {
    closed_ = true;
    svc_.hub.unsubscribe(subscription_);
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().close(ignored);
    co_return;
  }
  // Reading keeps pings answered and notices the close; clients need not send anything, and what
  // they send is dropped. In pieces (a message may still be as long as read_message_max), so the
  // buffer an idle connection keeps is one piece, not Beast's default read of 1.5 KiB.
  constexpr std::size_t client_read_piece = 256;
  beast::flat_buffer buffer;
  for (;;) {
    auto [ec, n] = co_await ws_.async_read_some(buffer, client_read_piece, use_tuple);
    if (ec) break;
    buffer.clear();
  }
  closed_ = true;
  svc_.hub.unsubscribe(subscription_);
  held_.clear();
  queue_.clear();
}

// The two transports (net/transport.hpp).
template class websocket_session<plain_stream>;
template class websocket_session<tls_stream>;

}  // namespace carechat::net
