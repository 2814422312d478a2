// Opens the configured store. --db / CARECHAT_DB picks the backend: a libpq URI
// (postgresql://... or postgres://...) is PostgreSQL; `sqlite:PATH` or a plain path is SQLite (the
// file's directory is created if needed). Thread-safety: call from one thread; the returned store
// is thread-safe as domain::store says.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "app/config.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "core/result.hpp"
#include "domain/store.hpp"

namespace carechat::app {

enum class backend { sqlite, postgres };

struct database_spec {
  app::backend backend = backend::sqlite;
  std::string location;  // the SQLite file, or the libpq connection string
};

// Reads a --db value; bad_request for an empty one.
core::result<database_spec> parse_database(std::string_view db);

// How to name the database in messages and logs: the path, or postgresql://host:port/dbname
// (never the user, the password or the other parameters of a URI).
std::string display_database(std::string_view db);

core::result<std::unique_ptr<domain::store>> open_store(const config& cfg, const core::clock& clk,
                                                        core::random_source& rng);

}  // namespace carechat::app
