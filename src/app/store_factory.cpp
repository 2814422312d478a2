#include "app/store_factory.hpp"

#include <filesystem>
#include <system_error>

#include "store/sqlite/sqlite_store.hpp"

namespace carechat::app {

core::result<std::unique_ptr<domain::store>> open_store(const std::string& db_path, const core::clock& clk,
                                                        core::random_source& rng) {
  const auto parent = std::filesystem::path(db_path).parent_path();
  if (!parent.empty()) {
    std::error_code ec;
    std::filesystem::create_directories(parent, ec);
    if (ec) return core::make_error(core::errc::internal, "cannot create " + parent.string() + ": " + ec.message());
  }
  store::sqlite::sqlite_options opts;
  opts.path = db_path;
  auto s = store::sqlite::sqlite_store::open(opts, clk, rng);
  if (!s) return std::move(s).error();
  return std::unique_ptr<domain::store>(std::move(*s));
}

}  // namespace carechat::app
