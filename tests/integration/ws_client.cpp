#include "integration/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <cctype>

namespace carechat::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

struct ws_client::impl {
  asio::io_context ioc;
  std::optional<websocket::stream<beast::tcp_stream>> ws;
  unsigned short port = 0;
  bool closed = false;
  int code = -1;
  // The read in progress. It outlives a read() that timed out, so no frame is ever lost.
  bool reading = false;
  bool read_done = false;
  beast::error_code read_ec;
  beast::flat_buffer buffer;

  // Runs the io_context until `done()` or the deadline; true when done.
  template <class Done>
  bool run_until(Done done, std::chrono::steady_clock::time_point deadline) {
    while (!done()) {
      if (ioc.stopped()) ioc.restart();
      if (ioc.run_one_until(deadline) == 0 && std::chrono::steady_clock::now() >= deadline) return done();
    }
    return true;
  }

  // Closes the socket and lets every pending handler finish, so none outlives the stream.
  void abandon() {
    if (!ws) return;
    beast::error_code ec;
    beast::get_lowest_layer(*ws).socket().close(ec);
    ioc.restart();
    ioc.poll();
    reading = false;
  }
};

ws_client::ws_client(unsigned short port) : impl_(std::make_unique<impl>()) { impl_->port = port; }

ws_client::~ws_client() { impl_->abandon(); }

ws_handshake ws_client::connect(const std::string& target, const std::string& token,
                                const std::map<std::string, std::string>& headers, bool use_authorization_header) {
  ws_connect_options o;
  o.headers = headers;
  o.use_authorization_header = use_authorization_header;
  return connect(target, token, o);
}

ws_handshake ws_client::connect(const std::string& target, const std::string& token, const ws_connect_options& o) {
  impl_->abandon();
  impl_->ws.emplace(impl_->ioc);
  impl_->closed = false;
  impl_->code = -1;
  impl_->reading = false;
  impl_->buffer.clear();
  auto& ws = *impl_->ws;
  auto& socket = beast::get_lowest_layer(ws).socket();
  socket.open(asio::ip::tcp::v4());
  // Set before connect: the window scale is negotiated in the SYN, so a later change barely counts.
  if (o.receive_buffer_bytes > 0) socket.set_option(asio::socket_base::receive_buffer_size(o.receive_buffer_bytes));
  beast::get_lowest_layer(ws).connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port));
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    if (o.use_authorization_header) {
      req.set(http::field::authorization, "Bearer " + token);
    } else if (!token.empty()) {
      req.set(http::field::sec_websocket_protocol, "carechat.v1, bearer." + token);
    }
    for (const auto& [k, v] : o.headers) req.set(k, v);
  }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1:" + std::to_string(impl_->port), target, ec);
  ws_handshake out;
  out.status = res.result_int();
  out.body = res.body();
  for (const auto& f : res) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out.headers[name] = std::string(f.value());
  }
  if (auto it = res.find(http::field::sec_websocket_protocol); it != res.end()) out.subprotocol = it->value();
  if (ec) {
    impl_->closed = true;
    if (out.status == 101) out.status = 0;
  }
  return out;
}

std::optional<std::string> ws_client::read(std::chrono::milliseconds timeout) {
  if (!impl_->ws || impl_->closed) return std::nullopt;
  auto& ws = *impl_->ws;
  if (!impl_->reading) {
    impl_->reading = true;
    impl_->read_done = false;
    impl_->buffer.clear();
    ws.async_read(impl_->buffer, [i = impl_.get()](beast::error_code ec, std::size_t) {
      i->read_ec = ec;
      i->read_done = true;
    });
  }
  if (!impl_->run_until([&] { return impl_->read_done; }, std::chrono::steady_clock::now() + timeout))
    return std::nullopt;  // still pending: the next read() picks it up
  impl_->reading = false;
  if (impl_->read_ec) {
    impl_->closed = true;
    if (impl_->read_ec == websocket::error::closed) impl_->code = ws.reason().code;
    return std::nullopt;
  }
  std::string out = beast::buffers_to_string(impl_->buffer.data());
  impl_->buffer.clear();
  return out;
}

bool ws_client::closed() const { return impl_->closed; }
int ws_client::close_code() const { return impl_->code; }

bool ws_client::send(const std::string& text, std::chrono::milliseconds timeout) {
  if (!impl_->ws || impl_->closed) return false;
  bool done = false;
  beast::error_code wec;
  impl_->ws->text(true);
  impl_->ws->async_write(asio::buffer(text), [&done, &wec](beast::error_code ec, std::size_t) {
    wec = ec;
    done = true;
  });
  const bool finished = impl_->run_until([&] { return done; }, std::chrono::steady_clock::now() + timeout);
  return finished && !wec;
}

void ws_client::close(std::chrono::milliseconds timeout) {
  if (!impl_->ws || impl_->closed) return;
  // A pending read sees the server's close reply; the close itself completes once that arrived.
  bool done = false;
  impl_->ws->async_close(websocket::close_code::normal, [&done](beast::error_code) { done = true; });
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  impl_->run_until([&] { return done && (!impl_->reading || impl_->read_done); }, deadline);
  impl_->closed = true;
  impl_->abandon();
}

void ws_client::pause_reading_by_shrinking_buffers() {
  if (!impl_->ws) return;
  beast::error_code ec;
  beast::get_lowest_layer(*impl_->ws).socket().set_option(asio::socket_base::receive_buffer_size(4096), ec);
}

}  // namespace carechat::testing
