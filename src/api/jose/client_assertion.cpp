#include "api/jose/client_assertion.hpp"

#include "api/jose/jwk.hpp"
#include "api/jose/jws.hpp"
#include "api/jose/jwt_claims.hpp"

namespace carechat::api::jose {
namespace {

core::error refused(std::string message) { return core::make_error(core::errc::unauthorized, std::move(message)); }

std::string string_claim(const boost::json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  const auto* s = v ? v->if_string() : nullptr;
  return s ? std::string(s->data(), s->size()) : std::string();
}

}  // namespace

core::result<std::string> assertion_client_id(std::string_view assertion) {
  auto parsed = parse_compact(assertion);
  if (!parsed) return std::move(parsed).error();
  const auto iss = string_claim(parsed->claims, "iss");
  if (iss.empty() || iss != string_claim(parsed->claims, "sub"))
    return refused("the client assertion's \"iss\" and \"sub\" must both be the client_id");
  return iss;
}

core::result<client_assertion> verify_client_assertion(std::string_view assertion, std::string_view jwks_text,
                                                       const std::string& client_id,
                                                       const std::vector<std::string>& audiences, core::unix_ms now) {
  auto keys = jwks::parse(jwks_text);
  if (!keys) return refused("the client's registered key set is not usable: " + keys.error().message);
  auto parsed = verify_compact(assertion, *keys);
  if (!parsed) return std::move(parsed).error();
  claim_expectations expect;
  expect.issuer = client_id;
  expect.subject = client_id;
  expect.audiences = audiences;
  expect.now = now;
  expect.max_lifetime = max_assertion_lifetime;
  if (auto ok = check_claims(parsed->claims, expect); !ok) return std::move(ok).error();
  client_assertion out;
  out.client_id = client_id;
  out.jti = string_claim(parsed->claims, "jti");
  if (out.jti.empty() || out.jti.size() > 256) return refused("the client assertion needs a \"jti\" of 1-256 characters");
  out.exp = numeric_date(parsed->claims, "exp").value_or(0);
  return out;
}

}  // namespace carechat::api::jose
