#include "app/store_factory.hpp"

#include <filesystem>
#include <system_error>

#include "app/thread_counts.hpp"
#include "store/sqlite/sqlite_store.hpp"
#ifdef CARECHAT_WITH_POSTGRES
#include "store/postgres/pg_store.hpp"
#endif

namespace carechat::app {
namespace {

bool starts_with(std::string_view s, std::string_view prefix) { return s.substr(0, prefix.size()) == prefix; }

core::result<std::unique_ptr<domain::store>> open_sqlite(const std::string& path, const core::clock& clk,
                                                         core::random_source& rng) {
  const auto parent = std::filesystem::path(path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return core::make_error(core::errc::internal, "cannot create " + parent.string() + ": " + ec.message());
  }
  store::sqlite::sqlite_options opts;
  opts.path = path;
  auto s = store::sqlite::sqlite_store::open(opts, clk, rng);
  if (!s) return std::move(s).error();
  return std::unique_ptr<domain::store>(std::move(*s));
}

}  // namespace

core::result<database_spec> parse_database(std::string_view db) {
  if (db.empty()) return core::make_error(core::errc::bad_request, "--db must not be empty");
  if (starts_with(db, "postgresql://") || starts_with(db, "postgres://"))
    return database_spec{backend::postgres, std::string(db)};
  if (starts_with(db, "sqlite:")) {
    db.remove_prefix(7);
    if (db.empty()) return core::make_error(core::errc::bad_request, "--db sqlite: needs a file path");
  }
  return database_spec{backend::sqlite, std::string(db)};
}

std::string display_database(std::string_view db) {
  if (!starts_with(db, "postgresql://") && !starts_with(db, "postgres://")) return std::string(db);
  // scheme://[user[:password]@]hosts[/dbname][?params]: keep the scheme, the hosts and the name.
  const std::size_t scheme_end = db.find("://") + 3;
  std::string_view rest = db.substr(scheme_end);
  rest = rest.substr(0, rest.find_first_of("?#"));
  const std::size_t at = rest.rfind('@');
  if (at != std::string_view::npos) rest = rest.substr(at + 1);
  return std::string(db.substr(0, scheme_end)) + std::string(rest);
}

core::result<std::unique_ptr<domain::store>> open_store(const config& cfg, const core::clock& clk,
                                                        core::random_source& rng) {
  auto spec = parse_database(cfg.db_path);
  if (!spec) return std::move(spec).error();
  if (spec->backend == backend::sqlite) return open_sqlite(spec->location, clk, rng);
#ifdef CARECHAT_WITH_POSTGRES
  store::postgres::pg_options opts;
  opts.conninfo = spec->location;
  opts.pool_size = static_cast<int>(cfg.pg_pool_size != 0 ? cfg.pg_pool_size : reader_threads(cfg, backend::postgres) + 4);
  opts.statement_timeout_ms = static_cast<int>(cfg.pg_statement_timeout_ms);
  auto s = store::postgres::pg_store::open(opts, clk, rng);
  if (!s) return std::move(s).error();
  return std::unique_ptr<domain::store>(std::move(*s));
#else
  (void)clk;
  (void)rng;
  return core::make_error(core::errc::bad_request,
                          "this build has no PostgreSQL support (configure with -DCARECHAT_POSTGRES=ON)");
#endif
}

}  // namespace carechat::app
