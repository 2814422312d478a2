// What `carechat serve` shows at /metrics: one place that names every metric and says where its
// value comes from (docs/operations.md lists them). Counters and histograms are kept by their
// components (cheap, on their hot paths); gauges are read when scraped.
// Thread-safety: register at start, before the metrics listener starts; every source must outlive
// the listener.
#pragma once

#include "core/metrics.hpp"
#include "domain/store.hpp"
#include "domain/token_cache.hpp"
#include "domain/webhook.hpp"
#include "net/http_metrics.hpp"
#include "net/live_connections.hpp"
#include "net/server.hpp"
#include "net/webhook_worker.hpp"
#include "store/group_committer.hpp"
#include "store/reader_pool.hpp"

namespace carechat::app {

struct server_metric_sources {
  const net::http_metrics& http;
  const net::server& server;
  const net::live_connections& live;
  store::group_committer& writer;
  const store::reader_pool& readers;
  const domain::token_cache& tokens;
  const domain::store& store;
  domain::webhook_store* outbox;          // nullptr: no webhooks
  const net::webhook_worker* webhooks;    // nullptr: no delivery worker
};

void register_server_metrics(core::metrics::registry& reg, server_metric_sources src);

}  // namespace carechat::app
