// Bearer tokens: issuing (CLI) and resolving (every request). Secrets carry 256 random bits, are
// stored only as SHA-256 hashes and compared in constant time. Thread-safety: pure functions.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/principal.hpp"
#include "domain/store.hpp"
#include "domain/token_cache.hpp"

namespace carechat::domain {

struct issued_token {
  std::string secret;  // shown once, to the operator who created it
  token_record record;
};

// Validates the spec (ids, role requirements) and mints a token. `who.token_id` is ignored.
core::result<issued_token> issue_token(const principal& who, core::random_source& rng, const core::clock& clk);

core::sha256_digest hash_token(std::string_view secret);

// Unknown, malformed or revoked: unauthorized (one message for all, so probing learns nothing).
// A token past its expiry (those the OAuth token endpoint issues) is unauthorized too, with a
// message that says it expired: its holder knows it existed, and should fetch a new one.
core::result<principal> authenticate(store_reader& reader, std::string_view secret, core::unix_ms now);

// The cache's principal for `secret`, if it holds one (no store read); none for a malformed secret.
std::optional<principal> cached_principal(const token_cache& cache, std::string_view secret, core::unix_ms now);
// The cache's principal, else authenticate() remembering a success in `cache` (see token_cache for
// the generation handshake). The secret is hashed once for both.
core::result<principal> authenticate(store_reader& reader, std::string_view secret, token_cache& cache,
                                     core::unix_ms now);

}  // namespace carechat::domain
