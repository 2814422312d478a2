#include "api/jose/jwt_claims.hpp"

#include <cmath>
#include <cstdint>
#include <limits>

namespace carechat::api::jose {
namespace json = boost::json;
namespace {

core::error refused(std::string message) { return core::make_error(core::errc::unauthorized, std::move(message)); }

bool string_claim_is(const json::object& claims, std::string_view name, std::string_view expected) {
  const auto* v = claims.if_contains(name);
  const auto* s = v ? v->if_string() : nullptr;
  return s && std::string_view(s->data(), s->size()) == expected;
}

bool accepted(std::string_view aud, const std::vector<std::string>& audiences) {
  for (const auto& a : audiences)
    if (!a.empty() && aud == a) return true;
  return false;
}

bool audience_holds(const json::object& claims, const std::vector<std::string>& audiences) {
  const auto* v = claims.if_contains("aud");
  if (!v) return false;
  if (const auto* s = v->if_string()) return accepted(std::string_view(s->data(), s->size()), audiences);
  if (const auto* a = v->if_array()) {
    for (const auto& item : *a)
      if (const auto* s = item.if_string(); s && accepted(std::string_view(s->data(), s->size()), audiences)) return true;
  }
  return false;
}

}  // namespace

std::optional<std::int64_t> numeric_date(const json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  if (!v) return std::nullopt;
  if (const auto* i = v->if_int64()) return *i;
  if (const auto* u = v->if_uint64(); u && *u <= static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) return static_cast<std::int64_t>(*u);
  if (const auto* d = v->if_double(); d && std::isfinite(*d) && std::fabs(*d) < 1e15)
    return static_cast<std::int64_t>(std::floor(*d));
  return std::nullopt;
}

core::result<void> check_claims(const json::object& claims, const claim_expectations& expect) {
  if (!string_claim_is(claims, "iss", expect.issuer)) return refused("the token's issuer (\"iss\") is not the expected one");
  if (!audience_holds(claims, expect.audiences)) return refused("the token is not meant for this audience (\"aud\")");
  if (expect.subject && !string_claim_is(claims, "sub", *expect.subject))
    return refused("the token's subject (\"sub\") is not the expected one");
  const std::int64_t now_s = expect.now / 1000;
  const std::int64_t leeway = expect.leeway.count();
  const auto exp = numeric_date(claims, "exp");
  if (!exp) return refused("the token has no expiry (\"exp\")");
  if (now_s - leeway >= *exp) return refused("the token has expired (\"exp\")");
  if (claims.contains("nbf")) {
    const auto nbf = numeric_date(claims, "nbf");
    if (!nbf) return refused("the token's \"nbf\" is not a number");
    if (*nbf > now_s + leeway) return refused("the token is not valid yet (\"nbf\")");
  }
  if (claims.contains("iat")) {
    const auto iat = numeric_date(claims, "iat");
    if (!iat) return refused("the token's \"iat\" is not a number");
    if (*iat > now_s + leeway) return refused("the token was issued in the future (\"iat\")");
  }
  if (expect.max_lifetime && *exp - now_s > expect.max_lifetime->count() + leeway)
    return refused("the token is valid for longer than accepted (\"exp\" too far ahead)");
  if (expect.nonce && !string_claim_is(claims, "nonce", *expect.nonce))
    return refused("the token's \"nonce\" is not the one sent");
  return {};
}

}  // namespace carechat::api::jose
