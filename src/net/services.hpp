// What request handlers share across connections (the chat-multi example's shared_state): the
// store, its reader pool and group committer, the page-token codec, clock, randomness and limits.
// Holds no Asio I/O objects beyond the blocking pool. Thread-safety: every member is thread-safe;
// the struct itself is read-only after start.
#pragma once

#include <atomic>
#include <cstddef>

#include <boost/asio/thread_pool.hpp>

#include "api/page_token.hpp"
#include "core/clock.hpp"
#include "core/random.hpp"
#include "domain/token_cache.hpp"
#include "net/local_hub.hpp"
#include "net/page_cache.hpp"
#include "domain/limits.hpp"
#include "domain/blob_store.hpp"
#include "domain/store.hpp"
#include "media/content_sniffer.hpp"
#include "media/malware_scanner.hpp"
#include "media/thumbnailer.hpp"
#include "store/group_committer.hpp"
#include "net/live_connections.hpp"
#include "net/request_observer.hpp"
#include "net/static_assets.hpp"
#include "net/web_routes.hpp"
#include "net/websocket_options.hpp"
#include "store/reader_pool.hpp"

namespace carechat::net {

class webhook_worker;
class log_follower;
struct oauth_services;
struct smart_services;
class rate_limiter;

// What the attachment routes need besides the store (handlers/attachment_handlers).
struct attachment_services {
  domain::blob_store* blobs = nullptr;            // where the bytes live; nullptr: attachments are off
  const media::content_sniffer* sniffer = nullptr;
  media::malware_scanner* scanner = nullptr;      // nullptr: not scanned (the server says so at start)
  const media::thumbnailer* thumbnails = nullptr; // previews of images (nullptr: none)
  boost::asio::thread_pool* io = nullptr;         // blocking file and scanner work, apart from store reads
  std::chrono::milliseconds upload_max_duration{15 * 60 * 1000};  // a whole upload, however it trickles
};

struct services {
  domain::store& store;
  store::reader_pool& readers;
  store::group_committer& writer;
  const api::page_token_codec& page_tokens;
  const core::clock& clock;
  core::random_source& rng;
  domain::limits limits;
  boost::asio::thread_pool& blocking;  // runs store reads so I/O threads never block
  local_hub& hub;                      // live fan-out of committed events to this node's sessions
  log_follower* follower;              // other nodes' events, in log order (nullptr: one node, SQLite)
  live_connections& live;              // live connections per token
  websocket_options websocket;
  const static_assets& web;            // the browser app's files
  web_options web_pages;
  domain::webhook_store* webhooks;        // endpoints and the delivery log (nullptr: no webhooks)
  webhook_worker* webhook_delivery;       // nudged after a configuration change (nullptr: none)
  bool webhook_allow_private;             // CARECHAT_WEBHOOK_ALLOW_PRIVATE: private URLs may be configured
  domain::token_cache& tokens;            // recently authenticated tokens (cleared on any revocation)
  page_cache& latest_pages;               // chats' latest pages as served (dropped on any change)
  std::atomic<bool>& draining;            // set when the server starts stopping: /readyz answers 503
  attachment_services attachments;        // uploads and downloads (issue #14)
  request_observer_options observer{};    // each request's metrics and log line (issue #16)
  oauth_services* oauth = nullptr;        // POST /oauth/token (handlers/oauth_handlers); nullptr: off
  smart_services* smart = nullptr;        // SMART App Launch (handlers/smart_handlers); nullptr: off
  rate_limiter* rate_limits = nullptr;   // abuse limits (net/rate_limits); nullptr: none
  bool serves_tls = false;                // the listener speaks TLS itself (FHIR's absolute links say https)
};

}  // namespace carechat::net
