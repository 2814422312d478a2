// WebSocket load client for docs/benchmarks.md (Boost.Beast, C++20 coroutines, one thread).
//
//   ws_load fanout HOST PORT WS_PATH TOKEN SEND_PATH SEND_TOKEN SUBSCRIBERS MESSAGES SENDERS [RATE]
//     opens SUBSCRIBERS live connections to WS_PATH, waits for every `ready`, then SENDERS keep-alive
//     HTTP clients POST MESSAGES messages to SEND_PATH between them, each carrying its send time
//     (system clock, microseconds) in its text. Every delivered message.created frame gives one
//     send->delivery latency. Without RATE the senders go as fast as they are answered (a burst:
//     the throughput figure); with RATE (messages/s in all) they keep to a schedule of one message
//     every SENDERS/RATE s each (a paced load: the latency figure). Prints one line of JSON:
//     deliveries, deliveries/s (first send to last delivery), p50/p99/max latency in ms.
//     PORT may list several ports (8081,8082,8083: nodes of a cluster): the subscribers are spread
//     over them in turn, and the senders use the first.
//   ws_load idle HOST PORT WS_PATH TOKEN CONNECTIONS HOLD_SECONDS
//     opens CONNECTIONS live connections, waits for every `ready`, prints {"held":N,...} and keeps
//     them open (reading, so pings are answered) for HOLD_SECONDS, then exits.
//
// Authentication: `Authorization: Bearer` plus the `carechat.v1` subprotocol (docs/api/events.md).
// Handshakes are limited to 64 in flight so the accept backlog never overflows.
#include <boost/asio.hpp>
#include <boost/beast.hpp>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <vector>

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using asio::awaitable;
using asio::use_awaitable;
using tcp = asio::ip::tcp;
constexpr auto tuple_awaitable = asio::as_tuple(use_awaitable);

namespace {

std::int64_t now_us() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

struct state {
  std::vector<tcp::endpoint> endpoints;  // subscribers take them in turn; senders use the first
  std::size_t opened = 0;                // subscribers started (picks the next one's endpoint)
  std::string host, ws_path, token;
  std::size_t connections = 0;
  std::size_t in_flight = 0;  // handshakes not finished
  std::size_t ready = 0, failed = 0;
  std::string first_error;
  // fan-out
  std::vector<double> latencies_ms;
  std::int64_t first_send_us = 0, last_delivery_us = 0;
  std::size_t sent_ok = 0, send_failed = 0;
  std::vector<std::shared_ptr<websocket::stream<beast::tcp_stream>>> sockets;
};

void note_failure(state& st, const std::string& what) {
  ++st.failed;
  if (st.first_error.empty()) st.first_error = what;
}

void on_frame(state& st, std::string_view frame) {
  if (frame.find("\"type\":\"ready\"") != std::string_view::npos) {
    ++st.ready;
    return;
  }
  const auto at = frame.find("bench t=");
  if (at == std::string_view::npos) return;
  const std::int64_t sent = std::strtoll(frame.data() + at + 8, nullptr, 10);
  const std::int64_t now = now_us();
  st.latencies_ms.push_back(static_cast<double>(now - sent) / 1000.0);
  st.last_delivery_us = now;
}

awaitable<void> subscriber(state& st) {
  auto ex = co_await asio::this_coro::executor;
  auto ws = std::make_shared<websocket::stream<beast::tcp_stream>>(ex);
  st.sockets.push_back(ws);
  const tcp::endpoint endpoint = st.endpoints[st.opened++ % st.endpoints.size()];
  auto [cec] = co_await beast::get_lowest_layer(*ws).async_connect(endpoint, tuple_awaitable);
  if (cec) {
    --st.in_flight;
    note_failure(st, "connect: " + cec.message());
    co_return;
  }
  const std::string auth = "Bearer " + st.token;
  ws->set_option(websocket::stream_base::decorator([auth](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, "carechat.v1");
    req.set(http::field::authorization, auth);
  }));
  websocket::response_type res;
  auto [hec] = co_await ws->async_handshake(res, st.host, st.ws_path, tuple_awaitable);
  --st.in_flight;
  if (hec) {
    note_failure(st, "handshake: " + hec.message() + " (HTTP " + std::to_string(res.result_int()) + ")");
    co_return;
  }
  beast::flat_buffer buffer;
  for (;;) {
    auto [rec, n] = co_await ws->async_read(buffer, tuple_awaitable);
    if (rec) co_return;
    const auto data = buffer.cdata();
    on_frame(st, std::string_view(static_cast<const char*>(data.data()), data.size()));
    buffer.consume(buffer.size());
  }
}

