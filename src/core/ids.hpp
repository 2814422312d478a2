// Identifiers the API exposes. Thread-safety: pure functions over an injected random_source.
#pragma once

#include <string>
#include <string_view>

#include "core/random.hpp"

namespace carechat::core {

// "IM" followed by 32 lowercase hex digits (128 random bits), the reference's externalId shape.
std::string new_external_id(random_source& rng);
bool is_external_id(std::string_view s);

// Random lowercase hex string of 2*bytes characters.
std::string random_hex(random_source& rng, std::size_t bytes);

// Tenant, instance and patient ids in paths: 1..64 chars of [A-Za-z0-9._-], not "." or "..".
bool is_path_id(std::string_view s);

}  // namespace carechat::core
