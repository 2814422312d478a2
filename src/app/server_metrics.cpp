#include "app/server_metrics.hpp"

#include "core/log.hpp"

namespace carechat::app {

using core::metrics::metric_type;
using core::metrics::sample_writer;

void register_server_metrics(core::metrics::registry& reg, server_metric_sources s) {
  s.http.register_with(reg);
  reg.add_gauge("carechat_http_connections", "Open HTTP connections, live (WebSocket) ones included.",
                [&server = s.server] { return static_cast<double>(server.connections()); });
  reg.add_gauge("carechat_websocket_connections", "Open live (WebSocket) connections.",
                [&live = s.live] { return static_cast<double>(live.total()); });

  reg.add_histogram("carechat_store_commit_batch_size",
                    "Write commands per group commit (one transaction and one fsync each).",
                    s.writer.batch_sizes(), 1.0);
  reg.add_histogram("carechat_store_commit_duration_seconds",
                    "Duration of one group commit: the batch's whole transaction, COMMIT and fsync included.",
                    s.writer.commit_durations_us(), 1e6);
  reg.add_gauge("carechat_store_write_queue_depth", "Write commands waiting for the writer thread.",
                [&writer = s.writer] { return static_cast<double>(writer.queue_depth()); });
  reg.add_gauge("carechat_store_write_queue_limit", "Most write commands that may wait; past it writes get 503.",
                [&writer = s.writer] { return static_cast<double>(writer.queue_limit()); });
  reg.add_gauge("carechat_store_readers_in_use", "Store readers lent to requests right now.",
                [&readers = s.readers] { return static_cast<double>(readers.in_use()); });
  reg.add_gauge("carechat_store_readers_idle", "Store readers kept open for reuse.",
                [&readers = s.readers] { return static_cast<double>(readers.idle()); });
  if (s.store.connection_pool_usage()) {  // PostgreSQL: its bounded pool of connections
    reg.add_family("carechat_db_pool_connections",
                   "Database pool connections (reads and administration): in use, and open (idle + in use).",
                   metric_type::gauge, [&store = s.store](sample_writer& w) {
                     const auto u = store.connection_pool_usage();
                     if (!u) return;
                     w.sample({{"state", "in_use"}}, static_cast<double>(u->in_use));
                     w.sample({{"state", "open"}}, static_cast<double>(u->open));
                   });
    reg.add_gauge("carechat_db_pool_max_connections", "Most connections the database pool may open.",
                  [&store = s.store] {
                    const auto u = store.connection_pool_usage();
                    return u ? static_cast<double>(u->size) : 0.0;
                  });
  }

  // A request whose token is not cached looks on its I/O thread, then once more on the pool right
  // before the store read (another request may have cached it meanwhile): two misses.
  reg.add_family("carechat_token_cache_lookups_total",
                 "Token cache lookups, by result (hit or miss); a token read from the store follows two misses "
                 "(one on the I/O thread, one on the pool).",
                 metric_type::counter, [&tokens = s.tokens](sample_writer& w) {
                   w.sample({{"result", "hit"}}, tokens.hits());
                   w.sample({{"result", "miss"}}, tokens.misses());
                 });
  reg.add_gauge("carechat_token_cache_entries", "Tokens in the token cache.",
                [&tokens = s.tokens] { return static_cast<double>(tokens.size()); });

  if (s.outbox != nullptr)
    // Read when scraped, along the partial index of pending rows (its cost follows the backlog).
    reg.add_family("carechat_webhook_outbox_pending", "Webhook events waiting to be delivered, every instance.",
                   metric_type::gauge, [outbox = s.outbox](sample_writer& w) {
                     auto n = outbox->pending_webhook_count();
                     if (!n) {
                       core::log_warn("metrics", "cannot count pending webhooks: " + n.error().message);
                       return;  // no sample: the scrape shows the gap rather than a wrong zero
                     }
                     w.sample({}, static_cast<double>(*n));
                   });
  if (s.webhooks != nullptr)
    reg.add_family("carechat_webhook_attempts_total",
                   "Webhook delivery attempts made by this node, by outcome (delivered, retry, failed, disabled: "
                   "the endpoint answered 410, lost: the result could not be recorded).",
                   metric_type::counter, [w8 = s.webhooks](sample_writer& w) {
                     for (std::size_t i = 0; i < net::webhook_worker::attempt_outcomes.size(); ++i)
                       w.sample({{"outcome", net::webhook_worker::attempt_outcomes[i]}}, w8->attempts(i));
                   });
}

}  // namespace carechat::app
