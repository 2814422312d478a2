#include "integration/ws_client.hpp"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>

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
};

ws_client::ws_client(unsigned short port) : impl_(std::make_unique<impl>()) { impl_->port = port; }

ws_client::~ws_client() {
  if (impl_->ws && !impl_->closed) {
    beast::error_code ec;
    beast::get_lowest_layer(*impl_->ws).socket().close(ec);
  }
}

ws_handshake ws_client::connect(const std::string& target, const std::string& token,
                                const std::map<std::string, std::string>& headers, bool use_authorization_header) {
  impl_->ws.emplace(impl_->ioc);
  auto& ws = *impl_->ws;
  beast::get_lowest_layer(ws).connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), impl_->port));
  ws.set_option(websocket::stream_base::decorator([&](websocket::request_type& req) {
    if (use_authorization_header) {
      req.set(http::field::authorization, "Bearer " + token);
    } else if (!token.empty()) {
      req.set(http::field::sec_websocket_protocol, "carechat.v1, bearer." + token);
    }
    for (const auto& [k, v] : headers) req.set(k, v);
  }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1:" + std::to_string(impl_->port), target, ec);
  ws_handshake out;
  out.status = res.result_int();
  out.body = res.body();
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
  beast::flat_buffer buffer;
  std::optional<std::string> out;
  beast::error_code result = asio::error::timed_out;
  ws.async_read(buffer, [&](beast::error_code ec, std::size_t) {
    result = ec;
    if (!ec) out = beast::buffers_to_string(buffer.data());
  });
  impl_->ioc.restart();
  impl_->ioc.run_for(timeout);
  if (!impl_->ioc.stopped()) {
    // Timed out: cancel the read and let its handler run.
    beast::get_lowest_layer(ws).socket().cancel();
    impl_->ioc.restart();
    impl_->ioc.run();
    if (result == asio::error::operation_aborted) {
      // A cancelled read leaves a WebSocket stream unusable; treat as closed for the test's purpose.
      impl_->closed = true;
      return std::nullopt;
    }
  }
  if (result) {
    impl_->closed = true;
    if (result == websocket::error::closed) impl_->code = ws.reason().code;
    return std::nullopt;
  }
  return out;
}

bool ws_client::closed() const { return impl_->closed; }
int ws_client::close_code() const { return impl_->code; }

void ws_client::close() {
  if (!impl_->ws || impl_->closed) return;
  beast::error_code ec;
  impl_->ws->close(websocket::close_code::normal, ec);
  impl_->closed = true;
}

void ws_client::pause_reading_by_shrinking_buffers() {
  if (!impl_->ws) return;
  beast::error_code ec;
  beast::get_lowest_layer(*impl_->ws).socket().set_option(asio::socket_base::receive_buffer_size(4096), ec);
}

}  // namespace carechat::testing
