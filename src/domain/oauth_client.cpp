#include "domain/oauth_client.hpp"

#include <array>

#include "core/ids.hpp"
#include "core/utf8.hpp"
#include "domain/authentication.hpp"

namespace carechat::domain {
namespace {

constexpr std::string_view client_secret_prefix = "ccs_";
constexpr std::size_t client_secret_bytes = 32;
constexpr std::size_t max_client_secret_length = 128;
constexpr std::size_t max_name_length = 200;

}  // namespace

core::result<issued_client> create_client(const std::string& tenant, const std::string& instance,
                                          const std::string& name, std::optional<std::string> jwks,
                                          core::random_source& rng, const core::clock& clk) {
  using core::errc;
  if (!core::is_path_id(tenant) || !core::is_path_id(instance))
    return core::make_error(errc::bad_request, "tenant and instance must be 1-64 characters of [A-Za-z0-9._-]");
  const auto len = core::utf8_length(name);
  if (!len || *len > max_name_length)
    return core::make_error(errc::bad_request, "--name must be at most 200 characters of UTF-8");
  issued_client out;
  out.record.id = "cl_" + core::random_hex(rng, 8);
  out.record.tenant = tenant;
  out.record.instance = instance;
  out.record.name = name;
  out.record.created_at = clk.now_ms();
  if (jwks) {
    out.record.jwks = std::move(*jwks);
  } else {
    std::array<std::uint8_t, client_secret_bytes> raw{};
    rng.fill(raw);
    out.secret = std::string(client_secret_prefix) + core::base64url_encode(raw);
    out.record.secret_hash = core::sha256(out.secret);
  }
  return out;
}

bool client_secret_matches(const oauth_client_record& client, std::string_view secret) {
  if (client.revoked_at || !client.secret_hash || secret.size() > max_client_secret_length) return false;
  // Hash first, then compare digests: the time taken does not depend on where the secrets differ.
  const auto presented = core::sha256(secret);
  return core::constant_time_equal(presented, *client.secret_hash);
}

core::result<issued_token> issue_client_token(const oauth_client_record& client, std::chrono::seconds ttl,
                                              core::random_source& rng, const core::clock& clk) {
  principal who;
  who.role = role::client;
  who.tenant = client.tenant;
  who.instance = client.instance;
  auto issued = issue_token(who, rng, clk);
  if (!issued) return issued;
  issued->record.expires_at = issued->record.created_at + std::chrono::duration_cast<std::chrono::milliseconds>(ttl).count();
  issued->record.client_id = client.id;
  return issued;
}

}  // namespace carechat::domain
