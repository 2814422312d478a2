#include "net/http_session.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <memory>
#include <string>
#include <optional>

#include "api/error_mapping.hpp"
#include "core/log.hpp"
#include <boost/beast/websocket/rfc6455.hpp>

#include "net/handlers/attachment_handlers.hpp"
#include "net/handlers/fhir_bulk_handlers.hpp"
#include "net/handlers/fhir_handlers.hpp"
#include "net/handlers/event_handlers.hpp"
#include "net/host_header.hpp"
#include "net/rate_limit_gate.hpp"
#include "net/reply.hpp"
#include "net/request_observer.hpp"
#include "net/router.hpp"
#include "net/transport.hpp"
#include "net/web_routes.hpp"

namespace carechat::net {
namespace {

namespace websocket = boost::beast::websocket;

// How long a TLS connection that ends waits for the client's close_notify.
constexpr std::chrono::seconds tls_shutdown_timeout{2};

// State the stop path may touch from another thread, always by posting to the connection's
// executor (its I/O thread's io_context, which one thread runs: an implicit strand).
template <class Stream>
struct connection_state {
  template <class... Args>
  explicit connection_state(Args&&... args) : stream(std::forward<Args>(args)...) {}
  Stream stream;
  bool busy = false;                  // own thread only
  std::function<void()> stop_hook;    // own thread only: set while the connection is a live (WebSocket) one
};

// An answer written before the request is routed (a refused header, body or version): the JSON
// error body, or a text/plain page for a web route's target, as routed answers are. The
// connection closes after it (the rest of the request is never read).
response early_error(const request& head, core::errc code, std::string message) {
  const unsigned version = head.version() == 10 ? 10 : 11;
  if (is_web_target(head.target()))
    return plain_response(version, false, static_cast<http::status>(api::http_status(code)), message);
  return to_response(version, false, error_reply(core::error{code, std::move(message)}));
}

response too_large(const request& head, std::size_t limit) {
  return early_error(head, core::errc::payload_too_large,
                     "request body is larger than " + std::to_string(limit) + " bytes");
}

// A parse error the client should hear about (the connection then closes), rather than a reset:
// a malformed request line, method, version or field. Not a peer that closed or stopped sending.
bool answerable_parse_error(const beast::error_code& ec) {
  return ec.category() == http::make_error_code(http::error::bad_target).category() &&
         ec != http::error::end_of_stream && ec != http::error::partial_message;
}

// Writes a Beast response with the transport's headers (HSTS over TLS).
template <class Stream, class Body>
auto write_response(Stream& stream, http::response<Body>& res) {
  add_transport_headers<Stream>(res);
  return http::async_write(stream, res, use_tuple);
}

// Writes an answer given before routing (with the transport's headers and the request's id) and
// records the request.
template <class Stream>
asio::awaitable<void> write_early(Stream& stream, response& res, const request_context& ctx, const services& svc,
                                  http::verb method) {
  res.set("X-Request-Id", ctx.id.view());
  co_await write_response(stream, res);
  finish_request(svc.observer, ctx, method, res.result_int(), res.body().size());
}

template <class Stream>
asio::awaitable<void> serve_connection(std::shared_ptr<connection_state<Stream>> conn, services& svc,
                                       const http_options& opts, connection_registry& registry) {
  std::weak_ptr<connection_state<Stream>> weak = conn;
  auto home = conn->stream.get_executor();
  const auto id = registry.add([weak, home] {
    asio::post(home, [weak] {
      auto c = weak.lock();
      if (!c) return;
      if (c->stop_hook)
        c->stop_hook();
      else if (!c->busy)
        beast::get_lowest_layer(c->stream).socket().close();
    });
  });
  struct unregister {
    connection_registry& r;
    std::uint64_t id;
    ~unregister() { r.remove(id); }
  } guard{registry, id};

  if constexpr (is_tls<Stream>) {
    // On this connection's I/O thread, under a timer: a client that connects and says nothing
    // (or speaks plain HTTP to the TLS port) is gone after opts.tls_handshake_timeout.
    beast::get_lowest_layer(conn->stream).expires_after(opts.tls_handshake_timeout);
    auto [hec] = co_await conn->stream.async_handshake(asio::ssl::stream_base::server, use_tuple);
    if (hec) {
      core::log(core::log_level::debug, "tls", "handshake failed: " + hec.message());
      beast::error_code ignored;
      beast::get_lowest_layer(conn->stream).socket().close(ignored);
      co_return;
    }
  }

  beast::flat_buffer buffer;
  std::string head;  // an API reply's status line and headers; reused so it allocates once
  // The TCP peer's address, for per-address limits; empty if already gone. Behind a trusted
  // proxy each request's client address comes from X-Forwarded-For (rate_limit_gate's admit).
  beast::error_code peer_ec;
  const auto peer_endpoint = beast::get_lowest_layer(conn->stream).socket().remote_endpoint(peer_ec);
  const std::string peer = peer_ec ? std::string() : peer_endpoint.address().to_string();
  for (;;) {
    if (registry.stopping()) break;
    conn->busy = false;
    http::request_parser<http::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(opts.max_header_bytes));
    // The larger of the two limits while the header is read (Beast checks a declared length
    // then); which one applies is known once the route is: see below.
    parser.body_limit(std::max<std::uint64_t>(opts.max_body_bytes, opts.max_upload_bytes));
    // Two timers: the idle one until the first byte of the next request arrives, then the request
    // one for all of it (header, body and answer), so a header that trickles in is cut after
    // request_timeout, not after idle_timeout.
    if (buffer.size() == 0) {
      beast::get_lowest_layer(conn->stream).expires_after(opts.idle_timeout);
      auto [iec, in] = co_await conn->stream.async_read_some(buffer.prepare(4096), use_tuple);
      if (iec) break;  // closed, timed out or cancelled by stop: nothing to answer
      buffer.commit(in);
    }
    const auto started = std::chrono::steady_clock::now();
    beast::get_lowest_layer(conn->stream).expires_after(opts.request_timeout);
    auto [ec, n] = co_await http::async_read_header(conn->stream, buffer, parser, use_tuple);
    // The request's id and route template (from what of the header was read), for every answer.
    request_context ctx = begin_request(parser.get(), svc.rng, started);
    const http::verb method = parser.get().method();
    if (ec == http::error::header_limit) {
      auto res = early_error(parser.get(), core::errc::bad_request, "request headers are too large");
      res.result(http::status::request_header_fields_too_large);
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    // Beast checks a declared Content-Length against body_limit while reading the header: refuse
    // the oversized body here, before a byte of it is read.
    if (ec == http::error::body_limit) {
      // The request line is read by now: an upload is told the upload limit, anything else the body limit.
      const bool upload = match_attachment_route(parser.get()).has_value();
      auto res = too_large(parser.get(), upload ? opts.max_upload_bytes - upload_envelope_bytes : opts.max_body_bytes);
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    // Beast reads HTTP/1.0 and 1.1 only; any other version (or a request line whose version is
    // not HTTP/d.d) is bad_version: 505, not a malformed request.
    if (ec == http::error::bad_version) {
      auto res = early_error(request{}, core::errc::version_not_supported, "only HTTP/1.0 and HTTP/1.1 are served");
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    if (ec && answerable_parse_error(ec)) {
      auto res = early_error(request{}, core::errc::bad_request, "malformed request: " + ec.message());
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    if (ec) break;  // closed, timed out or cancelled by stop: nothing to answer
    conn->busy = true;
    const unsigned version = parser.get().version();
    // A Host that every later check can trust (RFC 9112 section 3.2), for HTTP/1.0 too. Refused
    // before the body is read or anything is routed.
    if (auto host = request_host(parser.get()); !host) {
      auto res = early_error(parser.get(), host.error().code, host.error().message);
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    // Abuse limits that need only the header (net/rate_limit_gate): refused before the body is
    // read or anything routed, so a refused send or upload stores nothing. The connection closes
    // after the 429, as after any answer given before the body is read.
    if (auto refused = admit(svc, parser.get(), peer, ctx)) {
      const auto target = parser.get().target();
      const bool fhir = std::string_view(target.data(), target.size()).starts_with("/fhir/");
      reply rep = fhir ? fhir_error_reply(*refused) : error_reply(*refused);
      add_retry_after(rep, ctx);
      auto res = to_response(version, false, std::move(rep));
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    // Attachment uploads stream their body to storage, downloads stream the file: their handlers
    // take the connection from here (handlers/attachment_handlers).
    const auto attachment = match_attachment_route(parser.get());
    if (attachment && !attachment->id) {
      const bool go_on = co_await serve_upload(conn->stream, buffer, parser, svc, opts, *attachment, ctx);
      note_answer(svc, ctx, 0);
      finish_request(svc.observer, ctx, method, 0, 0);
      if (!go_on) break;
      continue;
    }
    if (const auto len = parser.content_length(); len && *len > opts.max_body_bytes) {
      auto res = too_large(parser.get(), opts.max_body_bytes);
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    parser.body_limit(opts.max_body_bytes);  // a chunked body is cut off at the same limit
    if (auto it = parser.get().find(http::field::expect);
        it != parser.get().end() && beast::iequals(it->value(), "100-continue")) {
      http::response<http::empty_body> cont{http::status::continue_, version};
      auto [cec, cn] = co_await http::async_write(conn->stream, cont, use_tuple);
      if (cec) break;
    }
    auto [rec, rn] = co_await http::async_read(conn->stream, buffer, parser, use_tuple);
    if (rec == http::error::body_limit) {  // a chunked body that grew past the limit
      auto res = too_large(parser.get(), opts.max_body_bytes);
      co_await write_early(conn->stream, res, ctx, svc, method);
      break;
    }
    if (rec) break;

    const request& req = parser.get();
    if (attachment) {
      const bool go_on = co_await serve_download(conn->stream, req, svc, *attachment, ctx);
      note_answer(svc, ctx, 0);
      finish_request(svc.observer, ctx, method, 0, 0);
      if (!go_on || registry.stopping()) break;
      continue;
    }
    if (const auto binary = match_fhir_binary_route(req)) {  // FHIR Binary streams as a download does
      const bool go_on = co_await serve_fhir_binary(conn->stream, req, svc, *binary, ctx);
      note_answer(svc, ctx, 0);
      finish_request(svc.observer, ctx, method, 0, 0);
      if (!go_on || registry.stopping()) break;
      continue;
    }
    if (const auto file = match_fhir_export_file_route(req)) {  // a Bulk Data export's file streams
      const bool go_on = co_await serve_fhir_export_file(conn->stream, req, svc, *file, ctx);
      finish_request(svc.observer, ctx, method, 0, 0);
      if (!go_on || registry.stopping()) break;
      continue;
    }
    if (websocket::is_upgrade(req)) {
      if (auto scope = match_event_route(req.target())) {
        // The connection becomes a live event stream; it never returns to HTTP.
        // Named locals, not temporaries, inside co_await: see "Pitfall" in docs/ARCHITECTURE.md.
        const std::function<void(std::function<void()>)> set_stop = [&conn](std::function<void()> hook) {
          conn->stop_hook = std::move(hook);
        };
        // Once the live session took the stream, it owns (and closes) it. The request's metrics
        // and log line are its upgrade's (ctx.answered_at), recorded when the connection ends.
        // The HTTP read buffer is empty now (a client sends no frame before the 101) but keeps
        // its 4 KiB for the connection's life unless given back (figure 4, RSS per connection).
        buffer.shrink_to_fit();
        const bool taken = co_await serve_event_stream(conn->stream, req, svc, *scope, set_stop, ctx);
        note_answer(svc, ctx, 0);
        finish_request(svc.observer, ctx, method, 0, 0);
        if (taken) co_return;
        break;
      }
    }
    // The client's address (behind a trusted proxy, from X-Forwarded-For): POST /oauth/token's
    // per-address failure limit counts the client, not the proxy.
    answer out = co_await handle_request(req, svc, ctx, ctx.client);
    bool keep = false;
    beast::error_code wec;
    unsigned status = 0;
    std::uint64_t body_bytes = 0;
    if (out.web) {
      keep = out.web->keep_alive() && !registry.stopping();
      out.web->keep_alive(keep);
      out.web->set("X-Request-Id", ctx.id.view());
      status = out.web->result_int();
      body_bytes = out.web->body().size();
      auto [ec2, n2] = co_await write_response(conn->stream, *out.web);
      wec = ec2;
    } else {
      out.api.request_id = ctx.id.view();
      add_retry_after(out.api, ctx);
      note_answer(svc, ctx, out.api.status);  // before the answer: the client's next request meets it
      const reply& rep = out.api;
      status = rep.status;
      body_bytes = body_of(rep).size();
      keep = req.keep_alive() && !registry.stopping();
      format_reply_head(head, version, keep, rep);
      add_transport_headers<Stream>(head);
      const std::array<asio::const_buffer, 2> bytes{asio::buffer(head), asio::buffer(body_of(rep))};
      auto [ec2, n2] = co_await asio::async_write(conn->stream, bytes, use_tuple);
      wec = ec2;
    }
    note_answer(svc, ctx, status);
    finish_request(svc.observer, ctx, method, status, body_bytes);
    if (wec || !keep) break;
  }
  if constexpr (is_tls<Stream>) {
    // close_notify, so the client can tell the end from a cut; its answer is awaited briefly.
    beast::get_lowest_layer(conn->stream).expires_after(tls_shutdown_timeout);
    co_await conn->stream.async_shutdown(use_tuple);
  }
  beast::error_code ignored;
  beast::get_lowest_layer(conn->stream).socket().shutdown(tcp::socket::shutdown_send, ignored);
  beast::get_lowest_layer(conn->stream).socket().close(ignored);
}

}  // namespace

asio::awaitable<void> run_http_session(tcp::socket socket, services& svc, const http_options& opts,
                                       connection_registry& registry) {
  auto conn = std::make_shared<connection_state<plain_stream>>(std::move(socket));
  co_await serve_connection(std::move(conn), svc, opts, registry);
}

asio::awaitable<void> run_https_session(tcp::socket socket, std::shared_ptr<asio::ssl::context> tls, services& svc,
                                        const http_options& opts, connection_registry& registry) {
  // `tls` stays referenced here until the connection ends: a reload may replace the server's
  // context meanwhile, and this connection keeps the one it was accepted with.
  auto conn = std::make_shared<connection_state<tls_stream>>(std::move(socket), *tls);
  co_await serve_connection(std::move(conn), svc, opts, registry);
}

}  // namespace carechat::net
