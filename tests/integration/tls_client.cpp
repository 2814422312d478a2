#include "integration/tls_client.hpp"

#include <openssl/bn.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>

#include <array>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <cctype>
#include <cstdio>
#include <stdexcept>

namespace carechat::testing {
namespace {

namespace asio = boost::asio;
namespace ssl = boost::asio::ssl;
namespace beast = boost::beast;
namespace http = beast::http;
namespace websocket = beast::websocket;
using tls_stream = beast::ssl_stream<beast::tcp_stream>;

ssl::context client_context(const std::string& ca_file) {
  ssl::context ctx(ssl::context::tls_client);
  ctx.load_verify_file(ca_file);
  ctx.set_verify_mode(ssl::verify_peer);
  return ctx;
}

// Connects and handshakes, verifying the chain and the name 127.0.0.1. Reads time out after 10 s
// (SO_RCVTIMEO), so a silent server fails a test instead of hanging it.
void open_tls(tls_stream& s, unsigned short port) {
  auto& sock = beast::get_lowest_layer(s).socket();
  beast::get_lowest_layer(s).connect(asio::ip::tcp::endpoint(asio::ip::make_address("127.0.0.1"), port));
  timeval tv{10, 0};
  setsockopt(sock.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  s.set_verify_callback(ssl::host_name_verification("127.0.0.1"));
  beast::error_code ec;
  s.handshake(ssl::stream_base::client, ec);
  if (ec) throw std::runtime_error("TLS handshake with the server failed: " + ec.message());
}

presented_certificate describe(SSL* ssl) {
  presented_certificate out;
  X509* cert = SSL_get1_peer_certificate(ssl);
  if (cert == nullptr) return out;
  char buf[512];
  BIO* b = BIO_new(BIO_s_mem());
  X509_NAME_print_ex(b, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253);
  const int n = BIO_read(b, buf, sizeof buf);
  if (n > 0) out.subject.assign(buf, static_cast<std::size_t>(n));
  BIO_free(b);
  BIGNUM* bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), nullptr);
  char* hex = BN_bn2hex(bn);
  out.serial = hex;
  OPENSSL_free(hex);
  BN_free(bn);
  X509_free(cert);
  return out;
}

std::map<std::string, std::string> lower_headers(const http::fields& fields) {
  std::map<std::string, std::string> out;
  for (const auto& f : fields) {
    std::string name(f.name_string());
    for (auto& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    out[name] = std::string(f.value());
  }
  return out;
}

}  // namespace

struct https_connection::impl {
  asio::io_context ioc;
  ssl::context ctx;
  tls_stream stream;
  beast::flat_buffer buffer;
  impl(unsigned short port, const std::string& ca_file) : ctx(client_context(ca_file)), stream(ioc, ctx) {
    open_tls(stream, port);
  }
};

https_connection::https_connection(unsigned short port, const std::string& ca_file)
    : impl_(std::make_unique<impl>(port, ca_file)) {}

https_connection::~https_connection() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->stream).socket().close(ec);
}

http_result https_connection::request(const std::string& method, const std::string& target, const std::string& body,
                                      const std::map<std::string, std::string>& headers) {
  http::request<http::string_body> req{http::string_to_verb(method), target, 11};
  req.set(http::field::host, "127.0.0.1");
  for (const auto& [k, v] : headers) req.set(k, v);
  if (!body.empty() || method == "POST") {
    req.body() = body;
    req.prepare_payload();
  }
  beast::error_code ec;
  http::write(impl_->stream, req, ec);
  http::response_parser<http::string_body> parser;
  if (!ec) http::read(impl_->stream, impl_->buffer, parser, ec);
  http_result out;
  if (ec) return out;
  out.status = parser.get().result_int();
  out.body = parser.get().body();
  out.headers = lower_headers(parser.get());
  return out;
}

presented_certificate https_connection::certificate() const { return describe(impl_->stream.native_handle()); }

struct wss_client::impl {
  asio::io_context ioc;
  ssl::context ctx;
  websocket::stream<tls_stream> ws;
  unsigned short port;
  impl(unsigned short p, const std::string& ca_file) : ctx(client_context(ca_file)), ws(ioc, ctx), port(p) {}
};

wss_client::wss_client(unsigned short port, const std::string& ca_file)
    : impl_(std::make_unique<impl>(port, ca_file)) {}

wss_client::~wss_client() {
  beast::error_code ec;
  beast::get_lowest_layer(impl_->ws).socket().close(ec);
}

ws_handshake wss_client::connect(const std::string& target, const std::string& token) {
  auto& ws = impl_->ws;
  open_tls(ws.next_layer(), impl_->port);
  ws.set_option(websocket::stream_base::decorator([token](websocket::request_type& req) {
    req.set(http::field::sec_websocket_protocol, "carechat.v1, bearer." + token);
  }));
  websocket::response_type res;
  beast::error_code ec;
  ws.handshake(res, "127.0.0.1:" + std::to_string(impl_->port), target, ec);
  ws_handshake out;
  out.status = ec && res.result_int() == 101 ? 0 : res.result_int();
  out.body = res.body();
  out.headers = lower_headers(res);
  if (auto it = res.find(http::field::sec_websocket_protocol); it != res.end()) out.subprotocol = it->value();
  return out;
}

std::optional<std::string> wss_client::read(std::chrono::milliseconds timeout) {
  auto& ws = impl_->ws;
  beast::flat_buffer buffer;
  bool done = false;
  beast::error_code result;
  ws.async_read(buffer, [&](beast::error_code ec, std::size_t) {
    result = ec;
    done = true;
  });
  impl_->ioc.restart();
  impl_->ioc.run_for(timeout);
  if (!done) {  // give up on this connection: close it and let the read finish
    beast::error_code ec;
    beast::get_lowest_layer(ws).socket().close(ec);
    impl_->ioc.restart();
    impl_->ioc.run();
    return std::nullopt;
  }
  if (result) return std::nullopt;
  return beast::buffers_to_string(buffer.data());
}

shell_result run_shell(const std::string& command) {
  shell_result out;
  const std::string full = command + " 2>&1";
  FILE* p = popen(full.c_str(), "r");
  if (p == nullptr) return out;
  std::array<char, 4096> buf;
  std::size_t n = 0;
  while ((n = std::fread(buf.data(), 1, buf.size(), p)) > 0) out.output.append(buf.data(), n);
  const int status = pclose(p);
  out.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return out;
}

}  // namespace carechat::testing
