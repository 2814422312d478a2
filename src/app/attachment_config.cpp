#include "app/attachment_config.hpp"

#include "store/files/disk_blob_store.hpp"
#include "store/s3/s3_blob_store.hpp"

namespace carechat::app {
namespace {

core::error bad(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

}  // namespace

core::result<std::unique_ptr<domain::blob_store>> open_blob_store(const attachment_config& cfg, bool postgres_database,
                                                                  const std::string& db_path, domain::store& database,
                                                                  const core::clock& clock, core::random_source& rng) {
  const blob_backend backend = cfg.backend.value_or(postgres_database ? blob_backend::postgres : blob_backend::disk);
  switch (backend) {
    case blob_backend::off: return std::unique_ptr<domain::blob_store>();
    case blob_backend::disk: {
      if (postgres_database && cfg.dir.empty())
        return bad("CARECHAT_ATTACHMENT_STORE=disk on PostgreSQL needs CARECHAT_ATTACHMENTS_DIR (a directory every "
                   "node shares)");
      auto opened = store::files::disk_blob_store::open(cfg.dir.empty() ? db_path + "-attachments" : cfg.dir, rng);
      if (!opened) return std::move(opened).error();
      return std::unique_ptr<domain::blob_store>(std::move(*opened));
    }
    case blob_backend::postgres: {
      auto in_database = database.open_blob_store();
      if (!in_database) return bad("CARECHAT_ATTACHMENT_STORE=postgres needs a PostgreSQL database (--db postgresql://...)");
      return in_database;
    }
    case blob_backend::s3: {
      auto opened = store::s3::s3_blob_store::open(cfg.s3, clock);
      if (!opened) return std::move(opened).error();
      return std::unique_ptr<domain::blob_store>(std::move(*opened));
    }
  }
  return bad("unknown attachment store");
}

}  // namespace carechat::app
