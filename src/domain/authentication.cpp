#include "domain/authentication.hpp"

#include <array>

#include "core/crypto.hpp"
#include "core/ids.hpp"
#include "core/utf8.hpp"

namespace carechat::domain {
namespace {

constexpr std::string_view secret_prefix = "cc_";
constexpr std::size_t secret_bytes = 32;
constexpr std::size_t max_secret_length = 128;

core::error unauthorized() { return core::make_error(core::errc::unauthorized, "missing, unknown or revoked token"); }
core::error expired() {
  return core::make_error(core::errc::unauthorized, "token expired: request a new one from POST /oauth/token");
}

bool well_formed(std::string_view secret) {
  return secret.size() > secret_prefix.size() && secret.size() <= max_secret_length &&
         secret.substr(0, secret_prefix.size()) == secret_prefix;
}

}  // namespace

core::sha256_digest hash_token(std::string_view secret) { return core::sha256(secret); }

core::result<issued_token> issue_token(const principal& who, core::random_source& rng, const core::clock& clk) {
  using core::errc;
  if (!core::is_path_id(who.tenant) || !core::is_path_id(who.instance))
    return core::make_error(errc::bad_request, "tenant and instance must be 1-64 characters of [A-Za-z0-9._-]");
  principal p = who;
  switch (who.role) {
    case role::patient:
      if (!core::is_path_id(who.patient_id))
        return core::make_error(errc::bad_request, "role patient needs --patient (1-64 characters of [A-Za-z0-9._-])");
      p.user_id.clear();
      p.display_name.clear();
      break;
    case role::user:
    case role::admin: {
      const std::string r(to_string(who.role));
      if (!core::is_path_id(who.user_id))
        return core::make_error(errc::bad_request, "role " + r + " needs --user (1-64 characters of [A-Za-z0-9._-])");
      const auto len = core::utf8_length(who.display_name);
      if (!len || *len == 0 || *len > 200)
        return core::make_error(errc::bad_request, "role " + r + " needs --name \"First Last\" (1-200 characters)");
      p.patient_id.clear();
      break;
    }
    case role::client:
      if (!who.patient_id.empty() || !who.user_id.empty())
        return core::make_error(errc::bad_request, "role client takes neither --patient nor --user");
      p.display_name.clear();
      break;
  }
  std::array<std::uint8_t, secret_bytes> raw{};
  rng.fill(raw);
  issued_token out;
  out.secret = std::string(secret_prefix) + core::base64url_encode(raw);
  p.token_id = "tk_" + core::random_hex(rng, 8);
  out.record.id = p.token_id;
  out.record.hash = hash_token(out.secret);
  out.record.who = std::move(p);
  out.record.created_at = clk.now_ms();
  return out;
}

namespace {

// The store lookup for a well-formed secret's hash (hashed once per request by the callers).
struct resolved {
  principal who;
  std::optional<core::unix_ms> expires_at;
};

core::result<resolved> authenticate_hash(store_reader& reader, const core::sha256_digest& hash, core::unix_ms now) {
  auto found = reader.token_by_hash(hash);
  if (!found) return std::move(found).error();
  if (!found->has_value()) return unauthorized();
  const token_record& rec = **found;
  // The lookup matched on the hash already; compare again in constant time so no code path ever
  // branches early on secret-derived bytes.
  if (!core::constant_time_equal(rec.hash, hash) || rec.revoked_at) return unauthorized();
  if (rec.expires_at && now >= *rec.expires_at) return expired();
  return resolved{rec.who, rec.expires_at};
}

}  // namespace

core::result<principal> authenticate(store_reader& reader, std::string_view secret, core::unix_ms now) {
  if (!well_formed(secret)) return unauthorized();
  auto r = authenticate_hash(reader, hash_token(secret), now);
  if (!r) return std::move(r).error();
  return std::move(r->who);
}

std::optional<principal> cached_principal(const token_cache& cache, std::string_view secret, core::unix_ms now) {
  if (!well_formed(secret)) return std::nullopt;
  return cache.find(hash_token(secret), now);
}

core::result<principal> authenticate(store_reader& reader, std::string_view secret, token_cache& cache,
                                     core::unix_ms now) {
  if (!well_formed(secret)) return unauthorized();
  const auto hash = hash_token(secret);  // once, for the cache and the store alike
  if (auto known = cache.find(hash, now)) return std::move(*known);
  const auto generation = cache.generation();  // before the read: see token_cache
  auto r = authenticate_hash(reader, hash, now);
  if (!r) return std::move(r).error();
  cache.insert(hash, r->who, generation, now, r->expires_at);  // never kept past the token's expiry
  return std::move(r->who);
}

}  // namespace carechat::domain