awaitable<void> sleep_ms(int ms) {
  asio::steady_timer t(co_await asio::this_coro::executor, std::chrono::milliseconds(ms));
  co_await t.async_wait(tuple_awaitable);
}

// Opens every connection (at most 64 handshakes in flight) and waits until each is ready or failed.
awaitable<bool> open_all(state& st, double timeout_s) {
  auto ex = co_await asio::this_coro::executor;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_s);
  for (std::size_t i = 0; i < st.connections; ++i) {
    while (st.in_flight >= 64) co_await sleep_ms(1);
    ++st.in_flight;
    asio::co_spawn(ex, subscriber(st), asio::detached);
  }
  while (st.ready + st.failed < st.connections) {
    if (std::chrono::steady_clock::now() > deadline) co_return false;
    co_await sleep_ms(5);
  }
  co_return st.failed == 0;
}

awaitable<void> sender(state& st, std::string path, std::string token, std::size_t count, double interval_s,
                       double offset_s) {
  auto ex = co_await asio::this_coro::executor;
  asio::steady_timer pace(ex);
  const auto start = std::chrono::steady_clock::now() + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                                              std::chrono::duration<double>(offset_s));
  beast::tcp_stream stream(ex);
  auto [cec] = co_await stream.async_connect(st.endpoints.front(), tuple_awaitable);
  if (cec) {
    st.send_failed += count;
    co_return;
  }
  beast::flat_buffer buffer;
  for (std::size_t i = 0; i < count; ++i) {
    if (interval_s > 0) {  // paced: the i-th send is due at start + i * interval (never early)
      pace.expires_at(start + std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                  std::chrono::duration<double>(interval_s * static_cast<double>(i))));
      co_await pace.async_wait(tuple_awaitable);
    }
    http::request<http::string_body> req{http::verb::post, path, 11};
    req.set(http::field::host, st.host);
    req.set(http::field::authorization, "Bearer " + token);
    req.set(http::field::content_type, "application/json");
    const std::int64_t t = now_us();
    if (st.first_send_us == 0) st.first_send_us = t;
    req.body() = "{\"message\":\"bench t=" + std::to_string(t) + " fan-out message\"}";
    req.prepare_payload();
    auto [wec, wn] = co_await http::async_write(stream, req, tuple_awaitable);
    http::response<http::string_body> res;
    auto [rec, rn] = co_await http::async_read(stream, buffer, res, tuple_awaitable);
    if (wec || rec || res.result_int() != 200) {
      ++st.send_failed;
      if (wec || rec) co_return;
    } else {
      ++st.sent_ok;
    }
  }
}

double percentile(std::vector<double>& v, double p) {
  if (v.empty()) return 0;
  std::sort(v.begin(), v.end());
  return v[std::min(v.size() - 1, static_cast<std::size_t>(v.size() * p))];
}

