// Identifiers the API exposes. Thread-safety: pure functions over an injected random_source.
#pragma once

#include <string>
#include <string_view>

#include "core/clock.hpp"
#include "core/random.hpp"

namespace carechat::core {

// "IM" followed by 32 lowercase hex digits, the reference's externalId shape: 12 digits of the
// creation time in Unix ms (48 bits, enough until the year 10889), then 80 random bits. Ids made
// later sort later, so the store's unique index on them takes each new one at its right edge (one
// page per commit) instead of at a random place (one page per message written to the log); 80
// random bits per millisecond keep them unique and unguessable.
std::string new_external_id(random_source& rng, unix_ms now);
bool is_external_id(std::string_view s);

// Random lowercase hex string of 2*bytes characters.
std::string random_hex(random_source& rng, std::size_t bytes);

// Tenant, instance and patient ids in paths: 1..64 chars of [A-Za-z0-9._-], not "." or "..".
bool is_path_id(std::string_view s);

}  // namespace carechat::core
