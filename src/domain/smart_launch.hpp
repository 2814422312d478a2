// SMART App Launch (issue #15) as carechat's domain sees it: the secrets of one launch in flight
// (state, nonce, PKCE verifier), kept until the EHR sends the user back, at most once; and the
// carechat session a finished launch turns into: a bearer token of the tokens table with an idle
// expiry (its expires_at, pushed forward by renewals) and an absolute end no renewal passes (kept
// in the row's client_id as "smart:<Unix ms>"). A staff session is bound to one patient: the
// principal carries that patient_id, and access_policy refuses every other chat.
// The launches in flight live in the database (domain/pending_launch.hpp, smart_launch_store), so
// a cluster's nodes share them. Thread-safety: pure functions.
#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/authentication.hpp"
#include "domain/pending_launch.hpp"
#include "domain/principal.hpp"

namespace carechat::domain {

// Fresh random secrets for a launch (each 32 random bytes, base64url: 43 characters, which is
// also PKCE's minimum verifier length).
pending_launch new_pending_launch(std::string iss, bool standalone, core::unix_ms now, std::chrono::milliseconds ttl,
                                  core::random_source& rng);

// BASE64URL(SHA256(verifier)): the code_challenge for code_challenge_method=S256.
std::string pkce_s256_challenge(std::string_view verifier);

struct smart_session_options {
  std::chrono::seconds idle{15 * 60};         // CARECHAT_SMART_SESSION_IDLE_S
  std::chrono::seconds absolute{8 * 60 * 60}; // CARECHAT_SMART_SESSION_MAX_S
};

inline constexpr std::string_view smart_session_marker = "smart:";

// A session token for `who` (role user bound to who.patient_id, or role patient), expiring after
// the idle time, never after `absolute_end`.
core::result<issued_token> issue_smart_session(const principal& who, core::unix_ms absolute_end,
                                               const smart_session_options& opts, core::random_source& rng,
                                               const core::clock& clk);

// The absolute end of a SMART session's token; nullopt for any other token.
std::optional<core::unix_ms> smart_session_end(const token_record& token);

}  // namespace carechat::domain