awaitable<void> run_fanout(state& st, std::string send_path, std::string send_token, std::size_t messages,
                           std::size_t senders, double rate) {
  auto ex = co_await asio::this_coro::executor;
  const bool ok = co_await open_all(st, 120);
  if (!ok) {
    std::printf("{\"error\":\"subscribers: %zu ready, %zu failed: %s\"}\n", st.ready, st.failed, st.first_error.c_str());
    std::exit(1);
  }
  for (std::size_t s = 0; s < senders; ++s) {
    const std::size_t share = messages / senders + (s < messages % senders ? 1 : 0);
    // Paced: each sender's schedule is offset so the senders take turns evenly.
    const double interval = rate > 0 ? static_cast<double>(senders) / rate : 0.0;
    const double offset = rate > 0 ? static_cast<double>(s) / rate : 0.0;
    asio::co_spawn(ex, sender(st, send_path, send_token, share, interval, offset), asio::detached);
  }
  // Wait for every delivery (or 60 s without progress).
  std::size_t last = 0;
  int idle_ticks = 0;
  for (;;) {
    co_await sleep_ms(50);
    const std::size_t expected = st.sent_ok * st.connections;
    if (st.sent_ok + st.send_failed == messages && st.latencies_ms.size() >= expected) break;
    if (st.latencies_ms.size() == last) {
      if (++idle_ticks > 1200) break;
    } else {
      idle_ticks = 0;
      last = st.latencies_ms.size();
    }
  }
  const std::size_t deliveries = st.latencies_ms.size();
  const double secs = st.last_delivery_us > st.first_send_us ? (st.last_delivery_us - st.first_send_us) / 1e6 : 0;
  const double p50 = percentile(st.latencies_ms, 0.50), p99 = percentile(st.latencies_ms, 0.99);
  const double mx = st.latencies_ms.empty() ? 0 : st.latencies_ms.back();
  std::printf(
      "{\"subscribers\":%zu,\"messages_sent\":%zu,\"send_failed\":%zu,\"deliveries\":%zu,\"expected\":%zu,"
      "\"deliveries_per_s\":%.1f,\"seconds\":%.3f,\"p50_ms\":%.2f,\"p99_ms\":%.2f,\"max_ms\":%.2f}\n",
      st.connections, st.sent_ok, st.send_failed, deliveries, st.sent_ok * st.connections,
      secs > 0 ? deliveries / secs : 0.0, secs, p50, p99, mx);
  std::fflush(stdout);
  std::exit(0);
}

awaitable<void> run_idle(state& st, double hold_s) {
  const auto t0 = std::chrono::steady_clock::now();
  const bool ok = co_await open_all(st, 300);
  const double open_s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf("{\"held\":%zu,\"failed\":%zu,\"open_seconds\":%.2f,\"error\":\"%s\"}\n", st.ready, st.failed, open_s,
              ok ? "" : st.first_error.c_str());
  std::fflush(stdout);
  co_await sleep_ms(static_cast<int>(hold_s * 1000));
  std::exit(ok ? 0 : 1);
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  if (!((mode == "fanout" && (argc == 11 || argc == 12)) || (mode == "idle" && argc == 8))) {
    std::fprintf(stderr,
                 "usage: ws_load fanout HOST PORT[,PORT...] WS_PATH TOKEN SEND_PATH SEND_TOKEN SUBSCRIBERS MESSAGES "
                 "SENDERS [RATE]\n"
                 "       ws_load idle HOST PORT[,PORT...] WS_PATH TOKEN CONNECTIONS HOLD_SECONDS\n");
    return 2;
  }
  asio::io_context ioc(1);
  state st;
  st.host = argv[2];
  for (const char* p = argv[3]; *p != '\0';) {
    char* end = nullptr;
    const unsigned long port = std::strtoul(p, &end, 10);
    if (end == p || port == 0 || port > 65535 || (*end != ',' && *end != '\0')) {
      std::fprintf(stderr, "ws_load: PORT must be a port or a comma-separated list of ports, not '%s'\n", argv[3]);
      return 2;
    }
    st.endpoints.emplace_back(asio::ip::make_address(argv[2]), static_cast<unsigned short>(port));
    p = *end == ',' ? end + 1 : end;
  }
  if (st.endpoints.empty()) {
    std::fprintf(stderr, "ws_load: no PORT given\n");
    return 2;
  }
  st.ws_path = argv[4];
  st.token = argv[5];
  if (mode == "fanout") {
    st.connections = std::strtoul(argv[8], nullptr, 10);
    st.latencies_ms.reserve(st.connections * std::strtoul(argv[9], nullptr, 10));
    asio::co_spawn(ioc, run_fanout(st, argv[6], argv[7], std::strtoul(argv[9], nullptr, 10),
                                   std::strtoul(argv[10], nullptr, 10), argc == 12 ? std::atof(argv[11]) : 0.0),
                   asio::detached);
  } else {
    st.connections = std::strtoul(argv[6], nullptr, 10);
    asio::co_spawn(ioc, run_idle(st, std::atof(argv[7])), asio::detached);
  }
  ioc.run();
  return 0;
}
