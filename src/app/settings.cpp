#include "app/settings.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <string>
#include <vector>

#include "app/store_factory.hpp"
#include "core/log.hpp"
#include "core/text.hpp"
#include "media/content_sniffer.hpp"
#include "net/client_address.hpp"

namespace carechat::app {
namespace {

core::error bad(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

// A field of config, for both parse (config&) and show (const config&).
#define CARECHAT_FIELD(path) [](auto& c) -> auto& { return c.path; }

// A decimal number in [min, max].
template <class T, class Field>
setting_codec number(Field field, T min, T max) {
  return {[=](std::string_view text, config& c) -> core::result<void> {
            const auto v = core::parse_decimal<T>(text);
            if (!v || *v < min || *v > max)
              return bad("must be a number from " + std::to_string(min) + " to " + std::to_string(max));
            field(c) = *v;
            return {};
          },
          [=](const config& c) { return std::to_string(field(c)); }};
}

// A std::chrono duration given as a number of its own units (milliseconds, hours) in [min, max].
template <class Field>
setting_codec duration(Field field, unsigned min, unsigned max) {
  return {[=](std::string_view text, config& c) -> core::result<void> {
            const auto v = core::parse_decimal<unsigned>(text);
            if (!v || *v < min || *v > max)
              return bad("must be a number from " + std::to_string(min) + " to " + std::to_string(max));
            using duration_type = std::remove_reference_t<decltype(field(c))>;
            field(c) = duration_type(*v);
            return {};
          },
          [=](const config& c) { return std::to_string(field(c).count()); }};
}

// Any text (a path, a socket, a name): checked where it is used (opening it).
template <class Field>
setting_codec text(Field field) {
  return {[=](std::string_view t, config& c) -> core::result<void> {
            field(c) = std::string(t);
            return {};
          },
          [=](const config& c) { return std::string(field(c)); }};
}

// 0 or 1.
template <class Field>
setting_codec switch01(Field field) {
  return {[=](std::string_view t, config& c) -> core::result<void> {
            if (t != "0" && t != "1") return bad("must be 0 or 1");
            field(c) = t == "1";
            return {};
          },
          [=](const config& c) { return std::string(field(c) ? "1" : "0"); }};
}

// A comma-separated list of http(s) origins.
template <class Field>
setting_codec origins(Field field) {
  return {[=](std::string_view t, config& c) -> core::result<void> {
            std::vector<std::string> out;
            for (const std::string_view item : core::split_list(t)) {
              const bool scheme_ok = item.substr(0, 7) == "http://" || item.substr(0, 8) == "https://";
              const bool clean = item.find_first_of(" ;'\"") == std::string_view::npos;
              if (!scheme_ok || !clean)
                return bad("entries must be http(s)://host[:port], got '" + std::string(item) + "'");
              out.emplace_back(item);
            }
            field(c) = std::move(out);
            return {};
          },
          [=](const config& c) { return core::join_list(field(c)); }};
}

// An abuse limit: "BURST,PER_MINUTE" (a token bucket), or 0 for none.
template <class Field>
setting_codec rate(Field field) {
  return {[=](std::string_view t, config& c) -> core::result<void> {
            if (t == "0") {
              field(c) = core::rate_spec{};
              return {};
            }
            const auto refused = [] {
              return bad("must be BURST,PER_MINUTE (BURST 1-1000000, PER_MINUTE 1-60000000), or 0 for no limit");
            };
            const auto comma = t.find(',');
            if (comma == std::string_view::npos) return refused();
            const auto burst = core::parse_decimal<unsigned>(core::trim_ows(t.substr(0, comma)));
            const auto per_minute = core::parse_decimal<unsigned>(core::trim_ows(t.substr(comma + 1)));
            if (!burst || !per_minute || *burst < 1 || *burst > 1'000'000 || *per_minute < 1 ||
                *per_minute > 60'000'000)
              return refused();
            field(c) = core::rate_spec{*burst, *per_minute};
            return {};
          },
          [=](const config& c) {
            const core::rate_spec& r = field(c);
            return r.off() ? std::string("0") : std::to_string(r.burst) + "," + std::to_string(r.per_minute);
          }};
}

// --metrics-listen: unset (the default) is off, shown as "".
setting_codec metrics_listen_codec() {
  return {[](std::string_view t, config& c) { return parse_metrics_listen(std::string(t), c); },
          [](const config& c) {
            if (c.metrics_host.empty()) return std::string();
            const bool v6 = c.metrics_host.find(':') != std::string::npos;
            return (v6 ? "[" + c.metrics_host + "]" : c.metrics_host) + ":" + std::to_string(c.metrics_port);
          }};
}

setting_codec log_format_codec() {
  return {[](std::string_view t, config& c) -> core::result<void> {
            auto f = parse_log_format(t);
            if (!f) return std::move(f).error();
            c.log_format = *f;
            return {};
          },
          [](const config& c) { return std::string(c.log_format == core::log_format::json ? "json" : "text"); }};
}

setting_codec trusted_proxies_codec() {
  return {[](std::string_view t, config& c) -> core::result<void> {
            auto parsed = net::trusted_proxies::parse(t);
            if (!parsed) return std::move(parsed).error();
            c.trusted_proxies = std::string(t);
            return {};
          },
          [](const config& c) { return c.trusted_proxies; }};
}

setting_codec listen_codec() {
  return {[](std::string_view t, config& c) { return parse_listen(std::string(t), c); },
          [](const config& c) {
            const bool v6 = c.listen_host.find(':') != std::string::npos;
            return (v6 ? "[" + c.listen_host + "]" : c.listen_host) + ":" + std::to_string(c.listen_port);
          }};
}

// The documented CARECHAT_PAGE_LIMIT rule: not a positive integer gives 20 (with a warning), more
// than 200 gives 200.
setting_codec page_limit_codec() {
  return {[](std::string_view t, config& c) -> core::result<void> {
            const auto n = core::parse_decimal<int>(t);
            if (!n || *n < 1) {
              core::log_warn("config", "page_limit is not a positive integer; using 20");
              c.page_limit = 20;
            } else {
              c.page_limit = std::min(*n, 200);
            }
            return {};
          },
          [](const config& c) { return std::to_string(c.page_limit); }};
}

setting_codec page_cache_codec() {
  return {[](std::string_view t, config& c) -> core::result<void> {
            const auto v = core::parse_decimal<unsigned>(t);
            if (!v || *v > 60'000) return bad("must be a number from 0 to 60000");
            c.page_cache_ms = *v;
            return {};
          },
          [](const config& c) { return c.page_cache_ms ? std::to_string(*c.page_cache_ms) : std::string(); }};
}

setting_codec public_url_codec() {
  return {[](std::string_view u, config& c) -> core::result<void> {
            if (!(u.substr(0, 7) == "http://" || u.substr(0, 8) == "https://") || u.size() > 512 ||
                u.find_first_of(" \"'<>") != std::string_view::npos)
              return bad("must be an http(s) URL");
            c.public_url = std::string(u);
            while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
            return {};
          },
          [](const config& c) { return c.public_url; }};
}

setting_codec node_id_codec() {
  return {[](std::string_view id, config& c) -> core::result<void> {
            if (id.size() > 128 || std::any_of(id.begin(), id.end(), [](char ch) { return ch < 0x21 || ch > 0x7e; }))
              return bad("must be 1-128 printable ASCII characters");
            c.node_id = std::string(id);
            return {};
          },
          [](const config& c) { return c.node_id; }};
}

// The database: shown without the user, password and parameters of a PostgreSQL URI.
setting_codec db_codec() {
  return {[](std::string_view t, config& c) -> core::result<void> {
            c.db_path = std::string(t);
            return {};
          },
          [](const config& c) { return display_database(c.db_path); }};
}

setting_codec attachment_store_codec() {
  static constexpr std::array<std::pair<std::string_view, blob_backend>, 4> names{
      {{"disk", blob_backend::disk}, {"postgres", blob_backend::postgres}, {"s3", blob_backend::s3}, {"off", blob_backend::off}}};
  return {[](std::string_view t, config& c) -> core::result<void> {
            for (const auto& [name, backend] : names)
              if (t == name) {
                c.attachments.backend = backend;
                return {};
              }
            return bad("must be disk, postgres, s3 or off");
          },
          [](const config& c) {
            for (const auto& [name, backend] : names)
              if (c.attachments.backend == backend) return std::string(name);
            return std::string();
          }};
}

setting_codec attachment_types_codec() {
  return {[](std::string_view v, config& c) -> core::result<void> {
            std::vector<std::string> types;
            for (std::string_view t : core::split_list(v)) {
              if (t.find('/') == std::string_view::npos || t.find_first_of(" ;\"") != std::string_view::npos)
                return bad("'" + std::string(t) + "' is not a type/subtype");
              if (media::never_allowed(t))
                return bad(std::string(t) + " may never be accepted (a browser would run it, or it hides other files)");
              types.emplace_back(t);
            }
            c.attachments.allowed_types = std::move(types);
            return {};
          },
          [](const config& c) { return core::join_list(c.attachments.allowed_types); }};
}

// The table. One entry per setting: variable, flag, help (one line, Markdown), a default note when
// the struct's default needs words, secret or not, and its codec (which names the config field).
std::vector<setting> make_table() {
  constexpr bool secret = true, plain = false;
  using ms = unsigned;
  return {
      {"CARECHAT_DB", "db", "the database: an SQLite file (`PATH` or `sqlite:PATH`; created with its directory if missing) or a PostgreSQL URI `postgresql://user@host:port/dbname?...` (a password in it counts as a secret)", "", plain, db_codec()},
      {"CARECHAT_LISTEN", "listen", "`HOST:PORT` to listen on; port 0 picks a free port (printed at start)", "", plain, listen_codec()},
      {"CARECHAT_TLS_CERT", "tls-cert", "PEM certificate chain (the certificate, then any intermediates); with `tls_key`, the server speaks HTTPS and WSS only (HSTS on, `SIGHUP` reloads both files)", "", plain, text(CARECHAT_FIELD(tls_cert_file))},
      {"CARECHAT_TLS_KEY", "tls-key", "PEM private key (unencrypted) of `tls_cert`; both or neither", "", plain, text(CARECHAT_FIELD(tls_key_file))},
      {"CARECHAT_METRICS_LISTEN", "metrics-listen", "`HOST:PORT` of a listener of its own serving `GET /metrics` (Prometheus text format 0.0.4), plain HTTP without authentication: bind it to loopback or a private interface (docs/operations.md, \"Metrics\"); port 0 picks a free port (printed at start)", "off", plain, metrics_listen_codec()},
      {"CARECHAT_LOG_FORMAT", "", "`json`: every log line one JSON object (every command; the variable applies from a command's first line, the config file's `log_format` from when the command has read the file)", "", plain, log_format_codec()},
      {"CARECHAT_LOG_REQUESTS", "", "one log line per request: method, route template, status, duration, request id, token id, body bytes (never ids from the path, the query string or text); `0`: off", "", plain, switch01(CARECHAT_FIELD(log_requests))},
      {"CARECHAT_WEB_ROOT", "web-root", "the built browser app (`make web`; the package's is `/usr/share/carechat/web`)", "", plain, text(CARECHAT_FIELD(web_root))},
      {"CARECHAT_PG_POOL_SIZE", "", "PostgreSQL connections for reads and administration, besides the writer's one; `0`: reader threads + 4", "", plain, number(CARECHAT_FIELD(pg_pool_size), 0u, 1000u)},
      {"CARECHAT_PG_STATEMENT_TIMEOUT_MS", "", "longest PostgreSQL statement; past it the request gets 503 + `Retry-After` instead of hanging", "", plain, number(CARECHAT_FIELD(pg_statement_timeout_ms), 100u, 600'000u)},
      {"CARECHAT_NODE_ID", "", "this server's name among the nodes sharing a PostgreSQL database: it owns webhook claims under it, and a node started again under the same name gives up its old claims at once (keep it stable across restarts)", "`host:port` on PostgreSQL, `local` on SQLite", plain, node_id_codec()},
      {"CARECHAT_CLUSTER_HINTS", "", "`0`: no `NOTIFY` hints between nodes; live events from other nodes then arrive by polling, within 250 ms", "", plain, switch01(CARECHAT_FIELD(cluster_hints))},
      {"CARECHAT_PAGE_LIMIT", "", "default page size; 20 when invalid, at most 200", "", plain, page_limit_codec()},
      {"CARECHAT_MAX_BODY_BYTES", "", "larger request bodies are refused with 413 before being read", "", plain, number<std::size_t>(CARECHAT_FIELD(max_body_bytes), 1024, 64u << 20)},
      {"CARECHAT_IO_THREADS", "", "threads running the network event loops (one each); each connection stays on one; `0`: one per core", "", plain, number(CARECHAT_FIELD(io_threads), 0u, 256u)},
      {"CARECHAT_READER_THREADS", "", "threads running database reads; `0`: on SQLite one per core (at least 2), on PostgreSQL 4", "", plain, number(CARECHAT_FIELD(reader_threads), 0u, 256u)},
      {"CARECHAT_MAX_CONNECTIONS", "", "concurrent connections; more are closed at accept", "", plain, number<std::size_t>(CARECHAT_FIELD(max_connections), 1, 1'000'000)},
      {"CARECHAT_IDLE_TIMEOUT_MS", "", "a connection without a request in progress is closed after this", "", plain, duration(CARECHAT_FIELD(idle_timeout), 100, 3'600'000)},
      {"CARECHAT_REQUEST_TIMEOUT_MS", "", "from a request's first byte: the time to receive all of it and answer; a slowly trickling header is cut by this", "", plain, duration(CARECHAT_FIELD(request_timeout), 100, 600'000)},
      {"CARECHAT_TOKEN_CACHE_MS", "", "how long an authenticated token is remembered (`0`: off)", "", plain, number<ms>(CARECHAT_FIELD(token_cache_ms), 0, 3'600'000)},
      {"CARECHAT_TOKEN_RECHECK_MS", "", "a token revoked by `carechat token revoke` (any process) stops working within this", "", plain, number<ms>(CARECHAT_FIELD(token_recheck_ms), 10, 60'000)},
      {"CARECHAT_PAGE_CACHE_MS", "", "longest life of a chat's cached latest page (`0`: off); changes through this server drop it at once, changes by another process on the same file show within this", "`1000` on SQLite, `0` on PostgreSQL", plain, page_cache_codec()},
      {"CARECHAT_SEARCH_INDEX_MS", "", "how often new messages join the full-text index (kept in `<db>-search`, derived data); searches find the newer ones by a scan meanwhile; `0`: never. On PostgreSQL: how often the trigram index's pending list is merged, by one node of a cluster at a time", "", plain, number<ms>(CARECHAT_FIELD(search_index_ms), 0, 60'000)},
      {"CARECHAT_AUDIT_INDEX_MS", "", "SQLite: how often new audit rows join the audit log's index by patient (kept in `<db>-search`, derived data) in the background; `0`: only when `carechat audit --patient` asks, which brings it up to date first (measured: 1.5-6 s per million rows since the last query). PostgreSQL indexes audit rows as they are written", "", plain, number<ms>(CARECHAT_FIELD(audit_index_ms), 0, 60'000)},
      {"CARECHAT_AUDIT_DELAY_MS", "", "how long a read's audit row may wait to share a commit with others (`0`: committed at once); writes never wait for it, and a write's own audit row is in its transaction", "", plain, number<ms>(CARECHAT_FIELD(audit_delay_ms), 0, 1'000)},
      {"CARECHAT_ALLOWED_ORIGINS", "", "comma-separated `scheme://host[:port]` origins, besides the server's own, whose pages may open live connections", "", plain, origins(CARECHAT_FIELD(allowed_origins))},
      {"CARECHAT_MAX_LIVE_PER_TOKEN", "", "concurrent live (WebSocket) connections per token; more get 429", "", plain, number<std::size_t>(CARECHAT_FIELD(max_live_per_token), 1, 10'000)},
      {"CARECHAT_LIVE_QUEUE_FRAMES", "", "frames a live connection may fall behind; further behind it is closed with 4008 and resumes", "", plain, number<std::size_t>(CARECHAT_FIELD(live_queue_frames), 1, 1'000'000)},
      {"CARECHAT_EVENT_RETENTION_HOURS", "", "how long events stay replayable with `after=`; older positions get `resync_required`", "", plain, duration(CARECHAT_FIELD(event_retention), 1, 24 * 366)},
      {"CARECHAT_FRAME_ANCESTORS", "", "comma-separated `http(s)://host[:port]` that may embed the chart pane in an iframe (CSP `frame-ancestors`)", "", plain, origins(CARECHAT_FIELD(frame_ancestors))},
      {"CARECHAT_PUBLIC_URL", "", "base of the webhook body's `patientUrl` (`{base}/{tenant}/{instance}/patients/{id}`)", "", plain, public_url_codec()},
      {"CARECHAT_WEBHOOKS", "", "`0`: no delivery worker (the outbox still fills)", "", plain, switch01(CARECHAT_FIELD(webhooks_enabled))},
      {"CARECHAT_WEBHOOK_ALLOW_PRIVATE", "", "`1`: endpoints may resolve to loopback/private/link-local addresses", "", plain, switch01(CARECHAT_FIELD(webhook_allow_private))},
      {"CARECHAT_WEBHOOK_TIMEOUT_MS", "", "per attempt: connect, TLS, request and answer (DNS is bounded by the system resolver's own timeouts, on threads of its own)", "", plain, number<ms>(CARECHAT_FIELD(webhook_timeout_ms), 100, 600'000)},
      {"CARECHAT_WEBHOOK_RETRY_BASE_MS", "", "first retry delay's ceiling; retries back off exponentially with full jitter (at most `webhook_retry_max_ms`)", "", plain, number<ms>(CARECHAT_FIELD(webhook_retry_base_ms), 1, 86'400'000)},
      {"CARECHAT_WEBHOOK_RETRY_MAX_MS", "", "longest retry delay (a day)", "", plain, number<ms>(CARECHAT_FIELD(webhook_retry_max_ms), 1, 7 * 86'400'000u)},
      {"CARECHAT_WEBHOOK_MAX_ATTEMPTS", "", "attempts before an event is `failed`", "", plain, number<ms>(CARECHAT_FIELD(webhook_max_attempts), 1, 100)},
      {"CARECHAT_WEBHOOK_POLL_MS", "", "outbox poll interval (commits also wake the worker at once)", "", plain, number<ms>(CARECHAT_FIELD(webhook_poll_ms), 10, 600'000)},
      {"CARECHAT_WEBHOOK_CA_FILE", "", "PEM file of CA certificates trusted for HTTPS endpoints besides the system's (a private CA); unloadable: serve refuses to start", "", plain, text(CARECHAT_FIELD(webhook_ca_file))},
      {"CARECHAT_OAUTH_TOKEN_TTL_S", "", "life in seconds of an access token issued by `POST /oauth/token`", "", plain, number(CARECHAT_FIELD(oauth_token_ttl_s), 1u, 86'400u)},
      {"CARECHAT_OAUTH_FAILURE_BURST", "", "failed `POST /oauth/token` attempts allowed at once, per client id and per address; more get 429", "", plain, number(CARECHAT_FIELD(oauth_failure_burst), 1u, 10'000u)},
      {"CARECHAT_OAUTH_FAILURES_PER_MINUTE", "", "how fast that allowance refills", "", plain, number(CARECHAT_FIELD(oauth_failures_per_minute), 1u, 60'000u)},
      {"CARECHAT_SMART_ISSUERS_FILE", "", "JSON file of the EHRs allowed to launch carechat as a SMART app (`iss` -> tenant, instance, `client_id`, auth; docs/integration.md); empty: the `/smart/` routes answer 404", "", plain, text(CARECHAT_FIELD(smart_issuers_file))},
      {"CARECHAT_SMART_KEY_FILE", "", "carechat's private key (PEM, EC P-384) for `private_key_jwt` at the EHRs, published at `/.well-known/jwks.json`; generated (mode 0600) when missing. Nodes sharing a PostgreSQL database need one shared file", "`<db>-smart-key.pem` on SQLite", plain, text(CARECHAT_FIELD(smart_key_file))},
      {"CARECHAT_SMART_SESSION_IDLE_S", "", "a SMART session not renewed for this long ends (the page renews it while in use)", "", plain, number(CARECHAT_FIELD(smart_session_idle_s), 10u, 86'400u)},
      {"CARECHAT_SMART_SESSION_MAX_S", "", "no SMART session lives longer than this, renewed or not", "", plain, number(CARECHAT_FIELD(smart_session_max_s), 300u, 7u * 86'400u)},
      {"CARECHAT_RATE_SENDS_PER_TOKEN", "", "abuse limit on sends (`POST .../inbound`, `.../outbound`) per token: `BURST,PER_MINUTE` (a token bucket; `0`: none); more get 429 with `Retry-After` and store nothing", "", plain, rate(CARECHAT_FIELD(rate_sends_per_token))},
      {"CARECHAT_RATE_SENDS_PER_ADDRESS", "", "the same per client address (a clinic behind NAT shares one)", "", plain, rate(CARECHAT_FIELD(rate_sends_per_address))},
      {"CARECHAT_RATE_SEARCHES_PER_TOKEN", "", "searches (`GET .../chat/search`) per token", "", plain, rate(CARECHAT_FIELD(rate_searches_per_token))},
      {"CARECHAT_RATE_SEARCHES_PER_ADDRESS", "", "searches per client address", "", plain, rate(CARECHAT_FIELD(rate_searches_per_address))},
      {"CARECHAT_RATE_UPLOADS_PER_TOKEN", "", "attachment uploads per token", "", plain, rate(CARECHAT_FIELD(rate_uploads_per_token))},
      {"CARECHAT_RATE_UPLOADS_PER_ADDRESS", "", "attachment uploads per client address", "", plain, rate(CARECHAT_FIELD(rate_uploads_per_address))},
      {"CARECHAT_RATE_LIVE_CONNECTS_PER_TOKEN", "", "live (WebSocket) connection attempts per token; over it the upgrade gets 429", "", plain, rate(CARECHAT_FIELD(rate_live_connects_per_token))},
      {"CARECHAT_RATE_LIVE_CONNECTS_PER_ADDRESS", "", "live connection attempts per client address", "", plain, rate(CARECHAT_FIELD(rate_live_connects_per_address))},
      {"CARECHAT_RATE_AUTH_FAILURES_PER_ADDRESS", "", "failed authentications (401: missing, unknown, expired or revoked token) per client address; each is audited (`auth_failed`); over it every API route answers that address 429, audited once a minute", "", plain, rate(CARECHAT_FIELD(rate_auth_failures_per_address))},
      {"CARECHAT_TRUSTED_PROXIES", "", "comma-separated IP addresses and CIDR networks of reverse proxies; a request from one is limited by the right-most address of `X-Forwarded-For` that is not one of them (empty: `X-Forwarded-For` is ignored)", "", plain, trusted_proxies_codec()},
      {"CARECHAT_ATTACHMENT_STORE", "", "where attachments' bytes live: `disk` (a directory), `postgres` (the database itself), `s3` (S3-compatible object storage), `off` (attachment routes answer 404)", "`disk` on SQLite, `postgres` on PostgreSQL", plain, attachment_store_codec()},
      {"CARECHAT_ATTACHMENTS_DIR", "", "the `disk` store's directory (PostgreSQL nodes need one they all share)", "`<db>-attachments`", plain, text(CARECHAT_FIELD(attachments.dir))},
      {"CARECHAT_S3_ENDPOINT", "", "the `s3` store: `http://HOST:PORT` (plain HTTP for now: put a TLS proxy beside it)", "", plain, text(CARECHAT_FIELD(attachments.s3.endpoint))},
      {"CARECHAT_S3_REGION", "", "the `s3` store's region (part of every signature)", "", plain, text(CARECHAT_FIELD(attachments.s3.region))},
      {"CARECHAT_S3_BUCKET", "", "the `s3` store's bucket (it must exist)", "", plain, text(CARECHAT_FIELD(attachments.s3.bucket))},
      {"CARECHAT_S3_ACCESS_KEY_ID", "", "the `s3` store's access key id", "", plain, text(CARECHAT_FIELD(attachments.s3.access_key_id))},
      {"CARECHAT_S3_SECRET_ACCESS_KEY", "", "the `s3` store's secret key (never logged)", "", secret, text(CARECHAT_FIELD(attachments.s3.secret_access_key))},
      {"CARECHAT_S3_PREFIX", "", "prepended to every object key in the bucket", "", plain, text(CARECHAT_FIELD(attachments.s3.key_prefix))},
      {"CARECHAT_ATTACHMENT_MAX_BYTES", "", "largest file (25 MiB); a declared larger upload is refused (413) before a byte of it is read", "", plain, number<std::uint64_t>(CARECHAT_FIELD(attachments.limits.max_bytes), 1, 1ull << 30)},
      {"CARECHAT_ATTACHMENTS_PER_MESSAGE", "", "most `attachmentIds` in one send", "", plain, number<std::size_t>(CARECHAT_FIELD(attachments.limits.max_per_message), 1, 64)},
      {"CARECHAT_IMAGE_MAX_PIXELS", "", "an image with more pixels is refused (422) from its header, before decoding (decompression bombs)", "", plain, number<std::uint64_t>(CARECHAT_FIELD(attachments.limits.max_image_pixels), 1'000'000, 1'000'000'000)},
      {"CARECHAT_ATTACHMENT_TYPES", "", "comma-separated MIME types, judged by content (libmagic); HTML, SVG, scripts and archives can never be added", "JPEG, PNG, WebP, HEIC, GIF, PDF, plain text", plain, attachment_types_codec()},
      {"CARECHAT_CLAMD_SOCKET", "", "clamd's Unix socket: every upload is scanned (INSTREAM) and an infected one refused (422); unset, uploads are not scanned and the server warns at start; set and not answering, serve refuses to start", "", plain, text(CARECHAT_FIELD(attachments.clamd_socket))},
      {"CARECHAT_ATTACHMENT_THREADS", "", "threads for uploads' and downloads' blocking work (storage, clamd, thumbnails), apart from the database readers", "", plain, number(CARECHAT_FIELD(attachments.io_threads), 1u, 64u)},
  };
}

#undef CARECHAT_FIELD

std::string lower(std::string_view s) {
  std::string out(s);
  for (char& ch : out) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return out;
}

std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = up;
    }
  }
  return row[b.size()];
}

std::string without_backticks(std::string_view s) {
  std::string out;
  for (char ch : s)
    if (ch != '`') out += ch;
  return out;
}

// `text` wrapped at `width` columns, each line indented by `indent` spaces.
std::string wrapped(std::string_view text, std::size_t indent, std::size_t width) {
  std::string out, line;
  for (std::string_view word : core::split_list(text, ' ')) {
    if (!line.empty() && indent + line.size() + 1 + word.size() > width) {
      out += std::string(indent, ' ') + line + '\n';
      line.clear();
    }
    if (!line.empty()) line += ' ';
    line += word;
  }
  if (!line.empty()) out += std::string(indent, ' ') + line + '\n';
  return out;
}

}  // namespace

std::string setting::key() const { return lower(env.substr(env.find('_') + 1)); }

std::string setting::default_text() const {
  if (!default_note.empty()) return std::string(default_note);
  const std::string shown = codec.show(config{});
  return shown.empty() ? "none" : "`" + shown + "`";
}

std::span<const setting> all_settings() {
  static const std::vector<setting> table = make_table();
  return table;
}

const setting* find_setting(std::string_view key_or_env) {
  for (const setting& s : all_settings())
    if (s.env == key_or_env || s.key() == key_or_env) return &s;
  return nullptr;
}

std::optional<std::string> suggest_key(std::string_view unknown) {
  const std::string wanted = lower(unknown);
  if (const setting* s = find_setting(wanted); s) return s->key();  // LISTEN
  if (wanted.rfind("carechat_", 0) == 0)
    if (const setting* s = find_setting(wanted.substr(9)); s) return s->key();  // CARECHAT_LISTEN
  std::optional<std::string> best;
  std::size_t best_distance = 3;  // at most 2 edits
  for (const setting& s : all_settings()) {
    const std::string key = s.key();
    const std::size_t d = edit_distance(wanted, key);
    if (d < best_distance) {
      best_distance = d;
      best = key;
    }
  }
  return best;
}

std::set<std::string> setting_options() {
  std::set<std::string> out{"config"};
  for (const setting& s : all_settings())
    if (!s.flag.empty()) out.emplace(s.flag);
  return out;
}

std::string show_settings(const loaded_config& loaded) {
  const auto origin_text = [](const setting_origin& o) -> std::string {
    switch (o.source) {
      case setting_source::file: return "file " + o.where;
      case setting_source::environment: return "environment " + o.where;
      case setting_source::flag: return "flag " + o.where;
      case setting_source::default_value: break;
    }
    return "default";
  };
  std::string out = "# carechat settings: defaults < " + (loaded.file.empty() ? std::string("(no config file)") : loaded.file) +
                    " < environment < flags\n";
  for (const setting& s : all_settings()) {
    const std::string key = s.key();
    const auto it = loaded.origins.find(key);
    const setting_origin origin = it == loaded.origins.end() ? setting_origin{} : it->second;
    std::string value = s.codec.show(loaded.values);
    std::string line;
    if (value.empty()) {
      line = "# " + key + " is unset (default: " + without_backticks(s.default_text()) + ")";
    } else {
      if (s.secret) value = "****";
      line = key + " = " + value;
      line += std::string(line.size() < 44 ? 44 - line.size() : 1, ' ') + "# " + origin_text(origin);
    }
    out += line + '\n';
  }
  return out;
}

std::string settings_help() {
  std::string out;
  for (const setting& s : all_settings()) {
    std::string head = "  " + std::string(s.env);
    if (!s.flag.empty()) head += ", --" + std::string(s.flag);
    head += ", " + s.key() + " (default " + without_backticks(s.default_text()) + (s.secret ? "; secret" : "") + ")";
    out += head + '\n' + wrapped(without_backticks(s.help), 6, 100);
  }
  return out;
}

std::string settings_markdown() {
  std::string out =
      "| key (config file) | variable | flag | default | secret | meaning |\n"
      "|---|---|---|---|---|---|\n";
  for (const setting& s : all_settings()) {
    out += "| `" + s.key() + "` | `" + std::string(s.env) + "` | " +
           (s.flag.empty() ? std::string() : "`--" + std::string(s.flag) + "`") + " | " + s.default_text() + " | " +
           (s.secret ? "yes" : "") + " | " + std::string(s.help) + " |\n";
  }
  return out;
}

}  // namespace carechat::app
