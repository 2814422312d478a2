// The server's configuration: one struct, defaults in class, a comment per field (STYLE habit 5).
// Filled from a config file, then the environment, then flags (defaults < file < environment <
// flags); every setting's variable, flag, file key, help and parser is one entry of the table in
// app/settings.cpp. Validated before the listener opens; read-only afterwards.
// Thread-safety: plain value; load_config reads the environment (call from the starting thread).
#pragma once

#include "app/attachment_config.hpp"

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "app/args.hpp"
#include "core/log.hpp"
#include "core/result.hpp"
#include "core/token_bucket.hpp"

namespace carechat::app {

struct config {
  // --db, CARECHAT_DB: the database. A path or sqlite:PATH is an SQLite file (created if missing);
  // postgresql://user@host:port/dbname?... is a PostgreSQL database (app/store_factory).
  std::string db_path = "./var/carechat.db";
  // PostgreSQL only:
  unsigned pg_pool_size = 0;             // CARECHAT_PG_POOL_SIZE: connections for reads and administration
                                         //   (besides the writer's one); 0: reader threads + 4
  unsigned pg_statement_timeout_ms = 5000;  // CARECHAT_PG_STATEMENT_TIMEOUT_MS: longest statement; past it
                                            //   the request gets 503 + Retry-After instead of hanging
  // CARECHAT_NODE_ID: this server's name among the nodes sharing a PostgreSQL database (its webhook
  // claims are held under it, and given up when it starts again). Unset: "local" on SQLite (one
  // server per file), host:port on PostgreSQL. 1-128 printable ASCII characters.
  std::string node_id;
  bool cluster_hints = true;  // CARECHAT_CLUSTER_HINTS=0: no NOTIFY hints between nodes; live events
                              //   from other nodes then arrive by polling alone (within 250 ms)
  std::string listen_host = "127.0.0.1";      // --listen HOST:PORT, CARECHAT_LISTEN
  std::uint16_t listen_port = 8080;           //   port 0 picks a free port (printed at start)
  // --metrics-listen HOST:PORT, CARECHAT_METRICS_LISTEN: where GET /metrics (Prometheus) is served,
  // on a listener of its own (net/metrics_server); empty host: off (the default). Bind it to
  // loopback or a private interface: it has no authentication.
  std::string metrics_host;
  std::uint16_t metrics_port = 0;             //   port 0 picks a free port (printed at start)
  // Logs. CARECHAT_LOG_FORMAT / log_format = text|json: the environment's value is applied by every
  // command before anything else (apply_log_format); a config file's value from the moment
  // load_config has read it.
  core::log_format log_format = core::log_format::text;
  bool log_requests = true;                   // CARECHAT_LOG_REQUESTS=0: no per-request log line
  // HTTPS (issue #16): --tls-cert FILE / CARECHAT_TLS_CERT (PEM, the certificate then any
  // intermediates) and --tls-key FILE / CARECHAT_TLS_KEY (PEM, unencrypted). Both or neither; with
  // both the listener speaks only TLS (HTTPS and WSS), every answer carries HSTS, and SIGHUP
  // reloads the pair. Neither: plain HTTP (behind a TLS-terminating proxy).
  std::string tls_cert_file;
  std::string tls_key_file;
  int page_limit = 20;            // CARECHAT_PAGE_LIMIT: default page size; 20 if unset or invalid, at most 200
  std::size_t max_message_chars = 10'000;     // characters per message
  std::size_t max_body_bytes = 1 << 20;       // CARECHAT_MAX_BODY_BYTES: larger request bodies get 413
  unsigned io_threads = 0;                    // CARECHAT_IO_THREADS: 0 = one per core (app/thread_counts)
  unsigned reader_threads = 0;                // CARECHAT_READER_THREADS: threads running store reads; 0 = by backend
  // CARECHAT_IDLE_TIMEOUT_MS: a connection without a request in progress is closed after this.
  std::chrono::milliseconds idle_timeout{60'000};
  // CARECHAT_REQUEST_TIMEOUT_MS: from a request's first byte, the time to receive all of it (header
  // and body) and send its answer; a header that trickles in slowly is cut by this, not the idle one.
  std::chrono::milliseconds request_timeout{30'000};
  std::chrono::milliseconds shutdown_grace{10'000};  // in-flight requests get this long on SIGTERM
  std::size_t max_connections = 10'000;       // CARECHAT_MAX_CONNECTIONS
  // Caches (docs/ARCHITECTURE.md, "Caches"):
  unsigned token_cache_ms = 60'000;           // CARECHAT_TOKEN_CACHE_MS: how long a token stays cached; 0: off
  unsigned token_recheck_ms = 250;            // CARECHAT_TOKEN_RECHECK_MS: revocations are noticed within this
  // CARECHAT_PAGE_CACHE_MS: a latest page's longest life; 0: off. Unset: 1000 on SQLite, 0 on
  // PostgreSQL (another node's write would go unseen for that long: no read-your-writes across nodes).
  std::optional<unsigned> page_cache_ms;
  unsigned search_index_ms = 100;             // CARECHAT_SEARCH_INDEX_MS: how often new messages join the
                                              //   search index (searches scan the rest meanwhile); 0: never
  unsigned audit_index_ms = 0;                // CARECHAT_AUDIT_INDEX_MS: SQLite: how often audit rows join the
                                              //   audit log's index by patient; 0: when a query asks
  unsigned audit_delay_ms = 10;               // CARECHAT_AUDIT_DELAY_MS: how long read-audit rows may wait
                                              //   to share a commit; 0: committed at once
  // Live updates (WebSocket):
  std::vector<std::string> allowed_origins;   // CARECHAT_ALLOWED_ORIGINS: comma-separated origins (besides
                                              //   the server's own) whose pages may open live connections
  std::size_t max_live_per_token = 16;        // CARECHAT_MAX_LIVE_PER_TOKEN: live connections per token
  std::size_t live_queue_frames = 1024;       // CARECHAT_LIVE_QUEUE_FRAMES: a live client this many frames
                                              //   behind is closed (4008) and resumes
  std::chrono::hours event_retention{24 * 7}; // CARECHAT_EVENT_RETENTION_HOURS: events kept for replay
  std::chrono::minutes prune_interval{10};    // how often expired events are dropped
  // Browser app:
  attachment_config attachments;              // CARECHAT_ATTACHMENT_* and friends (app/attachment_config)
  std::string web_root = "./web/dist";        // --web-root, CARECHAT_WEB_ROOT: the built app (make web)
  std::vector<std::string> frame_ancestors;   // CARECHAT_FRAME_ANCESTORS: comma-separated origins that may
                                              //   embed the chart pane in an iframe (besides the server)
  // Webhooks (docs/webhooks.md):
  std::string public_url = "http://127.0.0.1:8080";  // CARECHAT_PUBLIC_URL: base of the body's patientUrl
  bool webhooks_enabled = true;               // CARECHAT_WEBHOOKS=0: no delivery worker (outbox still fills)
  bool webhook_allow_private = false;         // CARECHAT_WEBHOOK_ALLOW_PRIVATE=1: endpoints may resolve to
                                              //   loopback/private/link-local addresses (tests, on-prem)
  unsigned webhook_timeout_ms = 10'000;       // CARECHAT_WEBHOOK_TIMEOUT_MS: connect + request + answer
  unsigned webhook_poll_ms = 1'000;           // CARECHAT_WEBHOOK_POLL_MS: outbox poll when not nudged
  unsigned webhook_retry_base_ms = 5'000;     // CARECHAT_WEBHOOK_RETRY_BASE_MS: first retry ceiling
  unsigned webhook_retry_max_ms = 86'400'000; // CARECHAT_WEBHOOK_RETRY_MAX_MS: longest delay (24 h)
  unsigned webhook_max_attempts = 15;         // CARECHAT_WEBHOOK_MAX_ATTEMPTS: then the event is failed
  std::string webhook_ca_file;                // CARECHAT_WEBHOOK_CA_FILE: PEM CAs trusted besides the system's
  // OAuth for API clients (POST /oauth/token, docs/integration.md):
  unsigned oauth_token_ttl_s = 3600;          // CARECHAT_OAUTH_TOKEN_TTL_S: life of an issued access token
                                              //   (1 s - 24 h)
  unsigned oauth_failure_burst = 10;          // CARECHAT_OAUTH_FAILURE_BURST: failed attempts allowed at once
                                              //   per client id and per address, then 429
  unsigned oauth_failures_per_minute = 10;    // CARECHAT_OAUTH_FAILURES_PER_MINUTE: how fast that allowance
                                              //   refills
  // SMART App Launch (docs/integration.md, "SMART App Launch"):
  std::string smart_issuers_file;             // CARECHAT_SMART_ISSUERS_FILE: JSON allow-list of EHRs (iss ->
                                              //   tenant, instance, client_id, auth); empty: SMART off
  std::string smart_key_file;                 // CARECHAT_SMART_KEY_FILE: carechat's private_key_jwt key (PEM),
                                              //   generated when missing; empty: `<db>-smart-key.pem` on SQLite
  unsigned smart_session_idle_s = 900;        // CARECHAT_SMART_SESSION_IDLE_S: a session unused this long ends
  unsigned smart_session_max_s = 28'800;      // CARECHAT_SMART_SESSION_MAX_S: no session outlives this (8 h)
  // Abuse limits (net/rate_limits): token buckets "burst,per_minute" ({0, 0}: off). Sized for a
  // clinic (a person types a few messages a minute; an integration sends in batches; a whole
  // clinic may share one NAT address), far below a runaway loop's thousands a second.
  core::rate_spec rate_sends_per_token{120, 1'200};        // CARECHAT_RATE_SENDS_PER_TOKEN: 20/s sustained
  core::rate_spec rate_sends_per_address{600, 6'000};      // CARECHAT_RATE_SENDS_PER_ADDRESS: 100/s
  core::rate_spec rate_searches_per_token{30, 600};        // CARECHAT_RATE_SEARCHES_PER_TOKEN: 10/s
  core::rate_spec rate_searches_per_address{150, 3'000};   // CARECHAT_RATE_SEARCHES_PER_ADDRESS: 50/s
  core::rate_spec rate_uploads_per_token{30, 120};         // CARECHAT_RATE_UPLOADS_PER_TOKEN: 2/s
  core::rate_spec rate_uploads_per_address{150, 600};      // CARECHAT_RATE_UPLOADS_PER_ADDRESS: 10/s
  core::rate_spec rate_live_connects_per_token{30, 120};   // CARECHAT_RATE_LIVE_CONNECTS_PER_TOKEN: 2/s
  core::rate_spec rate_live_connects_per_address{300, 1'200};  // CARECHAT_RATE_LIVE_CONNECTS_PER_ADDRESS: 20/s
  // CARECHAT_RATE_AUTH_FAILURES_PER_ADDRESS: 1/s. Generous: over it the whole address is refused,
  // and a clinic behind one NAT address has many devices whose tokens may expire at once.
  core::rate_spec rate_auth_failures_per_address{100, 60};
  std::string trusted_proxies;  // CARECHAT_TRUSTED_PROXIES: addresses/CIDRs whose X-Forwarded-For is believed
};

// The config file used when neither --config nor CARECHAT_CONFIG names one, if it exists (the
// Debian package installs it).
inline constexpr const char* default_config_file = "/etc/carechat/carechat.conf";

// Where a setting's effective value came from (config show).
enum class setting_source { default_value, file, environment, flag };
struct setting_origin {
  setting_source source = setting_source::default_value;
  std::string where;  // "/etc/carechat/carechat.conf:3", "CARECHAT_LISTEN", "--listen"; "" for the default
};

// What load_config reads besides the flags; tests replace both.
struct config_inputs {
  std::string default_file = default_config_file;
  std::function<const char*(const char*)> getenv = [](const char* name) { return std::getenv(name); };
};

struct loaded_config {
  config values;
  std::string file;                                // the config file read; "" when none
  std::map<std::string, setting_origin> origins;   // by file key; absent: the default
};

// defaults < config file (--config, else CARECHAT_CONFIG, else default_file when it exists) <
// CARECHAT_* variables < flags (each setting's flag, when `a` has it). Errors name the source:
// "FILE:LINE: key ...", "CARECHAT_X ...", "--x ...".
core::result<loaded_config> load_config_with_origins(const args& a, const config_inputs& inputs = {});
// The same, values only: what every command uses. It also applies the effective log_format (a
// config file may set it), so every command logs in it from here on.
core::result<config> load_config(const args& a);

// "HOST:PORT" or "[v6]:PORT" into listen_host and listen_port.
core::result<void> parse_listen(const std::string& text, config& c);
// The same for the metrics listener.
core::result<void> parse_metrics_listen(const std::string& text, config& c);

// "text" or "json" (one JSON object per line); anything else is an error.
core::result<core::log_format> parse_log_format(std::string_view text);
// CARECHAT_LOG_FORMAT from the environment, applied before a command reads its config (so its
// first lines are already in that format); unset or empty: unchanged (text). A bad value is an
// error naming the variable. load_config applies the value in effect (file < environment) again.
core::result<void> apply_log_format();

}  // namespace carechat::app
