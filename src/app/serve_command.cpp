// `carechat serve`: assembles store, reader pool, group committer, codec and HTTP server.
#include <malloc.h>
#include <unistd.h>

#include <csignal>
#include <filesystem>
#include <iostream>
#include <optional>

#include <boost/asio/thread_pool.hpp>

#include "api/page_token.hpp"
#include "app/attachment_collector.hpp"
#include "app/attachment_runtime.hpp"
#include "app/commands.hpp"
#include "app/config.hpp"
#include "app/settings.hpp"
#include "app/store_factory.hpp"
#include "app/thread_counts.hpp"
#include "net/log_follower.hpp"
#include "core/log.hpp"
#include "app/event_pruner.hpp"
#include "app/background_indexer.hpp"
#include "app/token_revocation_watch.hpp"
#include "app/server_metrics.hpp"
#include "net/http_metrics.hpp"
#include "net/rate_limits.hpp"
#include "net/handlers/oauth_handlers.hpp"
#include "app/smart_runtime.hpp"
#include "net/local_hub.hpp"
#include "net/metrics_server.hpp"
#include "net/server.hpp"
#include "net/tls_credentials.hpp"
#include "net/webhook_client.hpp"
#include "net/webhook_worker.hpp"
#include "store/group_committer.hpp"
#include "store/reader_pool.hpp"

namespace carechat::app {
namespace {

constexpr const char* serve_usage = R"(usage: carechat serve [--config FILE] [--db DB] [--listen HOST:PORT] [--web-root DIR]
                      [--tls-cert FILE --tls-key FILE]

Runs the HTTP server until SIGINT or SIGTERM, then finishes in-flight requests and exits.
With --tls-cert and --tls-key it serves HTTPS (and WSS) only, and SIGHUP reloads the pair.

options:
  --config FILE        the config file: `key = value` lines, keys as below (env CARECHAT_CONFIG;
                       default /etc/carechat/carechat.conf when it exists, else none)
  --db DB              an SQLite file (PATH or sqlite:PATH, created if missing) or a PostgreSQL URI
                       postgresql://user@host:port/dbname?... (password from the URI, PGPASSWORD or
                       ~/.pgpass; never printed)
  --listen HOST:PORT   address to listen on (port 0 picks a free port)
  --web-root DIR       the built browser app
  --tls-cert FILE      HTTPS: the certificate, PEM, then any intermediates; needs --tls-key.
                       Refused at start if unreadable, malformed, expired or not yet valid
  --tls-key FILE       HTTPS: its private key, PEM, unencrypted. After renewing both files, send
                       SIGHUP: new connections get the new pair, open ones keep going

settings: variable, flag, config-file key (default), meaning. Each source overrides the one before:
defaults < config file < environment < flags. `carechat config show` prints the effective values.

)";

using tcp_endpoint_text = std::string;

// "host:port", an IPv6 host in brackets.
tcp_endpoint_text endpoint_text(const boost::asio::ip::tcp::endpoint& ep) {
  const std::string host = ep.address().is_v6() ? "[" + ep.address().to_string() + "]" : ep.address().to_string();
  return host + ":" + std::to_string(ep.port());
}

