#include "app/attachment_runtime.hpp"

#include "core/log.hpp"

namespace carechat::app {

attachment_runtime::attachment_runtime(std::unique_ptr<domain::blob_store> blobs, std::vector<std::string> types,
                                       std::uint64_t max_pixels, unsigned threads)
    : blobs_(std::move(blobs)),
      sniffer_(types.empty() ? media::default_allowed_types() : std::move(types)),
      thumbnails_(media::thumbnail_limits{max_pixels, 320}),
      io_(threads) {}

attachment_runtime::~attachment_runtime() { stop(); }

void attachment_runtime::stop() { io_.join(); }

core::result<std::unique_ptr<attachment_runtime>> attachment_runtime::start(
    const attachment_config& cfg, bool postgres_database, const std::string& db_path, domain::store& database,
    const core::clock& clock, core::random_source& rng) {
  auto blobs = open_blob_store(cfg, postgres_database, db_path, database, clock, rng);
  if (!blobs) return std::move(blobs).error();
  if (!*blobs) {
    core::log_info("attachments", "off (CARECHAT_ATTACHMENT_STORE=off)");
    return std::unique_ptr<attachment_runtime>();
  }
  if (auto ok = media::init_image_library(); !ok) return std::move(ok).error();
  std::unique_ptr<attachment_runtime> rt(
      new attachment_runtime(std::move(*blobs), cfg.allowed_types, cfg.limits.max_image_pixels, cfg.io_threads));
  // A libmagic whose database does not load fails the start, not the first upload. (Each
  // attachment thread still opens a handle of its own on its first upload: libmagic's handles are
  // not thread-safe.)
  try {
    (void)rt->sniffer_.sniff("carechat");
  } catch (const std::exception& e) {
    return core::make_error(core::errc::internal, e.what());
  }
  if (cfg.clamd_socket.empty()) {
    core::log_warn("attachments", "uploads are NOT scanned for malware: set CARECHAT_CLAMD_SOCKET to clamd's socket");
  } else {
    rt->scanner_.emplace(cfg.clamd_socket);
    if (auto ok = rt->scanner_->ping(); !ok)
      return core::make_error(core::errc::unavailable,
                              "CARECHAT_CLAMD_SOCKET: clamd does not answer at " + cfg.clamd_socket + ": " +
                                  ok.error().message);
    core::log_info("attachments", "uploads are scanned by clamd at " + cfg.clamd_socket);
  }
  return rt;
}

net::attachment_services attachment_runtime::services() {
  net::attachment_services s;
  s.blobs = blobs_.get();
  s.sniffer = &sniffer_;
  s.scanner = scanner_ ? &*scanner_ : nullptr;
  s.thumbnails = &thumbnails_;
  s.io = &io_;
  return s;
}

}  // namespace carechat::app
