// The attachment routes (issue #14). Their bodies stream (an upload is never held whole, a download
// is written as it is read), so http_session hands them the connection once a request's header is
// read, as it does WebSocket upgrades:
//   POST /{tenant}/{instance}/patient/{patientId}/chat/attachments             upload: the file as
//        the body (Content-Disposition names it) or multipart/form-data with a part named "file"
//   GET  /{tenant}/{instance}/patient/{patientId}/chat/attachments/{id}        the file
//   GET  /{tenant}/{instance}/patient/{patientId}/chat/attachments/{id}/thumbnail
// Thread-safety: each call runs on its connection's I/O thread; blocking work (storage, the
// scanner) goes to services::attachments.io, store reads to the blocking pool.
#pragma once

#include <optional>
#include <string>

#include "domain/attachment.hpp"
#include "domain/chat.hpp"
#include "net/asio.hpp"
#include "net/http_options.hpp"
#include "net/handlers/stream_routes.hpp"
#include "net/request_context.hpp"
#include "net/services.hpp"
#include "net/transport.hpp"

namespace carechat::net {

// Reads the body (parser: header read, body not yet) into storage and answers 201 with the
// attachment, or an error. Both routes echo ctx's request id, audit it, and record in ctx who
// asked and the answer's status and size. Returns whether the connection may serve another request.
// Stream: plain_stream or tls_stream (net/transport.hpp).
template <class Stream>
asio::awaitable<bool> serve_upload(Stream& stream, beast::flat_buffer& buffer,
                                   http::request_parser<http::string_body>& parser, services& svc,
                                   const http_options& opts, const attachment_target& target, request_context& ctx);

// Answers the file or its thumbnail (Range, ETag), or an error. Returns whether the connection
// may serve another request.
template <class Stream>
asio::awaitable<bool> serve_download(Stream& stream, const request& req, services& svc,
                                     const attachment_target& target, request_context& ctx);

// Writes an attachment's bytes, or its thumbnail's, as the download route does (ETag and
// If-None-Match, Range and If-Range, Content-Disposition, nosniff, a sandbox CSP), reading them
// from the blob store in steps. The caller has authenticated, authorized and audited the access
// (the FHIR facade's Binary read shares this with the download route). Returns whether the
// connection may serve another request.
template <class Stream>
asio::awaitable<bool> stream_attachment(Stream& stream, const request& req, services& svc,
                                        const domain::attachment_record& found, bool thumbnail, request_context& ctx);

}  // namespace carechat::net
