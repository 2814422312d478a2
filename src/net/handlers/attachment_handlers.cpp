#include "net/handlers/attachment_handlers.hpp"

#include <array>
#include <chrono>
#include <vector>

#include <boost/asio/experimental/awaitable_operators.hpp>
#include <boost/url/parse.hpp>

#include "api/byte_range.hpp"
#include "api/content_disposition.hpp"
#include "api/json_codec.hpp"
#include "core/ids.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "domain/attachment_service.hpp"
#include "domain/chat_service.hpp"
#include "media/thumbnailer.hpp"
#include "media/upload_pipeline.hpp"
#include "net/handlers/handler_support.hpp"
#include "net/offload.hpp"
#include "net/rate_limit_gate.hpp"
#include "net/reply.hpp"
#include "net/upload_body.hpp"

namespace carechat::net {
namespace {

using core::errc;
using core::make_error;
using namespace boost::asio::experimental::awaitable_operators;

// Bytes moved per step, read from the socket or the store: large enough that the hop to the I/O
// pool is noise next to the copy, small enough that 20 uploads at once (two buffers each) hold
// 20 MiB.
constexpr std::size_t chunk_bytes = 512 * 1024;
// How long one write of an answer (its head, or one chunk of a file) may take.
constexpr std::chrono::seconds answer_timeout{30};

// The image types the app shows in place (Content-Disposition: inline); every other type downloads.
bool shown_inline(std::string_view content_type) {
  return content_type == "image/jpeg" || content_type == "image/png" || content_type == "image/gif" ||
         content_type == "image/webp";
}

// GCC 12 destroys a temporary given to a coroutine inside a co_await expression twice (an
// aggregate holding a string was freed twice here): callers pass named locals, by reference.
// Each answer echoes the request's id and records its status and size for the request's log line.
template <class Stream>
asio::awaitable<bool> write_reply(Stream& stream, request_context& ctx, unsigned version, bool keep,
                                  const reply& answer) {
  reply rep = answer;
  rep.request_id = ctx.id.view();
  add_retry_after(rep, ctx);
  ctx.status = rep.status;
  ctx.body_bytes = body_of(rep).size();
  std::string head;
  format_reply_head(head, version, keep, rep);
  add_transport_headers<Stream>(head);
  const std::array<asio::const_buffer, 2> bytes{asio::buffer(head), asio::buffer(body_of(rep))};
  // A timer of its own: the last read's may have run down while the file was committed and
  // thumbnailed.
  beast::get_lowest_layer(stream).expires_after(answer_timeout);
  auto [ec, n] = co_await asio::async_write(stream, bytes, use_tuple);
  co_return !ec && keep;
}

// An error answer; the connection closes after it when the request's body was not read.
template <class Stream>
asio::awaitable<bool> write_error(Stream& stream, request_context& ctx, unsigned version, bool keep,
                                  const core::error& e) {
  const reply rep = error_reply(e);
  co_return co_await write_reply(stream, ctx, version, keep, rep);
}

std::optional<std::string_view> header(const http::request_header<>& h, http::field f) {
  auto it = h.find(f);
  if (it == h.end()) return std::nullopt;
  return it->value();
}

// ?includeArchived=true|false; anything else is a bad request.
core::result<bool> include_archived(std::string_view target) {
  const auto url = boost::urls::parse_origin_form(target);
  if (!url) return make_error(errc::bad_request, "malformed request target");
  bool out = false, seen = false;
  for (auto&& p : url->params()) {
    if (p.key != "includeArchived") continue;
    // As the chat routes: a parameter given twice is refused, never guessed at.
    if (seen) return make_error(errc::bad_request, "includeArchived is given twice");
    seen = true;
    if (core::iequals_ascii(p.value, "true"))
      out = true;
    else if (!core::iequals_ascii(p.value, "false"))
      return make_error(errc::bad_request, "includeArchived must be true or false");
  }
  return out;
}

// The preview of an image just stored under `id`, stored beside it (domain::thumbnail_key): true
// when one was made, false for a type without previews. An image that cannot be previewed (more
// pixels than allowed: a decompression bomb; or bytes that do not decode) is refused, its bytes
// removed: the app would show it to staff, whose browsers must not be the ones to find out.
core::result<bool> make_thumbnail(const attachment_services& att, const std::string& id,
                                  const std::string& content_type) {
  if (att.thumbnails == nullptr || !media::previewable(content_type)) return false;
  auto image = domain::read_whole_blob(*att.blobs, id);
  if (!image) return std::move(image).error();
  auto thumb = att.thumbnails->make(*image, content_type);
  if (!thumb) {
    (void)att.blobs->remove(id);
    if (thumb.error().code == errc::internal) return std::move(thumb).error();
    return make_error(errc::unprocessable, "the image was refused: " + thumb.error().message);
  }
  auto writer = att.blobs->create(domain::thumbnail_key(id));
  if (!writer) return std::move(writer).error();
  if (auto ok = (*writer)->append(std::span<const char>(thumb->bytes.data(), thumb->bytes.size())); !ok)
    return std::move(ok).error();
  if (auto ok = (*writer)->commit(); !ok) return std::move(ok).error();
  return true;
}

// If-None-Match (RFC 9110 section 13.1.2): "*", or a list of entity tags compared weakly (W/
// ignored), against our one strong tag.
bool matches_etag(std::string_view if_none_match, std::string_view etag) {
  for (std::string_view item : core::split_list(if_none_match)) {
    item = core::trim_ows(item);
    if (item == "*") return true;
    if (item.substr(0, 2) == "W/") item.remove_prefix(2);
    if (item == etag) return true;
  }
  return false;
}

// The name a thumbnail is saved under: the file's, as a JPEG ("rash.heic" -> "rash-thumbnail.jpg").
std::string thumbnail_name(const std::string& name) {
  const std::size_t dot = name.rfind('.');
  return (dot == std::string::npos || dot == 0 ? name : name.substr(0, dot)) + "-thumbnail.jpg";
}

}  // namespace

template <class Stream>
asio::awaitable<bool> serve_upload(Stream& stream, beast::flat_buffer& buffer,
                                   http::request_parser<http::string_body>& parser, services& svc,
                                   const http_options& opts, const attachment_target& target, request_context& ctx) {
  const auto& att = svc.attachments;
  const unsigned version = parser.get().version();
  const auto started = std::chrono::steady_clock::now();
  // Until the body is read every answer closes the connection: the rest of the body is never read.
  const core::error off = make_error(errc::not_found, "attachments are not enabled on this server");
  if (att.blobs == nullptr) co_return co_await write_error(stream, ctx, version, false, off);
  // A declared length over the limit is refused before anything else, and before a byte of the body.
  const core::error too_large = make_error(
      errc::payload_too_large, "the upload is larger than " + std::to_string(svc.limits.attachments.max_bytes) + " bytes");
  if (const auto len = parser.content_length(); len && *len > opts.max_upload_bytes)
    co_return co_await write_error(stream, ctx, version, false, too_large);
  const auto secret = bearer_secret(parser.get());
  auto who = co_await authenticate_request(svc, ctx, secret);
  if (!who) co_return co_await write_error(stream, ctx, version, false, who.error());
  // Before a byte is stored (the body is not read yet: the connection closes after the 429).
  if (auto over = take_token_limit(svc, ctx, rate_limit::uploads, who->token_id))
    co_return co_await write_error(stream, ctx, version, false, *over);
  auto begin = domain::prepare_upload(*who, target.chat, svc.rng, svc.clock);
  if (!begin) {
    const core::error unaudited = audit_unavailable();
    if (!queue_audit(svc, *who, target.chat, domain::action::upload_attachment, domain::audit_outcome(begin),
                     ctx.id.view()))
      co_return co_await write_error(stream, ctx, version, false, unaudited);
    co_return co_await write_error(stream, ctx, version, false, begin.error());
  }
  const std::string id = begin->id;

  // The file's way to storage, and its row (pending) before any byte is stored.
  std::unique_ptr<media::upload_pipeline> pipeline;
  auto made = co_await run_blocking(*att.io, [&]() -> core::result<void> {
    auto writer = att.blobs->create(id);
    if (!writer) return std::move(writer).error();
    std::unique_ptr<media::malware_scan> scan;
    if (att.scanner != nullptr) {
      auto started_scan = att.scanner->start();
      if (!started_scan) return std::move(started_scan).error();
      scan = std::move(*started_scan);
    }
    pipeline = std::make_unique<media::upload_pipeline>(std::move(*writer), *att.sniffer, std::move(scan),
                                                        svc.limits.attachments.max_bytes);
    return {};
  });
  // A refusal before the row exists still leaves its trace (storage or the scanner down).
  if (!made) {
    (void)queue_audit(svc, *who, target.chat, domain::action::upload_attachment, domain::audit_outcome(made),
                      ctx.id.view());
    co_return co_await write_error(stream, ctx, version, false, made.error());
  }
  domain::write_command pending = std::move(*begin);
  auto recorded = co_await commit(svc.writer, std::move(pending));
  if (!recorded) {
    (void)queue_audit(svc, *who, target.chat, domain::action::upload_attachment, domain::audit_outcome(recorded),
                      ctx.id.view());
    co_return co_await write_error(stream, ctx, version, false, recorded.error());
  }

  // From here on an upload that does not end clean ends refused, with its audit row.
  std::string name;
  // `outcome` is what the audit row says; nullptr: the error code's name.
  const auto refuse = [&](const core::error& e, const char* outcome) -> asio::awaitable<void> {
    (void)co_await run_blocking(*att.io, [&]() -> core::result<void> {
      pipeline->abort();
      return {};
    });
    domain::attachment_info info;
    info.id = id;
    info.name = name;
    auto finished = domain::finish_upload(
        *who, target.chat, std::move(info), domain::attachment_state::refused,
        outcome != nullptr ? std::string(outcome) : std::string(core::to_string(e.code)), svc.clock);
    finished.audit.request_id = std::string(ctx.id.view());
    domain::write_command refused = std::move(finished);
    (void)co_await commit(svc.writer, std::move(refused));
  };

  auto body = upload_body::open(header(parser.get(), http::field::content_type).value_or(""),
                                header(parser.get(), http::field::content_disposition), *pipeline);
  if (!body) {
    co_await refuse(body.error(), nullptr);
    co_return co_await write_error(stream, ctx, version, false, body.error());
  }
  if (auto expect = header(parser.get(), http::field::expect); expect && core::iequals_ascii(*expect, "100-continue")) {
    http::response<http::empty_body> cont{http::status::continue_, version};
    auto [cec, cn] = co_await http::async_write(stream, cont, use_tuple);
    if (cec) {
      const core::error gone = make_error(errc::bad_request, "the client went away");
      co_await refuse(gone, "aborted");
      co_return false;
    }
  }

  http::request_parser<http::buffer_body> reader{std::move(parser)};
  reader.body_limit(opts.max_upload_bytes);
  const bool keep = reader.get().keep_alive();
  // Two buffers: the socket fills one while the I/O threads sniff, hash, scan and store the
  // other, so the network and the disk overlap instead of waiting for each other in turn.
  std::array<std::vector<char>, 2> buffers{std::vector<char>(chunk_bytes), std::vector<char>(chunk_bytes)};
  std::size_t filling = 0;  // the buffer the next read fills
  std::size_t unstored = 0;  // bytes read into the other one, not yet stored
  for (;;) {
    const bool more = !reader.is_done();
    if (!more && unstored == 0) break;
    if (std::chrono::steady_clock::now() - started > att.upload_max_duration) {
      const core::error slow = make_error(errc::bad_request, "the upload took too long");
      co_await refuse(slow, "timeout");
      co_return co_await write_error(stream, ctx, version, false, slow);
    }
    const std::string_view ready(buffers[1 - filling].data(), unstored);
    const auto store_ready = [&]() -> asio::awaitable<core::result<void>> {
      if (ready.empty()) co_return core::result<void>{};
      co_return co_await run_blocking(*att.io, [&]() -> core::result<void> { return (*body)->feed(ready); });
    };
    const auto read_next = [&]() -> asio::awaitable<std::tuple<beast::error_code, std::size_t>> {
      if (!more) co_return std::tuple<beast::error_code, std::size_t>{};
      reader.get().body().data = buffers[filling].data();
      reader.get().body().size = chunk_bytes;
      // A timer per read: an upload may take minutes over a slow link, but must keep moving.
      beast::get_lowest_layer(stream).expires_after(opts.request_timeout);
      co_return co_await http::async_read(stream, buffer, reader, use_tuple);
    };
    auto [fed, read] = co_await (store_ready() && read_next());
    auto [ec, n] = read;
    if (!fed) {  // a refusal of what was read so far comes first
      name = (*body)->name();
      co_await refuse(fed.error(), nullptr);
      co_return co_await write_error(stream, ctx, version, false, fed.error());
    }
    if (ec == http::error::need_buffer) ec = {};
    if (ec == http::error::body_limit) {
      co_await refuse(too_large, nullptr);
      co_return co_await write_error(stream, ctx, version, false, too_large);
    }
    if (ec) {  // the client went away or stalled: nobody to answer
      const core::error cut = make_error(errc::bad_request, "the upload was cut off");
      co_await refuse(cut, "aborted");
      co_return false;
    }
    unstored = more ? chunk_bytes - reader.get().body().size : 0;
    filling = 1 - filling;
  }
  name = (*body)->name();
  auto stored = co_await run_blocking(*att.io, [&]() -> core::result<media::stored_file> {
    if (auto ok = (*body)->end(); !ok) return std::move(ok).error();
    return pipeline->seal();
  });
  if (!stored) {
    co_await refuse(stored.error(), nullptr);
    // The body was read whole: the connection may go on.
    co_return co_await write_error(stream, ctx, version, keep, stored.error());
  }
  const auto store_bytes = [&]() -> asio::awaitable<core::result<void>> {
    co_return co_await run_blocking(*att.io, [&]() { return pipeline->commit(); });
  };
  // An image is previewed from its stored bytes, and a refused preview refuses the upload: its
  // bytes are stored first, then its row. Any other file's bytes are flushed while its row is
  // committed (one flush's wait instead of two, figure 8a). That is safe: until the 201 nobody
  // knows the id, so a row that says clean over bytes a crash lost is never sent or served, and
  // the collector removes it with the other unsent uploads.
  const bool previewed = att.thumbnails != nullptr && media::previewable(stored->content_type);
  bool thumbnail = false;
  if (previewed) {
    auto kept = co_await store_bytes();
    if (!kept) {
      co_await refuse(kept.error(), nullptr);
      co_return co_await write_error(stream, ctx, version, keep, kept.error());
    }
    auto preview = co_await run_blocking(*att.io, [&]() { return make_thumbnail(att, id, stored->content_type); });
    if (!preview) {
      co_await refuse(preview.error(), nullptr);
      co_return co_await write_error(stream, ctx, version, keep, preview.error());
    }
    thumbnail = *preview;
  }
  domain::attachment_info info{id, name, stored->content_type, stored->size, stored->sha256, thumbnail};
  auto finish = domain::finish_upload(*who, target.chat, std::move(info), domain::attachment_state::clean, "ok",
                                      svc.clock);
  finish.audit.request_id = std::string(ctx.id.view());
  const reply created{201, api::serialize_attachment(finish.info)};
  domain::write_command clean = std::move(finish);
  const auto record_clean = [&]() -> asio::awaitable<domain::write_outcome> {
    co_return co_await commit(svc.writer, std::move(clean));
  };
  if (previewed) {
    auto done = co_await record_clean();
    if (!done) co_return co_await write_error(stream, ctx, version, keep, done.error());
    co_return co_await write_reply(stream, ctx, version, keep, created);
  }
  auto [kept, done] = co_await (store_bytes() && record_clean());
  if (!kept) {
    // The row may say clean already; the upload is still refused (the client never learns the
    // id), and a second audit row says why after the first one's "ok".
    if (done) (void)queue_audit(svc, *who, target.chat, domain::action::upload_attachment,
                                std::string(core::to_string(kept.error().code)), ctx.id.view());
    else
      co_await refuse(kept.error(), nullptr);
    co_return co_await write_error(stream, ctx, version, keep, kept.error());
  }
  if (!done) co_return co_await write_error(stream, ctx, version, keep, done.error());
  co_return co_await write_reply(stream, ctx, version, keep, created);
}

template <class Stream>
asio::awaitable<bool> serve_download(Stream& stream, const request& req, services& svc,
                                     const attachment_target& target, request_context& ctx) {
  const auto& att = svc.attachments;
  const unsigned version = req.version();
  const bool keep = req.keep_alive();
  const core::error off = make_error(errc::not_found, "attachments are not enabled on this server");
  if (att.blobs == nullptr) co_return co_await write_error(stream, ctx, version, keep, off);
  const auto secret = bearer_secret(req);
  auto who = co_await authenticate_request(svc, ctx, secret);
  if (!who) co_return co_await write_error(stream, ctx, version, keep, who.error());

  const auto what = domain::action::download_attachment;
  auto found = co_await run_blocking(svc.blocking, [&]() -> core::result<domain::attachment_record> {
    if (auto ok = domain::authorize(*who, target.chat, what); !ok) return std::move(ok).error();
    auto archived = include_archived(req.target());
    if (!archived) return std::move(archived).error();
    auto lease = svc.readers.acquire();
    auto record = lease->attachment(target.chat, *target.id);
    if (!record) return std::move(record).error();
    if (!*record) return make_error(errc::not_found, "no such attachment in this chat");
    if (auto ok = domain::check_download(*who, **record, *archived); !ok) return std::move(ok).error();
    if (target.thumbnail && !(*record)->info.thumbnail)
      return make_error(errc::not_found, "this attachment has no thumbnail");
    return std::move(**record);
  });
  // Every look at a patient's file is in the audit trail, the refused ones too.
  const core::error unaudited = audit_unavailable();
  if (!queue_audit(svc, *who, target.chat, what, domain::audit_outcome(found), ctx.id.view()))
    co_return co_await write_error(stream, ctx, version, keep, unaudited);
  if (!found) co_return co_await write_error(stream, ctx, version, keep, found.error());

  co_return co_await stream_attachment(stream, req, svc, *found, target.thumbnail, ctx);
}

template <class Stream>
asio::awaitable<bool> stream_attachment(Stream& stream, const request& req, services& svc,
                                        const domain::attachment_record& found, bool thumbnail, request_context& ctx) {
  const auto& att = svc.attachments;
  const unsigned version = req.version();
  const bool keep = req.keep_alive();
  const std::string key = thumbnail ? domain::thumbnail_key(found.info.id) : found.info.id;
  // The file's size is its row's; only a thumbnail's is asked of the store (one round trip fewer
  // per download: a HEAD on S3, a query on PostgreSQL).
  core::result<std::uint64_t> size = found.info.size;
  if (thumbnail) size = co_await run_blocking(*att.io, [&]() { return att.blobs->size(key); });
  if (!size) {
    // A row whose bytes are missing is the store's fault, not the client's.
    core::log_error("attachments", "the bytes of " + key + " are missing: " + size.error().message);
    const core::error broken = make_error(errc::internal, "internal error");
    co_return co_await write_error(stream, ctx, version, keep, broken);
  }
  const std::string etag = "\"" + found.info.sha256 + (thumbnail ? "-thumb\"" : "\"");
  const std::string content_type =
      thumbnail ? std::string(media::thumbnail_content_type) : found.info.content_type;

  const auto if_none_match = header(req, http::field::if_none_match);
  const bool unchanged = if_none_match && matches_etag(*if_none_match, etag);
  std::optional<api::byte_range> range;
  if (auto r = header(req, http::field::range); r && !unchanged) {
    // If-Range with another validator: the client's copy is stale, so it gets the whole file.
    auto if_range = header(req, http::field::if_range);
    if (!if_range || *if_range == etag) {
      auto parsed = api::parse_range(*r, *size);
      if (!parsed) {
        // The one error shape, plus the size the client may ask within (RFC 9110 section 15.5.17).
        reply rep = error_reply(parsed.error());
        rep.request_id = ctx.id.view();
        ctx.status = rep.status;
        ctx.body_bytes = body_of(rep).size();
        std::string head;
        format_reply_head(head, version, keep, rep);
        head.insert(head.size() - 2, "Content-Range: bytes */" + std::to_string(*size) + "\r\n");
        add_transport_headers<Stream>(head);
        const std::array<asio::const_buffer, 2> bytes{asio::buffer(head), asio::buffer(body_of(rep))};
        auto [ec, n] = co_await asio::async_write(stream, bytes, use_tuple);
        co_return !ec && keep;
      }
      range = *parsed;
    }
  }

  std::string head;
  const unsigned status = unchanged ? 304 : range ? 206 : 200;
  head = "HTTP/1." + std::to_string(version % 10) + (status == 304   ? " 304 Not Modified\r\n"
                                                     : status == 206 ? " 206 Partial Content\r\n"
                                                                     : " 200 OK\r\n");
  const std::uint64_t first = range ? range->first : 0;
  const std::uint64_t length = unchanged ? 0 : range ? range->length() : *size;
  head += "Server: carechat\r\n";
  head += "Content-Type: " + content_type + "\r\n";
  if (!unchanged) head += "Content-Length: " + std::to_string(length) + "\r\n";  // a 304 has no body to measure
  if (range) head += "Content-Range: bytes " + std::to_string(range->first) + "-" + std::to_string(range->last) + "/" +
                     std::to_string(*size) + "\r\n";
  const auto disposition = thumbnail || shown_inline(found.info.content_type) ? api::disposition::inline_
                                                                                      : api::disposition::attachment;
  head += "Content-Disposition: " +
          api::content_disposition(disposition, thumbnail ? thumbnail_name(found.info.name) : found.info.name) +
          "\r\n";
  // The file is the patient's, its type the sniffer's: never sniffed again, never run as a page.
  head += "X-Content-Type-Options: nosniff\r\n";
  head += "Content-Security-Policy: sandbox\r\n";
  head += "Cache-Control: private\r\n";
  head += "Accept-Ranges: bytes\r\n";
  head += "ETag: " + etag + "\r\n";
  head += "X-Request-Id: ";
  head += ctx.id.view();
  head += "\r\n";
  if (!keep) head += "Connection: close\r\n";
  ctx.status = status;
  ctx.body_bytes = length;
  head += "\r\n";
  add_transport_headers<Stream>(head);
  {
    beast::get_lowest_layer(stream).expires_after(answer_timeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(head), use_tuple);
    if (ec) co_return false;
  }
  std::vector<char> chunk(static_cast<std::size_t>(std::min<std::uint64_t>(chunk_bytes, std::max<std::uint64_t>(length, 1))));
  std::uint64_t sent = 0;
  while (sent < length) {
    const std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(chunk.size(), length - sent));
    auto got = co_await run_blocking(*att.io, [&]() {
      return att.blobs->read(key, first + sent, std::span<char>(chunk.data(), want));
    });
    // The head is out: a failure now can only cut the connection (the client sees a short body).
    if (!got || *got == 0) {
      core::log_error("attachments", "reading " + key + " failed mid-download");
      co_return false;
    }
    beast::get_lowest_layer(stream).expires_after(answer_timeout);
    auto [ec, n] = co_await asio::async_write(stream, asio::buffer(chunk.data(), *got), use_tuple);
    if (ec) co_return false;
    sent += *got;
  }
  co_return keep;
}

// The two transports (net/transport.hpp).
template asio::awaitable<bool> serve_upload(plain_stream&, beast::flat_buffer&, http::request_parser<http::string_body>&,
                                            services&, const http_options&, const attachment_target&,
                                            request_context&);
template asio::awaitable<bool> serve_upload(tls_stream&, beast::flat_buffer&, http::request_parser<http::string_body>&,
                                            services&, const http_options&, const attachment_target&,
                                            request_context&);
template asio::awaitable<bool> serve_download(plain_stream&, const request&, services&, const attachment_target&,
                                              request_context&);
template asio::awaitable<bool> serve_download(tls_stream&, const request&, services&, const attachment_target&,
                                              request_context&);
template asio::awaitable<bool> stream_attachment(plain_stream&, const request&, services&,
                                                 const domain::attachment_record&, bool, request_context&);
template asio::awaitable<bool> stream_attachment(tls_stream&, const request&, services&,
                                                 const domain::attachment_record&, bool, request_context&);

}  // namespace carechat::net
