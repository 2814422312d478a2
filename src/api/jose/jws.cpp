#include "api/jose/jws.hpp"

#include <algorithm>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_body.hpp"
#include "core/crypto.hpp"

namespace carechat::api::jose {
namespace json = boost::json;
namespace {

core::error refused(std::string message) { return core::make_error(core::errc::unauthorized, std::move(message)); }

// One base64url segment holding one JSON object, duplicate members refused.
core::result<json::object> json_segment(std::string_view segment, const char* what) {
  auto raw = core::base64url_decode(segment);
  if (!raw) return refused(std::string("the token's ") + what + " is not base64url");
  const std::string_view text(reinterpret_cast<const char*>(raw->data()), raw->size());
  if (has_duplicate_keys(text)) return refused(std::string("the token's ") + what + " is not JSON or names a member twice");
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = max_json_depth;
  auto v = json::parse(json::string_view(text.data(), text.size()), ec, {}, opts);
  if (ec || !v.is_object()) return refused(std::string("the token's ") + what + " is not a JSON object");
  return std::move(v.as_object());
}

}  // namespace

core::result<parsed_jws> parse_compact(std::string_view token) {
  if (token.size() > max_jws_bytes) return refused("the token is too large");
  const auto first = token.find('.');
  const auto second = first == std::string_view::npos ? first : token.find('.', first + 1);
  if (second == std::string_view::npos || token.find('.', second + 1) != std::string_view::npos)
    return refused("the token is not a compact JWS (three dot-separated parts)");
  parsed_jws out;
  auto header = json_segment(token.substr(0, first), "header");
  if (!header) return std::move(header).error();
  out.header = std::move(*header);
  const auto* alg = out.header.if_contains("alg");
  const auto* alg_name = alg ? alg->if_string() : nullptr;
  if (!alg_name) return refused("the token's header names no \"alg\"");
  const auto parsed_alg = core::jws_alg_from_string(std::string_view(alg_name->data(), alg_name->size()));
  if (!parsed_alg)
    return refused("the token's \"alg\" " + std::string(alg_name->c_str()).substr(0, 16) +
                   " is refused (only RS256, RS384, ES256 and ES384 are accepted)");
  out.alg = *parsed_alg;
  if (out.header.contains("crit")) return refused("the token's header has \"crit\" extensions, none of which are understood");
  if (const auto* kid = out.header.if_contains("kid")) {
    if (!kid->is_string() || kid->as_string().size() > 256) return refused("the token's \"kid\" is not a short string");
    out.kid = std::string(kid->as_string().c_str(), kid->as_string().size());
  }
  auto claims = json_segment(token.substr(first + 1, second - first - 1), "payload");
  if (!claims) return std::move(claims).error();
  out.claims = std::move(*claims);
  auto signature = core::base64url_decode(token.substr(second + 1));
  if (!signature || signature->empty()) return refused("the token's signature is missing or not base64url");
  out.signature = std::move(*signature);
  out.signing_input = std::string(token.substr(0, second));
  return out;
}

core::result<void> verify(const parsed_jws& token, const jwks& keys, std::span<const core::jws_alg> allowed) {
  if (std::find(allowed.begin(), allowed.end(), token.alg) == allowed.end())
    return refused("the token's \"alg\" " + std::string(core::to_string(token.alg)) + " is not accepted here");
  const jwk* key = nullptr;
  if (!token.kid.empty()) {
    key = keys.find(token.kid);
    if (!key) return refused("the token's \"kid\" names no known key");
  } else {
    // No kid: only an unambiguous set will do (one key that fits the alg).
    for (const auto& k : keys.keys()) {
      if (!core::alg_fits_key(token.alg, k.key.type())) continue;
      if (key) return refused("the token names no \"kid\" and several keys could have signed it");
      key = &k;
    }
    if (!key) return refused("the token names no \"kid\" and no key fits its \"alg\"");
  }
  if (!core::alg_fits_key(token.alg, key->key.type())) return refused("the token's \"alg\" does not fit the key");
  if (key->alg && *key->alg != token.alg) return refused("the token's \"alg\" is not the one its key is registered for");
  if (!core::jws_verify(token.alg, key->key, token.signing_input, token.signature))
    return refused("the token's signature does not verify");
  return {};
}

core::result<parsed_jws> verify_compact(std::string_view token, const jwks& keys, std::span<const core::jws_alg> allowed) {
  auto parsed = parse_compact(token);
  if (!parsed) return parsed;
  if (auto ok = verify(*parsed, keys, allowed); !ok) return std::move(ok).error();
  return parsed;
}

core::result<std::string> sign_compact(const json::object& claims, const core::jose_key& key, core::jws_alg alg,
                                       std::string_view kid) {
  json::object header;
  header["alg"] = core::to_string(alg);
  header["typ"] = "JWT";
  if (!kid.empty()) header["kid"] = kid;
  std::string input = core::base64url_encode(core::as_bytes(json::serialize(header)));
  input += '.';
  input += core::base64url_encode(core::as_bytes(json::serialize(claims)));
  auto sig = core::jws_sign(alg, key, input);
  if (!sig) return std::move(sig).error();
  input += '.';
  input += core::base64url_encode(*sig);
  return input;
}

}  // namespace carechat::api::jose
