// What a live connection's client may send after the upgrade: WebSocket frames, read by Beast's
// websocket::stream in the server role with the limit websocket_session sets (carechat reads
// client messages only to answer pings and notice the close). Input: the bytes after the
// handshake. Properties: never a crash, a hang or a leak; no message over the limit is delivered.
#include <boost/beast/_experimental/test/stream.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/websocket/stream.hpp>

#include "fuzz_support.hpp"
#include "net/websocket_options.hpp"

namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;

// The upgrade every run starts from, as a browser sends it (RFC 6455 section 1.3's key).
http::request<http::string_body> upgrade_request() {
  http::request<http::string_body> req{http::verb::get, "/gh/sb/chat/events", 11};
  req.set(http::field::host, "localhost");
  req.set(http::field::upgrade, "websocket");
  req.set(http::field::connection, "upgrade");
  req.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  req.set(http::field::sec_websocket_version, "13");
  return req;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const carechat::net::websocket_options opts;
  boost::asio::io_context ioc;
  beast::test::stream client(ioc);
  websocket::stream<beast::test::stream> ws(ioc);
  ws.next_layer().connect(client);
  ws.read_message_max(opts.max_client_message_bytes);
  beast::error_code ec;
  ws.accept(upgrade_request(), ec);
  FUZZ_CHECK(!ec);
  ws.next_layer().append(std::string_view(reinterpret_cast<const char*>(data), size));
  client.close();  // the input is all there is: reads end with it
  beast::flat_buffer buffer;
  for (;;) {
    ws.read(buffer, ec);
    if (ec) break;
    FUZZ_CHECK(buffer.size() <= opts.max_client_message_bytes);
    buffer.clear();
  }
  return 0;
}
