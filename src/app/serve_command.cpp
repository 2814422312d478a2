// `carechat serve`: assembles store, reader pool, group committer, codec and HTTP server.
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>
#include <thread>

#include <boost/asio/thread_pool.hpp>

#include "api/page_token.hpp"
#include "app/attachment_collector.hpp"
#include "app/attachment_runtime.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/store_factory.hpp"
#include "net/log_follower.hpp"
#include "core/log.hpp"
#include "app/event_pruner.hpp"
#include "app/search_indexer.hpp"
#include "app/token_revocation_watch.hpp"
#include "app/server_metrics.hpp"
#include "net/http_metrics.hpp"
#include "net/local_hub.hpp"
#include "net/metrics_server.hpp"
#include "net/server.hpp"
#include "net/webhook_client.hpp"
#include "net/webhook_worker.hpp"
#include "store/group_committer.hpp"
#include "store/reader_pool.hpp"

namespace carechat::app {
namespace {

constexpr const char* serve_help = R"(usage: carechat serve [--db PATH] [--listen HOST:PORT]

Runs the HTTP server until SIGINT or SIGTERM, then finishes in-flight requests and exits.

options:
  --db DB              the database (env CARECHAT_DB; default ./var/carechat.db): an SQLite file
                       (PATH or sqlite:PATH, created if missing) or a PostgreSQL URI
                       postgresql://user@host:port/dbname?... (password from the URI,
                       PGPASSWORD or ~/.pgpass; never printed)
  --listen HOST:PORT   address to listen on (env CARECHAT_LISTEN; default 127.0.0.1:8080;
                       port 0 picks a free port)
  --web-root DIR       the built browser app (env CARECHAT_WEB_ROOT; default ./web/dist)
  --metrics-listen HOST:PORT  serve GET /metrics (Prometheus text format) on this address, a
                       listener of its own without authentication: bind it to loopback or a
                       private interface (env CARECHAT_METRICS_LISTEN; default: off)

environment:
  CARECHAT_PAGE_LIMIT      default page size (20 when unset or invalid, at most 200)
  CARECHAT_MAX_BODY_BYTES  request body limit in bytes (default 1048576)
  CARECHAT_IO_THREADS      I/O threads (default: one per core)
  CARECHAT_READER_THREADS  threads running database reads (default 4)
  CARECHAT_MAX_CONNECTIONS concurrent connections (default 10000)
  CARECHAT_IDLE_TIMEOUT_MS a connection without a request in progress is closed after this
                           (default 60000)
  CARECHAT_REQUEST_TIMEOUT_MS  from a request's first byte: time to receive it all and answer
                               (default 30000)
  CARECHAT_ALLOWED_ORIGINS comma-separated origins allowed to open live connections
                           (the server's own origin always is)
  CARECHAT_MAX_LIVE_PER_TOKEN  live connections per token (default 16)
  CARECHAT_LIVE_QUEUE_FRAMES   frames a live connection may fall behind before it is closed
                               with 4008 (default 1024)
  CARECHAT_EVENT_RETENTION_HOURS  how long events stay replayable (default 168)
  CARECHAT_FRAME_ANCESTORS comma-separated origins that may embed the chart pane (iframe)
  CARECHAT_PUBLIC_URL      base URL of the webhook body's patientUrl (default http://127.0.0.1:8080)
  CARECHAT_WEBHOOKS        0: do not deliver webhooks (the outbox still fills)
  CARECHAT_WEBHOOK_ALLOW_PRIVATE  1: endpoints may resolve to loopback/private addresses
  CARECHAT_WEBHOOK_TIMEOUT_MS     per attempt: connect, request and answer (default 10000)
  CARECHAT_WEBHOOK_RETRY_BASE_MS  first retry delay ceiling (default 5000); doubles per attempt
  CARECHAT_WEBHOOK_RETRY_MAX_MS   longest retry delay (default 86400000: a day)
  CARECHAT_WEBHOOK_MAX_ATTEMPTS   attempts before an event is marked failed (default 15)
  CARECHAT_WEBHOOK_POLL_MS        outbox poll interval when not nudged (default 1000)
  CARECHAT_TOKEN_CACHE_MS  how long an authenticated token is remembered (default 60000; 0: off)
  CARECHAT_TOKEN_RECHECK_MS  revocations (from any process) take effect within this (default 250)
  CARECHAT_PAGE_CACHE_MS   longest life of a chat's cached latest page (default 1000 on SQLite,
                           0 (off) on PostgreSQL); changes made through this server drop it at once
  CARECHAT_NODE_ID         this server's name among nodes sharing a PostgreSQL database (default
                           host:port; "local" on SQLite); a restarted node gives up its
                           webhook claims at once
  CARECHAT_CLUSTER_HINTS   0: no NOTIFY hints between nodes sharing a PostgreSQL database (live
                           events from other nodes then arrive by polling, within 250 ms)
  CARECHAT_AUDIT_DELAY_MS  how long a read's audit row may wait to share a commit (default 10;
                           0: at once); writes never wait for it
  CARECHAT_SEARCH_INDEX_MS how often new messages join the search index, kept in <db>-search
                           (default 100; 0: never); searches scan the messages not indexed
                           yet. On PostgreSQL: how often the index's pending list is merged,
                           by one node of the cluster at a time
  CARECHAT_PG_POOL_SIZE    PostgreSQL connections for reads and administration, besides the
                           writer's (default: reader threads + 4)
  CARECHAT_PG_STATEMENT_TIMEOUT_MS  longest PostgreSQL statement; past it the request gets 503
                                    with Retry-After (default 5000)
  CARECHAT_WEBHOOK_CA_FILE        PEM file of CA certificates trusted for HTTPS endpoints,
                                  besides the system's (e.g. a clinic's private CA)
  CARECHAT_ATTACHMENT_STORE disk | postgres | s3 | off: where attachments' bytes live (default
                           disk on SQLite, in <db>-attachments; postgres on PostgreSQL)
  CARECHAT_ATTACHMENTS_DIR the disk store's directory
  CARECHAT_S3_ENDPOINT, CARECHAT_S3_REGION, CARECHAT_S3_BUCKET, CARECHAT_S3_ACCESS_KEY_ID,
  CARECHAT_S3_SECRET_ACCESS_KEY, CARECHAT_S3_PREFIX   the s3 store (docs/api/attachments.md)
  CARECHAT_ATTACHMENT_MAX_BYTES    largest attachment (default 26214400)
  CARECHAT_ATTACHMENTS_PER_MESSAGE most attachments in one message (default 10)
  CARECHAT_IMAGE_MAX_PIXELS        larger images are refused before decoding (default 100000000)
  CARECHAT_ATTACHMENT_TYPES        accepted types, by content (default: JPEG, PNG, WebP, HEIC,
                                   GIF, PDF, plain text)
  CARECHAT_CLAMD_SOCKET            clamd's Unix socket: uploads are scanned (unset: not scanned)
  CARECHAT_ATTACHMENT_THREADS      threads for attachments' blocking work (default 2)
  CARECHAT_LOG_FORMAT      text (default) or json: every log line one JSON object
  CARECHAT_LOG_REQUESTS    0: no log line per request (default 1: method, route template, status,
                           duration, request id, token id, body bytes)
)";

