#include "app/config.hpp"

#include <algorithm>
#include <cstdlib>
#include <string_view>

#include "app/env_vars.hpp"
#include "core/log.hpp"
#include "core/text.hpp"

namespace carechat::app {
namespace {

// A comma-separated list of http(s) origins from the environment.
core::result<void> origin_list(const char* name, std::vector<std::string>& out) {
  const char* v = env(name);
  if (!v) return {};
  for (const std::string_view item : core::split_list(v)) {
    const bool scheme_ok = item.substr(0, 7) == "http://" || item.substr(0, 8) == "https://";
    const bool clean = item.find_first_of(" ;'\"") == std::string_view::npos;
    if (!scheme_ok || !clean)
      return core::make_error(core::errc::bad_request,
                              std::string(name) + " entries must be http(s)://host[:port], got '" + std::string(item) + "'");
    out.emplace_back(item);
  }
  return {};
}

}  // namespace

int page_limit_from(const char* v) {
  constexpr int fallback = 20, max = 200;
  if (!v || !*v) return fallback;
  const auto n = core::parse_decimal<int>(v);
  if (!n || *n < 1) {
    core::log_warn("config", "CARECHAT_PAGE_LIMIT is not a positive integer; using 20");
    return fallback;
  }
  return *n > max ? max : *n;
}

core::result<void> parse_listen(const std::string& text, config& c) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    return core::make_error(core::errc::bad_request, "listen address must be HOST:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port = core::parse_decimal<unsigned>(std::string_view(text).substr(colon + 1));
  if (!port || *port > 65535)
    return core::make_error(core::errc::bad_request, "listen port must be 0-65535, got '" + text + "'");
  c.listen_host = host;
  c.listen_port = static_cast<std::uint16_t>(*port);
  return {};
}

core::result<void> parse_metrics_listen(const std::string& text, config& c) {
  config parsed;
  if (auto ok = parse_listen(text, parsed); !ok)
    return core::make_error(core::errc::bad_request, "metrics " + ok.error().message);
  c.metrics_host = parsed.listen_host;
  c.metrics_port = parsed.listen_port;
  return {};
}

core::result<void> apply_log_format() {
  const char* v = env("CARECHAT_LOG_FORMAT");
  const std::string_view f = v != nullptr ? v : "";
  if (f.empty() || f == "text") core::set_log_format(core::log_format::text);
  else if (f == "json") core::set_log_format(core::log_format::json);
  else return core::make_error(core::errc::bad_request, "CARECHAT_LOG_FORMAT must be text or json");
  return {};
}

core::result<config> load_config(const args& a) {
  config c;
  if (const char* v = env("CARECHAT_DB")) c.db_path = v;
  if (const char* v = env("CARECHAT_LISTEN"))
    if (auto ok = parse_listen(v, c); !ok) return std::move(ok).error();
  if (const char* v = env("CARECHAT_METRICS_LISTEN"); v != nullptr && *v != '\0')
    if (auto ok = parse_metrics_listen(v, c); !ok) return std::move(ok).error();
  if (const char* v = env("CARECHAT_LOG_REQUESTS")) c.log_requests = std::string_view(v) != "0";
  c.page_limit = page_limit_from(env("CARECHAT_PAGE_LIMIT"));
  if (auto ok = number_from_env<std::size_t>("CARECHAT_MAX_BODY_BYTES", c.max_body_bytes, 1024, 64u << 20); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_IO_THREADS", c.io_threads, 0, 256); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_READER_THREADS", c.reader_threads, 1, 256); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_PG_POOL_SIZE", c.pg_pool_size, 0, 1000); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_PG_STATEMENT_TIMEOUT_MS", c.pg_statement_timeout_ms, 100,
                                          600'000);
      !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<std::size_t>("CARECHAT_MAX_CONNECTIONS", c.max_connections, 1, 1'000'000); !ok)
    return std::move(ok).error();
  unsigned idle_ms = static_cast<unsigned>(c.idle_timeout.count());
  if (auto ok = number_from_env<unsigned>("CARECHAT_IDLE_TIMEOUT_MS", idle_ms, 100, 3'600'000); !ok)
    return std::move(ok).error();
  c.idle_timeout = std::chrono::milliseconds(idle_ms);
  unsigned request_ms = static_cast<unsigned>(c.request_timeout.count());
  if (auto ok = number_from_env<unsigned>("CARECHAT_REQUEST_TIMEOUT_MS", request_ms, 100, 600'000); !ok)
    return std::move(ok).error();
  c.request_timeout = std::chrono::milliseconds(request_ms);
  if (auto ok = number_from_env<unsigned>("CARECHAT_TOKEN_CACHE_MS", c.token_cache_ms, 0, 3'600'000); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_TOKEN_RECHECK_MS", c.token_recheck_ms, 10, 60'000); !ok)
    return std::move(ok).error();
  if (env("CARECHAT_PAGE_CACHE_MS")) {
    unsigned ms = 0;
    if (auto ok = number_from_env<unsigned>("CARECHAT_PAGE_CACHE_MS", ms, 0, 60'000); !ok) return std::move(ok).error();
    c.page_cache_ms = ms;
  }
  if (auto ok = number_from_env<unsigned>("CARECHAT_SEARCH_INDEX_MS", c.search_index_ms, 0, 60'000); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_AUDIT_DELAY_MS", c.audit_delay_ms, 0, 1'000); !ok)
    return std::move(ok).error();

  if (auto ok = number_from_env<std::size_t>("CARECHAT_MAX_LIVE_PER_TOKEN", c.max_live_per_token, 1, 10'000); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<std::size_t>("CARECHAT_LIVE_QUEUE_FRAMES", c.live_queue_frames, 1, 1'000'000); !ok)
    return std::move(ok).error();
  unsigned retention_hours = static_cast<unsigned>(c.event_retention.count());
  if (auto ok = number_from_env<unsigned>("CARECHAT_EVENT_RETENTION_HOURS", retention_hours, 1, 24 * 366); !ok)
    return std::move(ok).error();
  c.event_retention = std::chrono::hours(retention_hours);
  if (auto ok = origin_list("CARECHAT_ALLOWED_ORIGINS", c.allowed_origins); !ok) return std::move(ok).error();
  if (auto ok = origin_list("CARECHAT_FRAME_ANCESTORS", c.frame_ancestors); !ok) return std::move(ok).error();
  if (const char* v = env("CARECHAT_WEB_ROOT")) c.web_root = v;
  auto attachments = load_attachment_config();
  if (!attachments) return std::move(attachments).error();
  c.attachments = std::move(*attachments);

  if (const char* v = env("CARECHAT_PUBLIC_URL")) {
    const std::string_view u = v;
    if (!(u.substr(0, 7) == "http://" || u.substr(0, 8) == "https://") || u.size() > 512 ||
        u.find_first_of(" \"'<>") != std::string_view::npos)
      return core::make_error(core::errc::bad_request, "CARECHAT_PUBLIC_URL must be an http(s) URL");
    c.public_url = std::string(u);
    while (!c.public_url.empty() && c.public_url.back() == '/') c.public_url.pop_back();
  }
  if (const char* v = env("CARECHAT_WEBHOOKS")) c.webhooks_enabled = std::string_view(v) != "0";
  if (const char* v = env("CARECHAT_CLUSTER_HINTS")) c.cluster_hints = std::string_view(v) != "0";
  if (const char* v = env("CARECHAT_NODE_ID")) {
    const std::string_view id = v;
    if (id.size() > 128 || std::any_of(id.begin(), id.end(), [](char ch) { return ch < 0x21 || ch > 0x7e; }))
      return core::make_error(core::errc::bad_request, "CARECHAT_NODE_ID must be 1-128 printable ASCII characters");
    c.node_id = std::string(id);
  }
  if (const char* v = env("CARECHAT_WEBHOOK_ALLOW_PRIVATE")) c.webhook_allow_private = std::string_view(v) == "1";
  if (const char* v = env("CARECHAT_WEBHOOK_CA_FILE")) c.webhook_ca_file = v;
  if (auto ok = number_from_env<unsigned>("CARECHAT_WEBHOOK_TIMEOUT_MS", c.webhook_timeout_ms, 100, 600'000); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_WEBHOOK_POLL_MS", c.webhook_poll_ms, 10, 600'000); !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_WEBHOOK_RETRY_BASE_MS", c.webhook_retry_base_ms, 1, 86'400'000);
      !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_WEBHOOK_RETRY_MAX_MS", c.webhook_retry_max_ms, 1,
                                          7 * 86'400'000u);
      !ok)
    return std::move(ok).error();
  if (auto ok = number_from_env<unsigned>("CARECHAT_WEBHOOK_MAX_ATTEMPTS", c.webhook_max_attempts, 1, 100); !ok)
    return std::move(ok).error();
  if (c.webhook_retry_base_ms > c.webhook_retry_max_ms)
    return core::make_error(core::errc::bad_request,
                            "CARECHAT_WEBHOOK_RETRY_BASE_MS may not exceed CARECHAT_WEBHOOK_RETRY_MAX_MS");

  if (auto v = a.get("db")) c.db_path = *v;
  if (auto v = a.get("web-root")) c.web_root = *v;
  if (auto v = a.get("listen"))
    if (auto ok = parse_listen(*v, c); !ok) return std::move(ok).error();
  if (auto v = a.get("metrics-listen"))
    if (auto ok = parse_metrics_listen(*v, c); !ok) return std::move(ok).error();
  if (c.db_path.empty()) return core::make_error(core::errc::bad_request, "--db must not be empty");
  return c;
}

}  // namespace carechat::app
