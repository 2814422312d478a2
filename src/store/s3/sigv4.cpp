#include "store/s3/sigv4.hpp"

#include <algorithm>

#include "core/crypto.hpp"
#include "core/text.hpp"
#include "core/time_format.hpp"

namespace carechat::store::s3 {
namespace {

constexpr std::string_view algorithm = "AWS4-HMAC-SHA256";

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

// A header value as the canonical request has it: no leading or trailing spaces, and each run of
// spaces inside as one.
std::string canonical_value(std::string_view v) {
  std::string out;
  bool space = false;
  for (char c : v) {
    if (c == ' ' || c == '\t') {
      space = !out.empty();
      continue;
    }
    if (space) out += ' ';
    space = false;
    out += c;
  }
  return out;
}

struct canonical_headers {
  std::string block;   // "name:value\n" per header, sorted
  std::string signed_; // "name;name"
};

canonical_headers headers_of(const sigv4_request& req) {
  std::vector<std::pair<std::string, std::string>> h;
  h.reserve(req.headers.size());
  for (const auto& [name, value] : req.headers) h.emplace_back(lower_ascii(name), canonical_value(value));
  std::stable_sort(h.begin(), h.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  canonical_headers out;
  for (std::size_t i = 0; i < h.size(); ++i) {
    if (i > 0 && h[i].first == h[i - 1].first) {  // a repeated header: its values joined by commas
      out.block.pop_back();
      out.block += ',' + h[i].second + '\n';
      continue;
    }
    out.block += h[i].first + ':' + h[i].second + '\n';
    if (!out.signed_.empty()) out.signed_ += ';';
    out.signed_ += h[i].first;
  }
  return out;
}

std::string canonical_query(const sigv4_request& req) {
  std::vector<std::pair<std::string, std::string>> q;
  q.reserve(req.query.size());
  for (const auto& [name, value] : req.query)
    q.emplace_back(sigv4_uri_encode(name, false), sigv4_uri_encode(value, false));
  std::sort(q.begin(), q.end());
  std::string out;
  for (const auto& [name, value] : q) {
    if (!out.empty()) out += '&';
    out += name + '=' + value;
  }
  return out;
}

std::string canonical_request_with(const sigv4_request& req, const canonical_headers& h) {
  const std::string path = req.path.empty() ? "/" : sigv4_uri_encode(req.path, true);
  return req.method + '\n' + path + '\n' + canonical_query(req) + '\n' + h.block + '\n' + h.signed_ + '\n' +
         req.payload_hash;
}

std::string scope_of(const sigv4_key& key, std::string_view amz_date) {
  return std::string(amz_date.substr(0, 8)) + '/' + key.region + '/' + key.service + "/aws4_request";
}

std::string signature_of(const std::string& canonical, const sigv4_key& key, std::string_view amz_date) {
  const std::string scope = scope_of(key, amz_date);
  const std::string to_sign = std::string(algorithm) + '\n' + std::string(amz_date) + '\n' + scope + '\n' +
                              core::to_hex(core::sha256(canonical));
  const std::string secret = "AWS4" + key.secret_access_key;
  auto k = core::hmac_sha256(core::as_bytes(secret), amz_date.substr(0, 8));
  k = core::hmac_sha256(k, key.region);
  k = core::hmac_sha256(k, key.service);
  k = core::hmac_sha256(k, "aws4_request");
  return core::to_hex(core::hmac_sha256(k, to_sign));
}

}  // namespace

std::string sigv4_uri_encode(std::string_view text, bool keep_slash) {
  return keep_slash ? core::percent_encode(text, [](unsigned char c) { return core::is_unreserved(c) || c == '/'; })
                    : core::percent_encode(text, core::is_unreserved);
}

std::string sigv4_canonical_request(const sigv4_request& req) { return canonical_request_with(req, headers_of(req)); }

std::string sigv4_amz_date(std::int64_t unix_ms) {
  // "2013-05-24T00:00:00.000Z" -> "20130524T000000Z"
  const std::string iso = core::format_iso8601_ms(unix_ms);
  std::string out;
  for (char c : iso.substr(0, 19))
    if (c != '-' && c != ':') out += c;
  return out + 'Z';
}

sigv4_signature sigv4_sign(const sigv4_request& req, const sigv4_key& key, std::string_view amz_date) {
  const canonical_headers h = headers_of(req);
  sigv4_signature s;
  s.signed_headers = h.signed_;
  s.signature = signature_of(canonical_request_with(req, h), key, amz_date);
  s.authorization = std::string(algorithm) + " Credential=" + key.access_key_id + '/' + scope_of(key, amz_date) +
                    ",SignedHeaders=" + s.signed_headers + ",Signature=" + s.signature;
  return s;
}

std::string sigv4_presign(sigv4_request req, const sigv4_key& key, std::string_view amz_date, int expires_s) {
  std::erase_if(req.headers, [](const auto& h) { return lower_ascii(h.first) != "host"; });
  req.payload_hash = "UNSIGNED-PAYLOAD";
  req.query.emplace_back("X-Amz-Algorithm", std::string(algorithm));
  req.query.emplace_back("X-Amz-Credential", key.access_key_id + '/' + scope_of(key, amz_date));
  req.query.emplace_back("X-Amz-Date", std::string(amz_date));
  req.query.emplace_back("X-Amz-Expires", std::to_string(expires_s));
  req.query.emplace_back("X-Amz-SignedHeaders", "host");
  const std::string signature = signature_of(sigv4_canonical_request(req), key, amz_date);
  return canonical_query(req) + "&X-Amz-Signature=" + signature;
}

}  // namespace carechat::store::s3
