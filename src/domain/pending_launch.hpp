// A SMART launch in flight (domain/smart_launch.hpp) and where it is kept until the EHR sends the
// user back: in the database (smart_launch_store), so the callback may reach any node of a cluster.
// Thread-safety: pending_launch is a value; a smart_launch_store may be called from any thread
// (each backend serializes on its own connection or pool), but never from an I/O thread: it blocks.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/result.hpp"

namespace carechat::domain {

struct pending_launch {
  std::string state;          // 256 random bits, base64url: the key (stored only as its SHA-256)
  std::string nonce;          // sent to the EHR, must come back in the id_token
  std::string code_verifier;  // PKCE (RFC 7636): only its S256 challenge leaves the server
  std::string iss;            // the issuer the launch was for
  bool standalone = false;    // the patient portal's standalone launch (no EHR "launch" parameter)
  core::unix_ms expires_at = 0;
};

// The pending launches of every node sharing the database (table smart_launches), each taken at
// most once. The row's key is SHA-256(state), as tokens are kept hashed: a copy of the database
// cannot complete someone's launch. Both backends' stores implement it beside domain::store
// (as they do domain::export_job_store), and domain::store::smart_launches() answers it.
class smart_launch_store {
 public:
  virtual ~smart_launch_store() = default;
  // Deletes the launches expired at `now`, then records `launch` unless `max_pending` unexpired
  // launches are already recorded (false then, nothing recorded: fail closed). The cap is a bound,
  // not an exact count: on PostgreSQL two nodes inserting at the same instant may each pass it by one.
  virtual core::result<bool> put_smart_launch(const pending_launch& launch, core::unix_ms now,
                                              std::size_t max_pending) = 0;
  // The launch for `state`, deleted by the same statement (DELETE ... RETURNING): of two takes of
  // one state, on any nodes, exactly one gets it. nullopt when unknown, already taken, or expired
  // at `now` (an expired row is left for pruning).
  virtual core::result<std::optional<pending_launch>> take_smart_launch(std::string_view state,
                                                                        core::unix_ms now) = 0;
  // Deletes the launches expired at `now`; answers how many.
  virtual core::result<std::int64_t> prune_smart_launches(core::unix_ms now) = 0;
};

}  // namespace carechat::domain