using tcp_endpoint_text = std::string;

// "host:port", an IPv6 host in brackets.
tcp_endpoint_text endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
  const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  return host + ":" + std::to_string(ep.port());
}

// This server's name among the nodes (config::node_id): given, or a default that a restart keeps.
std::string node_name(const config& cfg, bool shared_database, unsigned short port) {
  if (!cfg.node_id.empty()) return cfg.node_id;
  if (!shared_database) return "local";
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return std::string(host) + ":" + std::to_string(port);
}

}  // namespace

int serve_command(const std::vector<std::string>& argv) {
  auto a = args::parse(argv, {"db", "listen", "web-root", "metrics-listen"}, {"help"});
  if (!a) {
    std::cerr << "carechat serve: " << a.error().message << "\n\n" << serve_help;
    return 2;
  }
  if (a->has("help")) {
    std::cout << serve_help;
    return 0;
  }
  auto cfg = load_config(*a);
  if (!cfg) {
    std::cerr << "carechat serve: " << cfg.error().message << '\n';
    return 2;
  }
  // A log line to a stderr nobody reads any more (a dead log collector, a closed terminal pipe)
  // must not kill the server: ignore SIGPIPE and let write(2) fail with EPIPE, which logging
  // tolerates. Sockets never raise it (Asio sends with MSG_NOSIGNAL).
  std::signal(SIGPIPE, SIG_IGN);
  // glibc hands freed memory back to the kernel (madvise, then page faults and TLB shootdowns
  // across cores when it is used again) whenever a thread's heap top passes the trim threshold;
  // the writer thread did that around every batch: ~14% of its CPU under a steady send load.
  // A server keeps what it used: trim only past 64 MiB free, mmap only blocks of 16 MiB or more
  // (setting either also stops glibc's own threshold adjustments).
  mallopt(M_MMAP_THRESHOLD, 16 << 20);
  mallopt(M_TRIM_THRESHOLD, 64 << 20);

  auto spec = parse_database(cfg->db_path);
  if (!spec) {
    std::cerr << "carechat serve: " << spec.error().message << '\n';
    return 2;
  }
  const std::string db_name = display_database(cfg->db_path);  // never the password of a URI
  // An SQLite file must never sit under the web root: refuse rather than risk serving it.
  if (spec->backend == backend::sqlite) {
    std::error_code ec;
    const auto db = std::filesystem::weakly_canonical(spec->location, ec);
    const auto root = std::filesystem::weakly_canonical(cfg->web_root, ec);
    const auto rel = db.lexically_relative(root);
    if (!rel.empty() && *rel.begin() != "..") {
      std::cerr << "carechat serve: the database " << db_name << " is inside the web root " << cfg->web_root
                << "; move one of them\n";
      return 2;
    }
  }
  core::system_clock clock;
  core::openssl_random rng;
  auto st = open_store(*cfg, clock, rng);
  if (!st) {
    std::cerr << "carechat serve: cannot open " << db_name << ": " << st.error().message << '\n';
    return 1;
  }
  auto key = (*st)->secret("page_token_key", core::aead_key_size);
  if (!key) {
    std::cerr << "carechat serve: cannot load the page-token key: " << key.error().message << '\n';
    return 1;
  }
  api::page_token_codec page_tokens(std::move(*key), rng);

  domain::limits limits;
  limits.default_page_size = cfg->page_limit;
  limits.max_message_chars = cfg->max_message_chars;
  limits.attachments = cfg->attachments.limits;
  auto attachments = attachment_runtime::start(cfg->attachments, spec->backend == backend::postgres, spec->location,
                                               **st, clock, rng);
  if (!attachments) {
    std::cerr << "carechat serve: attachments: " << attachments.error().message << '\n';
    return 1;
  }

  net::http_options http;
  http.max_body_bytes = cfg->max_body_bytes;
  // The file plus room for a multipart envelope (its headers and boundaries).
  http.max_upload_bytes = limits.attachments.max_bytes + net::upload_envelope_bytes;
  http.idle_timeout = cfg->idle_timeout;
  http.request_timeout = cfg->request_timeout;
  http.max_connections = cfg->max_connections;

  net::websocket_options live;
  live.allowed_origins = cfg->allowed_origins;
  live.max_per_token = cfg->max_live_per_token;
  live.max_queued_frames = cfg->live_queue_frames;

  auto webhook_tls = net::make_webhook_tls_context(cfg->webhook_ca_file);
  if (!webhook_tls) {
    std::cerr << "carechat serve: CARECHAT_WEBHOOK_CA_FILE: " << webhook_tls.error().message << '\n';
    return 1;
  }

  const net::static_assets web = net::static_assets::load(cfg->web_root);
  net::web_options pages;
  pages.frame_ancestors = cfg->frame_ancestors;

  {
    const bool shared_database = spec->backend == backend::postgres;
    net::local_hub live_hub;
    net::page_cache latest_pages(
        {std::chrono::milliseconds(cfg->page_cache_ms.value_or(shared_database ? 0 : 1'000))});
    store::reader_pool readers(**st, {});
    // Several nodes may share a PostgreSQL database: live events then go through the log follower,
    // which merges this node's commits with the other nodes' (read from the log, woken by their
    // hints) in log order. One SQLite process needs none of that.
    std::unique_ptr<domain::log_bus> bus;
    std::unique_ptr<net::log_follower> follower;
    if (shared_database) {
      if (cfg->cluster_hints) bus = (*st)->open_log_bus();
      follower = std::make_unique<net::log_follower>(readers, bus.get(), live_hub, net::log_follower::options{});
    }
    // A committed event first drops its chat's cached pages, then goes live (and may wake the
    // webhook worker), all before its writer is answered.
    domain::event_hub_chain fan_out({&latest_pages, follower ? static_cast<domain::event_hub*>(follower.get())
                                                             : static_cast<domain::event_hub*>(&live_hub)});
    net::webhook_nudging_hub hub(fan_out);
    net::live_connections live_counts;
    domain::token_cache tokens({std::chrono::milliseconds(cfg->token_cache_ms)});
    // Only a cache has something to forget: with CARECHAT_TOKEN_CACHE_MS=0 every request reads the
    // token from the store, and nothing needs polling.
    std::optional<token_revocation_watch> revocations;
    if (cfg->token_cache_ms > 0)
      revocations.emplace(readers, tokens, std::chrono::milliseconds(cfg->token_recheck_ms));
    store::group_committer::options commit_opts;
    commit_opts.hub = &hub;
    commit_opts.background_delay = std::chrono::milliseconds(cfg->audit_delay_ms);
    store::group_committer writer(**st, commit_opts);
    const auto housekeeping = (*st)->open_cluster_duty("housekeeping");
    event_pruner pruner(writer, *housekeeping, clock, cfg->event_retention, cfg->prune_interval);
    // 0: this server does not index (another node does, or a benchmark wants a quiet machine);
    // searches then scan what is not indexed.
    // (PostgreSQL indexes inside the send's transaction; its indexer does the index's upkeep, on
    // one node at a time.)
    const auto search_upkeep = (*st)->open_cluster_duty("search-upkeep");
    std::optional<search_indexer> indexer;
    if (cfg->search_index_ms > 0)
      indexer.emplace(**st, *search_upkeep, std::chrono::milliseconds(cfg->search_index_ms));
    boost::asio::thread_pool blocking(cfg->reader_threads);
    std::atomic<bool> draining{false};
    net::http_metrics http_stats;
    net::services svc{**st,        readers,   writer, page_tokens, clock, rng,  limits, blocking, live_hub, follower.get(),
                      live_counts, live,      web,    pages,       (*st)->webhooks(), nullptr /* the worker, below */,
                      cfg->webhook_allow_private, tokens, latest_pages, draining,
                      *attachments ? (*attachments)->services() : net::attachment_services{}};
    svc.observer = net::request_observer_options{&http_stats, cfg->log_requests};
    std::optional<attachment_collector> collector;
    if (*attachments)
      collector.emplace(writer, (*attachments)->blobs(), *housekeeping, clock,
                        std::chrono::milliseconds(limits.attachments.unused_ttl_ms), cfg->prune_interval);
    net::server server(svc, http);
    server.on_stop([&draining] { draining = true; });
    std::unique_ptr<net::webhook_worker> webhooks;
    if ((*st)->webhooks() != nullptr) {
      net::webhook_options wo;
      wo.enabled = cfg->webhooks_enabled;
      wo.public_url = cfg->public_url;
      wo.allow_private = cfg->webhook_allow_private;
      wo.timeout = std::chrono::milliseconds(cfg->webhook_timeout_ms);
      wo.poll_interval = std::chrono::milliseconds(cfg->webhook_poll_ms);
      wo.retry.base = std::chrono::milliseconds(cfg->webhook_retry_base_ms);
      wo.retry.max_delay = std::chrono::milliseconds(cfg->webhook_retry_max_ms);
      wo.retry.max_attempts = static_cast<int>(cfg->webhook_max_attempts);
      webhooks = std::make_unique<net::webhook_worker>(server.context(), blocking, *(*st)->webhooks(), clock, rng, wo,
                                                        std::move(*webhook_tls));
      svc.webhook_delivery = webhooks.get();
      hub.set_worker(webhooks.get());
      server.on_stop([w = webhooks.get()] { w->stop(); });
    }
    auto ep = server.listen(cfg->listen_host, cfg->listen_port);
    if (!ep) {
      std::cerr << "carechat serve: " << ep.error().message << '\n';
      return 1;
    }
    if (webhooks) webhooks->start(node_name(*cfg, shared_database, ep->port()));
    // /metrics on a listener of its own (off unless configured). Declared after everything its
    // collectors read, so it stops (its destructor) before any of them goes away.
    core::metrics::registry metrics;
    register_server_metrics(metrics, server_metric_sources{http_stats, server, live_counts, writer, readers, tokens,
                                                           **st, (*st)->webhooks(), webhooks.get()});
    std::optional<net::metrics_server> metrics_listener;
    std::optional<tcp_endpoint_text> metrics_at;
    if (!cfg->metrics_host.empty()) {
      metrics_listener.emplace(metrics);
      auto mep = metrics_listener->start(cfg->metrics_host, cfg->metrics_port);
      if (!mep) {
        std::cerr << "carechat serve: " << mep.error().message << '\n';
        return 1;
      }
      metrics_at = endpoint_text(*mep);
    }
    // Tests and scripts read these lines to learn the ports.
    std::cout << "carechat listening on http://" << endpoint_text(*ep) << std::endl;
    if (metrics_at) std::cout << "carechat metrics on http://" << *metrics_at << "/metrics" << std::endl;
    core::log_info("serve", "database " + db_name);
    const unsigned io = cfg->io_threads ? cfg->io_threads : std::max(1u, std::thread::hardware_concurrency());
    server.run(io, true, cfg->shutdown_grace);
    hub.set_worker(nullptr);  // the committer may still publish while it drains
    blocking.join();
    if (*attachments) (*attachments)->stop();
    if (collector) collector->stop();
    pruner.stop();
    if (follower) follower->stop();
    if (indexer) indexer->stop();
    if (revocations) revocations->stop();
    writer.stop();  // every queued write (audit rows included) is committed before exit
  }
  core::log_info("serve", "stopped");
  return 0;
}

}  // namespace carechat::app
