#include "store/s3/s3_client.hpp"

#include <algorithm>
#include <limits>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "store/s3/s3_xml.hpp"

namespace carechat::store::s3 {
namespace {

// S3's error Code out of an XML error body, shortened: it ends up in logs.
std::string error_code_of(const http_reply& r) {
  std::string code = xml_element_text(r.body, "Code").value_or("");
  if (code.size() > 64) code.resize(64);
  return code;
}

std::string describe(const s3_call& call, const http_reply& r) {
  const std::string code = error_code_of(r);
  return "S3 " + call.method + " " + call.object + ": " + std::to_string(r.status) + (code.empty() ? "" : " " + code);
}

// The table in the header, for a reply that is not the call's success.
core::error error_of(const s3_call& call, const http_reply& r) {
  if (r.status >= 500) return core::make_error(core::errc::unavailable, describe(call, r));
  if (r.status == 404 && error_code_of(r) != "NoSuchBucket")
    return core::make_error(core::errc::not_found, describe(call, r));
  return core::make_error(core::errc::internal, describe(call, r));
}

core::error exists_error(std::string_view object) {
  return core::make_error(core::errc::idempotency_conflict, "S3 store: object " + std::string(object) + " exists");
}

bool is_success(const http_reply& r) { return r.status >= 200 && r.status < 300; }

// A 404 for the object, not for the bucket: a missing or misnamed bucket must not pass for an
// empty one (a remove() that "succeeds", reads that find nothing). A HEAD's 404 has no body to
// tell them apart.
bool object_missing(const http_reply& r) { return r.status == 404 && error_code_of(r) != "NoSuchBucket"; }

// "bytes START-END/TOTAL" -> START and END.
std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_content_range(std::string_view v) {
  if (!v.starts_with("bytes ")) return std::nullopt;
  v.remove_prefix(6);
  const std::size_t dash = v.find('-'), slash = v.find('/');
  if (dash == std::string_view::npos || slash == std::string_view::npos || slash < dash) return std::nullopt;
  const auto first = core::parse_decimal<std::uint64_t>(v.substr(0, dash));
  const auto last = core::parse_decimal<std::uint64_t>(v.substr(dash + 1, slash - dash - 1));
  if (!first || !last || *last < *first) return std::nullopt;
  return std::pair{*first, *last};
}

}  // namespace

s3_signed_request s3_sign(const s3_call& call, std::string_view bucket, std::string_view host_header,
                          const sigv4_key& key, core::unix_ms now) {
  sigv4_request req;
  req.method = call.method;
  req.path = "/" + std::string(bucket) + "/" + call.object;
  req.query = call.query;
  req.headers = call.headers;
  const std::string amz_date = sigv4_amz_date(now);
  req.payload_hash = core::to_hex(core::sha256({call.body.data(), call.body.size()}));
  req.headers.emplace_back("host", std::string(host_header));
  req.headers.emplace_back("x-amz-content-sha256", req.payload_hash);
  req.headers.emplace_back("x-amz-date", amz_date);
  const sigv4_signature signature = sigv4_sign(req, key, amz_date);

  // On the wire exactly as signed: the signer's encoding of the path and of each query item.
  s3_signed_request out;
  out.target = sigv4_uri_encode(req.path, true);
  char sep = '?';
  for (const auto& [name, value] : call.query) {
    out.target += sep + sigv4_uri_encode(name, false) + '=' + sigv4_uri_encode(value, false);
    sep = '&';
  }
  out.headers = std::move(req.headers);
  out.headers.emplace_back("authorization", signature.authorization);
  return out;
}

s3_client::s3_client(http_endpoint endpoint, const s3_options& options, const core::clock& clock)
    : endpoint_(std::move(endpoint)),
      bucket_(options.bucket),
      key_{options.access_key_id, options.secret_access_key, options.region, "s3"},
      timeouts_{options.connect_timeout, options.request_timeout},
      clock_(&clock) {}

core::result<s3_client> s3_client::make(const s3_options& options, const core::clock& clock) {
  if (auto ok = validate(options); !ok) return std::move(ok).error();
  auto endpoint = parse_http_endpoint(options.endpoint);
  if (!endpoint) return std::move(endpoint).error();
  return s3_client(std::move(*endpoint), options, clock);
}

core::result<http_reply> s3_client::send(const s3_call& call, std::size_t max_reply_body, bool head) const {
  s3_signed_request req = s3_sign(call, bucket_, endpoint_.host_header, key_, clock_->now_ms());
  http_call http;
  http.method = call.method;
  http.target = std::move(req.target);
  http.headers = std::move(req.headers);
  http.body = call.body;
  http.head = head;
  http.max_reply_body = max_reply_body;
  return http_exchange(endpoint_, http, timeouts_);
}

core::result<std::optional<std::uint64_t>> s3_client::head(std::string_view object) const {
  const s3_call call{"HEAD", std::string(object), {}, {}, {}};
  auto r = send(call, 0, true);
  if (!r) return std::move(r).error();
  if (r->status == 404) return std::optional<std::uint64_t>();
  if (!is_success(*r)) return error_of(call, *r);
  const auto length = core::parse_decimal<std::uint64_t>(r->header("content-length"));
  if (!length) return core::make_error(core::errc::internal, "S3 HEAD " + call.object + ": no Content-Length");
  return std::optional<std::uint64_t>(*length);
}

core::result<std::size_t> s3_client::get_range(std::string_view object, std::uint64_t offset,
                                               std::span<char> out) const {
  if (out.empty()) {  // "bytes=N-(N-1)" is no range: whether the object exists is all there is to say
    auto h = head(object);
    if (!h) return std::move(h).error();
    if (!*h) return core::make_error(core::errc::not_found, "S3 store: no object " + std::string(object));
    return std::size_t{0};
  }
  const std::uint64_t max = std::numeric_limits<std::uint64_t>::max();
  const std::uint64_t last = offset > max - (out.size() - 1) ? max : offset + (out.size() - 1);
  const s3_call call{
      "GET", std::string(object), {}, {{"range", "bytes=" + std::to_string(offset) + "-" + std::to_string(last)}}, {}};
  auto r = send(call, out.size());
  if (!r) return std::move(r).error();
  if (r->status == 416) return std::size_t{0};  // the range starts at or past the end
  if (object_missing(*r)) return core::make_error(core::errc::not_found, "S3 store: no object " + std::string(object));
  if (r->status == 206) {
    const auto range = parse_content_range(r->header("content-range"));
    if (!range || range->first != offset || r->body.size() != range->second - range->first + 1)
      return core::make_error(core::errc::internal, "S3 GET " + call.object + ": a reply for another range");
  } else if (r->status == 200) {
    // The whole object: only right when the range covered it (it fits in `out`: send() checked).
    if (offset != 0) return core::make_error(core::errc::internal, "S3 GET " + call.object + ": Range ignored");
  } else {
    return error_of(call, *r);
  }
  std::copy(r->body.begin(), r->body.end(), out.begin());
  return r->body.size();
}

core::result<void> s3_client::put_new(std::string_view object, std::span<const char> body) const {
  const s3_call call{"PUT", std::string(object), {}, {{"if-none-match", "*"}}, body};
  auto r = send(call);
  if (!r) return std::move(r).error();
  if (r->status == 412) return exists_error(object);
  if (!is_success(*r)) return error_of(call, *r);
  return {};
}

core::result<void> s3_client::remove(std::string_view object) const {
  const s3_call call{"DELETE", std::string(object), {}, {}, {}};
  auto r = send(call);
  if (!r) return std::move(r).error();
  if (!is_success(*r) && !object_missing(*r)) return error_of(call, *r);
  return {};
}

core::result<std::string> s3_client::create_multipart(std::string_view object) const {
  const s3_call call{"POST", std::string(object), {{"uploads", ""}}, {}, {}};
  auto r = send(call);
  if (!r) return std::move(r).error();
  if (!is_success(*r)) return error_of(call, *r);
  auto id = xml_element_text(r->body, "UploadId");
  if (!id || id->empty())
    return core::make_error(core::errc::internal, "S3 POST " + call.object + "?uploads: no UploadId in the reply");
  return std::move(*id);
}

core::result<std::string> s3_client::upload_part(std::string_view object, std::string_view upload_id, int part_number,
                                                 std::span<const char> body) const {
  const s3_call call{"PUT",
                     std::string(object),
                     {{"partNumber", std::to_string(part_number)}, {"uploadId", std::string(upload_id)}},
                     {},
                     body};
  auto r = send(call);
  if (!r) return std::move(r).error();
  if (!is_success(*r)) return error_of(call, *r);
  std::string etag(r->header("etag"));
  if (etag.empty())
    return core::make_error(core::errc::internal, "S3 PUT " + call.object + " part " + std::to_string(part_number) +
                                                      ": no ETag in the reply");
  return etag;
}

core::result<void> s3_client::complete_multipart(std::string_view object, std::string_view upload_id,
                                                 const std::vector<std::string>& etags) const {
  std::string xml = "<CompleteMultipartUpload>";
  for (std::size_t i = 0; i < etags.size(); ++i)
    xml +=
        "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + xml_escape(etags[i]) + "</ETag></Part>";
  xml += "</CompleteMultipartUpload>";
  const s3_call call{"POST",
                     std::string(object),
                     {{"uploadId", std::string(upload_id)}},
                     {{"content-type", "application/xml"}, {"if-none-match", "*"}},
                     {xml.data(), xml.size()}};
  auto r = send(call);
  if (!r) return std::move(r).error();
  if (r->status == 412) return exists_error(object);
  if (!is_success(*r)) return error_of(call, *r);
  // S3 may answer 200 and report a failure in the body (it has started streaming its reply).
  if (r->body.find("<Error>") != std::string::npos) {
    const std::string code = error_code_of(*r);
    const core::errc errc =
        code == "InternalError" || code == "SlowDown" ? core::errc::unavailable : core::errc::internal;
    return core::make_error(errc, describe(call, *r));
  }
  return {};
}

core::result<void> s3_client::abort_multipart(std::string_view object, std::string_view upload_id) const {
  const s3_call call{"DELETE", std::string(object), {{"uploadId", std::string(upload_id)}}, {}, {}};
  auto r = send(call);
  if (!r) return std::move(r).error();
  if (!is_success(*r) && r->status != 404) return error_of(call, *r);  // 404: already gone
  return {};
}

}  // namespace carechat::store::s3
