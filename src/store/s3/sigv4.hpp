// AWS Signature Version 4 for S3-compatible object storage: the attachment store's S3 backend
// signs each request it sends with this (docs.aws.amazon.com, "Authenticating Requests: Using the
// Authorization Header" and "... Query Parameters"). Written here rather than taken from a library:
// Debian 12 packages no C++ AWS SDK, and signing is ~200 lines over the HMAC and SHA-256 that
// core/crypto already wraps. Checked against AWS's published examples (tests/unit/store).
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carechat::store::s3 {

// Who signs, and for which scope.
struct sigv4_key {
  std::string access_key_id;
  std::string secret_access_key;
  std::string region = "us-east-1";
  std::string service = "s3";
};

// A request as the signature sees it. The path and the query are given decoded; the signer encodes
// them the way S3 does (each byte outside A-Z a-z 0-9 - _ . ~ as %XX, and '/' kept in the path).
struct sigv4_request {
  std::string method = "GET";
  std::string path = "/";                                      // "/bucket/key", decoded
  std::vector<std::pair<std::string, std::string>> query;      // decoded names and values
  std::vector<std::pair<std::string, std::string>> headers;    // any case; host must be one
  std::string payload_hash = "UNSIGNED-PAYLOAD";               // hex SHA-256 of the body, or that
};

struct sigv4_signature {
  std::string signed_headers;  // "host;range;x-amz-content-sha256;x-amz-date"
  std::string signature;       // 64 hex digits
  std::string authorization;   // the Authorization header's value
};

// S3's URI encoding of one string: unreserved characters as they are, '/' too if keep_slash.
std::string sigv4_uri_encode(std::string_view text, bool keep_slash);

// The canonical request (exposed for tests and for debugging a server that refuses a signature).
std::string sigv4_canonical_request(const sigv4_request& req);

// The x-amz-date form of a time: "20130524T000000Z".
std::string sigv4_amz_date(std::int64_t unix_ms);

// Signs with the Authorization header. `amz_date` is the request's x-amz-date header (which the
// caller adds to req.headers, with x-amz-content-sha256, before signing).
sigv4_signature sigv4_sign(const sigv4_request& req, const sigv4_key& key, std::string_view amz_date);

// Signs with query parameters (a presigned URL valid for `expires_s` seconds; only the host header
// is signed and the payload is UNSIGNED-PAYLOAD): the URL's whole query string, X-Amz-Signature
// last. carechat proxies every download itself (each read is audited), so this serves tools and
// tests, not patients.
std::string sigv4_presign(sigv4_request req, const sigv4_key& key, std::string_view amz_date, int expires_s);

}  // namespace carechat::store::s3
