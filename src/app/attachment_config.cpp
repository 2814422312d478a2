#include "app/attachment_config.hpp"

#include "app/env_vars.hpp"
#include "media/content_sniffer.hpp"
#include "store/files/disk_blob_store.hpp"
#include "store/s3/s3_blob_store.hpp"

namespace carechat::app {
namespace {

core::error bad(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

void string_from_env(const char* name, std::string& out) {
  if (const char* v = env(name)) out = v;
}

}  // namespace

core::result<attachment_config> load_attachment_config() {
  attachment_config c;
  if (const char* v = env("CARECHAT_ATTACHMENT_STORE")) {
    const std::string_view s = v;
    if (s == "disk") c.backend = blob_backend::disk;
    else if (s == "postgres") c.backend = blob_backend::postgres;
    else if (s == "s3") c.backend = blob_backend::s3;
    else if (s == "off") c.backend = blob_backend::off;
    else return bad("CARECHAT_ATTACHMENT_STORE must be disk, postgres, s3 or off");
  }
  string_from_env("CARECHAT_ATTACHMENTS_DIR", c.dir);
  string_from_env("CARECHAT_S3_ENDPOINT", c.s3.endpoint);
  string_from_env("CARECHAT_S3_REGION", c.s3.region);
  string_from_env("CARECHAT_S3_BUCKET", c.s3.bucket);
  string_from_env("CARECHAT_S3_ACCESS_KEY_ID", c.s3.access_key_id);
  string_from_env("CARECHAT_S3_SECRET_ACCESS_KEY", c.s3.secret_access_key);
  string_from_env("CARECHAT_S3_PREFIX", c.s3.key_prefix);
  if (auto ok = number_from_env<std::uint64_t>("CARECHAT_ATTACHMENT_MAX_BYTES", c.limits.max_bytes, 1, 1ull << 30);
      !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<std::size_t>("CARECHAT_ATTACHMENTS_PER_MESSAGE", c.limits.max_per_message, 1, 64);
      !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<std::uint64_t>("CARECHAT_IMAGE_MAX_PIXELS", c.limits.max_image_pixels, 1'000'000,
                                               1'000'000'000);
      !ok)
    return std::move(ok).error();
  string_from_env("CARECHAT_CLAMD_SOCKET", c.clamd_socket);
  if (const char* v = env("CARECHAT_ATTACHMENT_TYPES"))
    for (std::string_view t : core::split_list(v)) {
      if (t.find('/') == std::string_view::npos || t.find_first_of(" ;\"") != std::string_view::npos)
        return bad("CARECHAT_ATTACHMENT_TYPES: '" + std::string(t) + "' is not a type/subtype");
      if (media::never_allowed(t))
        return bad("CARECHAT_ATTACHMENT_TYPES: " + std::string(t) +
                   " may never be accepted (a browser would run it, or it hides other files)");
      c.allowed_types.emplace_back(t);
    }
  if (auto ok = number_from_env<unsigned>("CARECHAT_ATTACHMENT_THREADS", c.io_threads, 1, 64); !ok)
    return std::move(ok).error();
  return c;
}

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
