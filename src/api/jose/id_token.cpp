#include "api/jose/id_token.hpp"

#include "api/jose/jws.hpp"
#include "api/jose/jwt_claims.hpp"

namespace carechat::api::jose {
namespace {

std::string string_claim(const boost::json::object& claims, std::string_view name) {
  const auto* v = claims.if_contains(name);
  const auto* s = v ? v->if_string() : nullptr;
  return s ? std::string(s->data(), s->size()) : std::string();
}

core::error refused(std::string message) {
  return core::make_error(core::errc::unauthorized, "id_token refused: " + std::move(message));
}

}  // namespace

core::result<id_token_claims> validate_id_token(std::string_view token, const jwks& keys,
                                                const id_token_expectations& expect) {
  if (expect.nonce.empty()) return refused("no nonce to compare with");
  auto parsed = verify_compact(token, keys, all_algs);
  if (!parsed) return refused(parsed.error().message);
  claim_expectations c;
  c.issuer = expect.issuer;
  c.audiences = {expect.client_id};
  c.nonce = expect.nonce;
  c.now = expect.now;
  if (auto ok = check_claims(parsed->claims, c); !ok) return refused(ok.error().message);
  id_token_claims out;
  out.subject = string_claim(parsed->claims, "sub");
  if (out.subject.empty() || out.subject.size() > 255) return refused("\"sub\" must be 1-255 characters");
  out.fhir_user = string_claim(parsed->claims, "fhirUser");
  if (out.fhir_user.size() > 1024) return refused("\"fhirUser\" is too long");
  out.name = string_claim(parsed->claims, "name");
  if (out.name.size() > 800) out.name.clear();  // a display name only: too long is as good as none
  return out;
}

bool id_token_needs_new_keys(std::string_view token, const jwks& keys) {
  auto parsed = parse_compact(token);
  return parsed && !parsed->kid.empty() && keys.find(parsed->kid) == nullptr;
}

std::string id_token_kid(std::string_view token) {
  auto parsed = parse_compact(token);
  return parsed ? parsed->kid : std::string();
}

}  // namespace carechat::api::jose
