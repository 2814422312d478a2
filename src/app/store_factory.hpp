// Opens the configured store (SQLite today), creating the file's directory if needed.
// Thread-safety: call from one thread; the returned store is thread-safe as domain::store says.
#pragma once

#include <memory>
#include <string>

#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/store.hpp"

namespace carechat::app {

core::result<std::unique_ptr<domain::store>> open_store(const std::string& db_path, const core::clock& clk,
                                                        core::random_source& rng);

}  // namespace carechat::app