std::string serve_help() { return serve_usage + settings_help(); }

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
  auto a = args::parse(argv, setting_options(), {"help"});
  if (!a) {
    std::cerr << "carechat serve: " << a.error().message << "\n\n" << serve_help();
    return 2;
  }
  if (a->has("help")) {
    std::cout << serve_help();
    return 0;
  }
  auto loaded = load_config_with_origins(*a);
  if (!loaded) {
    std::cerr << "carechat serve: " << loaded.error().message << '\n';
    return 2;
  }
  const std::optional<config> cfg = std::move(loaded->values);
  core::set_log_format(cfg->log_format);  // the config file's, if it sets one (cli applied the variable's)
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

  // SMART App Launch: the EHRs' calls trust the same extra CAs as webhook deliveries.
  auto smart_tls = net::make_webhook_tls_context(cfg->webhook_ca_file);
  if (!smart_tls) return 1;  // the same file failed above already
  const std::string default_smart_key = spec->backend == backend::sqlite ? spec->location + "-smart-key.pem" : "";
  auto smart = start_smart(*cfg, default_smart_key, *smart_tls);
  if (!smart) {
    std::cerr << "carechat serve: SMART: " << smart.error().message << '\n';
    return 1;
  }

  // HTTPS: the certificate and key are checked before anything listens.
  std::unique_ptr<net::tls_credentials> tls;
  if (!cfg->tls_cert_file.empty()) {
    auto loaded = net::tls_credentials::load({cfg->tls_cert_file, cfg->tls_key_file});
    if (!loaded) {
      std::cerr << "carechat serve: " << loaded.error().message << '\n';
      return 1;
    }
    tls = std::move(*loaded);
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
    std::optional<background_indexer> indexer;
    if (cfg->search_index_ms > 0)
      indexer.emplace(background_indexer::index::search, **st, *search_upkeep,
                      std::chrono::milliseconds(cfg->search_index_ms));
    // SQLite keeps the audit log's index by patient after the fact too (migration v17); PostgreSQL
    // indexes audit rows as it writes them, so needs no such thread.
    std::unique_ptr<domain::cluster_duty> audit_upkeep;
    std::optional<background_indexer> audit_indexer;
    if (!shared_database && cfg->audit_index_ms > 0) {
      audit_upkeep = (*st)->open_cluster_duty("audit-index");
      audit_indexer.emplace(background_indexer::index::audit, **st, *audit_upkeep,
                            std::chrono::milliseconds(cfg->audit_index_ms));
    }
    const unsigned reader_count = reader_threads(*cfg, spec->backend);
    boost::asio::thread_pool blocking(reader_count);
    std::atomic<bool> draining{false};
    net::http_metrics http_stats;
    net::services svc{**st,        readers,   writer, page_tokens, clock, rng,  limits, blocking, live_hub, follower.get(),
                      live_counts, live,      web,    pages,       (*st)->webhooks(), nullptr /* the worker, below */,
                      cfg->webhook_allow_private, tokens, latest_pages, draining,
                      *attachments ? (*attachments)->services() : net::attachment_services{}};
    svc.observer = net::request_observer_options{&http_stats, cfg->log_requests};
    // POST /oauth/token: failed attempts per client id and per address, used assertion jtis.
    core::keyed_token_bucket oauth_failures({static_cast<double>(cfg->oauth_failure_burst),
                                             cfg->oauth_failures_per_minute / 60.0, 10'000});
    domain::assertion_replay_cache oauth_assertions;
    net::oauth_services oauth{std::chrono::seconds(cfg->oauth_token_ttl_s),
                              {cfg->public_url + "/oauth/token", cfg->public_url},
                              &oauth_failures,
                              &oauth_assertions};
    svc.oauth = &oauth;
    svc.smart = smart->get();
    // Abuse limits (net/rate_limits): the list was checked when the configuration was read.
    net::rate_limit_options rate_opts;
    using rl = net::rate_limit;
    const auto at = [](rl l) { return static_cast<std::size_t>(l); };
    rate_opts.per_token[at(rl::sends)] = cfg->rate_sends_per_token;
    rate_opts.per_token[at(rl::searches)] = cfg->rate_searches_per_token;
    rate_opts.per_token[at(rl::uploads)] = cfg->rate_uploads_per_token;
    rate_opts.per_token[at(rl::live_connects)] = cfg->rate_live_connects_per_token;
    rate_opts.per_address[at(rl::sends)] = cfg->rate_sends_per_address;
    rate_opts.per_address[at(rl::searches)] = cfg->rate_searches_per_address;
    rate_opts.per_address[at(rl::uploads)] = cfg->rate_uploads_per_address;
    rate_opts.per_address[at(rl::live_connects)] = cfg->rate_live_connects_per_address;
    rate_opts.per_address[at(rl::auth_failures)] = cfg->rate_auth_failures_per_address;
    rate_opts.proxies = net::trusted_proxies::parse(cfg->trusted_proxies).value();
    net::rate_limiter rate_limits(rate_opts);
    svc.rate_limits = &rate_limits;
    svc.serves_tls = tls != nullptr;
    std::optional<attachment_collector> collector;
    if (*attachments)
      collector.emplace(writer, (*attachments)->blobs(), *housekeeping, clock,
                        std::chrono::milliseconds(limits.attachments.unused_ttl_ms), cfg->prune_interval);
    net::server server(svc, http, tls.get());
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
    net::register_rate_limit_metrics(metrics, rate_limits);
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
    // Tests and scripts read these lines to learn the ports. /metrics is plain HTTP even when the
    // API speaks TLS: it is meant for loopback or a private interface.
    std::cout << "carechat listening on " << (tls ? "https://" : "http://") << endpoint_text(*ep) << std::endl;
    if (metrics_at) std::cout << "carechat metrics on http://" << *metrics_at << "/metrics" << std::endl;
    if (tls) {
      const auto cert = net::summarize_certificate(*tls->current());
      core::log_info("serve", "TLS certificate " + cert.subject + ", serial " + cert.serial + ", valid until " +
                                  cert.not_after + " (" + cfg->tls_cert_file + ")");
    }
    core::log_info("serve", "database " + db_name);
    core::log_info("serve", loaded->file.empty() ? std::string("no config file") : "config file " + loaded->file);
    const unsigned io = io_threads(*cfg);
    core::log_info("serve", std::to_string(io) + " I/O threads, " + std::to_string(reader_count) + " database readers");
    server.run(io, true, cfg->shutdown_grace);
    hub.set_worker(nullptr);  // the committer may still publish while it drains
    blocking.join();
    if (*attachments) (*attachments)->stop();
    if (collector) collector->stop();
    pruner.stop();
    if (follower) follower->stop();
    if (indexer) indexer->stop();
    if (audit_indexer) audit_indexer->stop();
    if (revocations) revocations->stop();
    writer.stop();  // every queued write (audit rows included) is committed before exit
  }
  core::log_info("serve", "stopped");
  return 0;
}

}  // namespace carechat::app
