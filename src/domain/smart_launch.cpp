#include "domain/smart_launch.hpp"

#include <array>

#include "core/crypto.hpp"
#include "core/text.hpp"

namespace carechat::domain {
namespace {

std::string random_b64(core::random_source& rng) {
  std::array<std::uint8_t, 32> raw{};
  rng.fill(raw);
  return core::base64url_encode(raw);
}

}  // namespace

pending_launch new_pending_launch(std::string iss, bool standalone, core::unix_ms now, std::chrono::milliseconds ttl,
                                  core::random_source& rng) {
  pending_launch p;
  p.state = random_b64(rng);
  p.nonce = random_b64(rng);
  p.code_verifier = random_b64(rng);
  p.iss = std::move(iss);
  p.standalone = standalone;
  p.expires_at = now + ttl.count();
  return p;
}

std::string pkce_s256_challenge(std::string_view verifier) { return core::base64url_encode(core::sha256(verifier)); }

core::result<issued_token> issue_smart_session(const principal& who, core::unix_ms absolute_end,
                                               const smart_session_options& opts, core::random_source& rng,
                                               const core::clock& clk) {
  const auto now = clk.now_ms();
  if (absolute_end <= now) return core::make_error(core::errc::unauthorized, "session ended: reopen carechat from the chart");
  if (is_staff_member(who.role) && who.patient_id.empty())
    return core::make_error(core::errc::forbidden, "a staff SMART session needs a patient context");
  auto issued = issue_token(who, rng, clk);
  if (!issued) return std::move(issued).error();
  issued->record.who.patient_id = who.patient_id;  // a staff session keeps its one patient
  const auto idle_end = now + std::chrono::duration_cast<std::chrono::milliseconds>(opts.idle).count();
  issued->record.expires_at = std::min(idle_end, absolute_end);
  issued->record.client_id = std::string(smart_session_marker) + std::to_string(absolute_end);
  return issued;
}

std::optional<core::unix_ms> smart_session_end(const token_record& token) {
  std::string_view id = token.client_id;
  if (!id.starts_with(smart_session_marker)) return std::nullopt;
  id.remove_prefix(smart_session_marker.size());
  return core::parse_decimal<core::unix_ms>(id);
}

}  // namespace carechat::domain
