#include "api/jose/jwk.hpp"

#include <set>

#include <boost/json/parse.hpp>
#include <boost/json/serialize.hpp>

#include "api/json_body.hpp"
#include "core/crypto.hpp"

namespace carechat::api::jose {
namespace json = boost::json;
namespace {

core::error bad(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

// A base64url member as bytes; nullopt when absent, an error when present but malformed.
core::result<std::optional<core::bytes>> member_bytes(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  if (!v) return std::optional<core::bytes>();
  const auto* s = v->if_string();
  if (!s) return bad("JWK member \"" + std::string(name) + "\" is not a string");
  auto decoded = core::base64url_decode(std::string_view(s->data(), s->size()));
  if (!decoded || decoded->empty()) return bad("JWK member \"" + std::string(name) + "\" is not base64url");
  return std::optional<core::bytes>(std::move(*decoded));
}

core::result<core::bytes> required_bytes(const json::object& o, std::string_view name) {
  auto v = member_bytes(o, name);
  if (!v) return std::move(v).error();
  if (!*v) return bad("JWK member \"" + std::string(name) + "\" is missing");
  return std::move(**v);
}

std::string_view string_member(const json::object& o, std::string_view name) {
  const auto* v = o.if_contains(name);
  const auto* s = v ? v->if_string() : nullptr;
  return s ? std::string_view(s->data(), s->size()) : std::string_view();
}

core::result<core::jose_key> rsa_key(const json::object& o, bool allow_private) {
  auto n = required_bytes(o, "n");
  if (!n) return std::move(n).error();
  auto e = required_bytes(o, "e");
  if (!e) return std::move(e).error();
  if (!allow_private || !o.contains("d")) return core::jose_key::rsa_public(*n, *e);
  core::jose_key::rsa_private_parts parts{std::move(*n), std::move(*e), {}, {}, {}, {}, {}, {}};
  const std::pair<const char*, core::bytes*> rest[] = {{"d", &parts.d},   {"p", &parts.p},   {"q", &parts.q},
                                                        {"dp", &parts.dp}, {"dq", &parts.dq}, {"qi", &parts.qi}};
  for (const auto& [name, out] : rest) {
    auto v = required_bytes(o, name);
    if (!v) return std::move(v).error();
    *out = std::move(*v);
  }
  return core::jose_key::rsa_private(parts);
}

core::result<core::jose_key> ec_key(const json::object& o, bool allow_private) {
  const auto crv = string_member(o, "crv");
  core::key_type curve;
  if (crv == "P-256") curve = core::key_type::ec_p256;
  else if (crv == "P-384") curve = core::key_type::ec_p384;
  else return bad("EC keys must be on P-256 or P-384");
  auto x = required_bytes(o, "x");
  if (!x) return std::move(x).error();
  auto y = required_bytes(o, "y");
  if (!y) return std::move(y).error();
  if (allow_private && o.contains("d")) {
    auto d = required_bytes(o, "d");
    if (!d) return std::move(d).error();
    return core::jose_key::ec_private(curve, *x, *y, *d);
  }
  return core::jose_key::ec_public(curve, *x, *y);
}

}  // namespace

core::result<jwk> parse_jwk(const json::object& o, bool allow_private) {
  const auto kty = string_member(o, "kty");
  if (o.contains("use") && string_member(o, "use") != "sig")
    return bad("the JWK is not a signature key (\"use\" is not \"sig\")");
  std::optional<core::jws_alg> alg;
  if (o.contains("alg")) {
    alg = core::jws_alg_from_string(string_member(o, "alg"));
    if (!alg) return bad("the JWK's \"alg\" is not one of RS256, RS384, ES256, ES384");
  }
  if (const auto* kid = o.if_contains("kid"); kid && (!kid->is_string() || kid->as_string().size() > 256))
    return bad("the JWK's \"kid\" must be a string of at most 256 characters");
  core::result<core::jose_key> key = kty == "RSA" ? rsa_key(o, allow_private)
                                     : kty == "EC" ? ec_key(o, allow_private)
                                                   : core::result<core::jose_key>(bad("the JWK's \"kty\" must be RSA or EC"));
  if (!key) return std::move(key).error();
  if (alg && !core::alg_fits_key(*alg, key->type())) return bad("the JWK's \"alg\" does not fit its key");
  return jwk{std::string(string_member(o, "kid")), alg, std::move(*key)};
}

core::result<jwk> parse_jwk_text(std::string_view text, bool allow_private) {
  if (text.size() > max_jwks_bytes) return bad("the JWK is too large");
  if (has_duplicate_keys(text)) return bad("the JWK is not JSON or names a member twice");
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = max_json_depth;
  auto v = json::parse(json::string_view(text.data(), text.size()), ec, {}, opts);
  if (ec || !v.is_object()) return bad("the JWK is not a JSON object");
  return parse_jwk(v.as_object(), allow_private);
}

core::result<jwks> jwks::parse(std::string_view text) {
  if (text.size() > max_jwks_bytes) return bad("the key set is too large");
  if (has_duplicate_keys(text)) return bad("the key set is not JSON or names a member twice");
  boost::system::error_code ec;
  json::parse_options opts;
  opts.max_depth = max_json_depth;
  auto v = json::parse(json::string_view(text.data(), text.size()), ec, {}, opts);
  const auto* o = ec ? nullptr : v.if_object();
  const auto* keys = o && o->contains("keys") ? o->at("keys").if_array() : nullptr;
  if (!keys) return bad("the key set is not a JSON object with a \"keys\" array");
  if (keys->size() > max_jwks_keys) return bad("the key set holds more than " + std::to_string(max_jwks_keys) + " keys");
  std::vector<jwk> out;
  std::set<std::string> kids;
  for (const auto& k : *keys) {
    const auto* ko = k.if_object();
    if (!ko) return bad("a key in the set is not an object");
    auto parsed = parse_jwk(*ko, false);
    if (!parsed) continue;  // an encryption key, an "oct" key or a curve we do not verify with
    if (!parsed->kid.empty() && !kids.insert(parsed->kid).second)
      return bad("two keys in the set share the kid \"" + parsed->kid + "\"");
    out.push_back(std::move(*parsed));
  }
  if (out.empty()) return bad("the key set holds no usable signature key");
  return jwks(std::move(out));
}

const jwk* jwks::find(std::string_view kid) const {
  for (const auto& k : keys_)
    if (k.kid == kid) return &k;
  return nullptr;
}

namespace {

// The members RFC 7638 hashes, in its lexicographic order; also the core of the public JWK.
json::object required_members(const core::jose_key& key) {
  json::object o;
  const auto nums = key.public_parts();
  if (!nums) return o;
  if (key.type() == core::key_type::rsa) {
    o["e"] = core::base64url_encode(nums->b);
    o["kty"] = "RSA";
    o["n"] = core::base64url_encode(nums->a);
  } else {
    o["crv"] = key.type() == core::key_type::ec_p256 ? "P-256" : "P-384";
    o["kty"] = "EC";
    o["x"] = core::base64url_encode(nums->a);
    o["y"] = core::base64url_encode(nums->b);
  }
  return o;
}

}  // namespace

json::object public_jwk(const core::jose_key& key, std::string_view kid, core::jws_alg alg) {
  json::object o = required_members(key);
  o["kid"] = kid;
  o["alg"] = core::to_string(alg);
  o["use"] = "sig";
  return o;
}

std::string thumbprint(const core::jose_key& key) {
  // boost::json keeps insertion order and writes no whitespace: exactly RFC 7638's canonical form.
  const auto digest = core::sha256(json::serialize(required_members(key)));
  return core::base64url_encode(digest);
}

}  // namespace carechat::api::jose
