// SMART App Launch (issue #15) as carechat's domain sees it: the secrets of one launch in flight
// (state, nonce, PKCE verifier), kept until the EHR sends the user back, at most once; and the
// carechat session a finished launch turns into: a bearer token of the tokens table with an idle
// expiry (its expires_at, pushed forward by renewals) and an absolute end no renewal passes (kept
// in the row's client_id as "smart:<Unix ms>"). A staff session is bound to one patient: the
// principal carries that patient_id, and access_policy refuses every other chat.
// Thread-safety: smart_launch_states may be called from any thread (one mutex); the rest are pure
// functions.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/authentication.hpp"
#include "domain/principal.hpp"

namespace carechat::domain {

struct pending_launch {
  std::string state;          // 256 random bits, base64url: the key
  std::string nonce;          // sent to the EHR, must come back in the id_token
  std::string code_verifier;  // PKCE (RFC 7636): only its S256 challenge leaves the server
  std::string iss;            // the issuer the launch was for
  bool standalone = false;    // the patient portal's standalone launch (no EHR "launch" parameter)
  core::unix_ms expires_at = 0;
};

// Fresh random secrets for a launch (each 32 random bytes, base64url: 43 characters, which is
// also PKCE's minimum verifier length).
pending_launch new_pending_launch(std::string iss, bool standalone, core::unix_ms now, std::chrono::milliseconds ttl,
                                  core::random_source& rng);

// BASE64URL(SHA256(verifier)): the code_challenge for code_challenge_method=S256.
std::string pkce_s256_challenge(std::string_view verifier);

// Launches in flight, each taken at most once. In memory, per process: the callback must reach
// the node that started the launch (docs/integration.md, "Limitations"). Bounded: when full,
// expired entries are dropped, and if none has expired a new launch is refused (fail closed).
class smart_launch_states {
 public:
  explicit smart_launch_states(std::size_t max_entries = 10'000) : max_entries_(max_entries) {}
  bool put(pending_launch launch, core::unix_ms now);  // false: full
  // The launch for `state`, removed; nullopt when unknown, already taken or expired.
  std::optional<pending_launch> take(std::string_view state, core::unix_ms now);
  std::size_t size() const;

 private:
  void drop_expired(core::unix_ms now);  // needs mutex_
  const std::size_t max_entries_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, pending_launch> by_state_;  // guarded by mutex_
  std::multimap<core::unix_ms, std::string> expiry_;          // guarded by mutex_
};

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
