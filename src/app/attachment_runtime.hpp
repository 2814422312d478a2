// What the attachment routes run on, made once at start from attachment_config: the blob store,
// the content sniffer, the malware scanner (when configured; the server says so when not), the
// thumbnailer (libvips, started here) and a small thread pool for their blocking work, apart from
// the store's readers so uploads never starve page reads. Thread-safety: built on the starting
// thread; the parts it hands out are thread-safe.
#pragma once

#include <memory>
#include <optional>

#include <boost/asio/thread_pool.hpp>

#include "app/attachment_config.hpp"
#include "media/content_sniffer.hpp"
#include "media/malware_scanner.hpp"
#include "media/thumbnailer.hpp"
#include "net/services.hpp"

namespace carechat::app {

class attachment_runtime {
 public:
  // nullptr when attachments are off. Errors name what is wrong (a store that cannot open, a
  // configured clamd that does not answer, libvips that does not start).
  static core::result<std::unique_ptr<attachment_runtime>> start(const attachment_config& cfg, bool postgres_database,
                                                                 const std::string& db_path, domain::store& database,
                                                                 const core::clock& clock, core::random_source& rng);
  ~attachment_runtime();

  net::attachment_services services();
  domain::blob_store& blobs() { return *blobs_; }
  void stop();  // waits for the blocking work in flight

 private:
  attachment_runtime(std::unique_ptr<domain::blob_store> blobs, std::vector<std::string> types,
                     std::uint64_t max_pixels, unsigned threads);

  std::unique_ptr<domain::blob_store> blobs_;
  media::content_sniffer sniffer_;
  std::optional<media::clamd_scanner> scanner_;
  media::thumbnailer thumbnails_;
  boost::asio::thread_pool io_;
};

}  // namespace carechat::app
