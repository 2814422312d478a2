#include "app/config.hpp"

#include <sys/stat.h>

#include <filesystem>
#include <string_view>

#include "app/config_file.hpp"
#include "app/settings.hpp"
#include "core/text.hpp"

namespace carechat::app {
namespace {

core::error bad(std::string message) { return core::make_error(core::errc::bad_request, std::move(message)); }

// A PostgreSQL URI with a password in its user info or its parameters.
bool has_password(std::string_view db) {
  if (db.rfind("postgresql://", 0) != 0 && db.rfind("postgres://", 0) != 0) return false;
  const std::string_view rest = db.substr(db.find("://") + 3);
  const std::size_t at = rest.substr(0, rest.find_first_of("/?#")).rfind('@');
  if (at != std::string_view::npos && rest.substr(0, at).find(':') != std::string_view::npos) return true;
  return rest.find("password=") != std::string_view::npos;
}

// The file to read: --config, else CARECHAT_CONFIG, else the default when it exists; "" for none.
core::result<std::string> config_path(const args& a, const config_inputs& in) {
  if (auto v = a.get("config")) {
    if (v->empty()) return bad("--config needs a file");
    return *v;
  }
  if (const char* v = in.getenv("CARECHAT_CONFIG"); v && *v) return std::string(v);
  std::error_code ec;
  if (std::filesystem::exists(in.default_file, ec)) return in.default_file;
  return std::string();
}

core::result<void> apply_file(const std::string& path, loaded_config& out) {
  auto file = read_config_file(path);
  if (!file) return std::move(file).error();
  std::string secret_key;
  for (const config_file_entry& e : file->entries) {
    const setting& s = *find_setting(e.key);  // parse_config_text refused unknown keys
    const std::string where = path + ":" + std::to_string(e.line);
    if (auto ok = s.codec.parse(e.value, out.values); !ok) return bad(where + ": " + e.key + " " + ok.error().message);
    out.origins[e.key] = {setting_source::file, where};
    if (secret_key.empty() && (s.secret || (s.env == "CARECHAT_DB" && has_password(e.value)))) secret_key = e.key;
  }
  // Like ssh with a private key: a secret any local user could read is refused, not warned about.
  if (!secret_key.empty() && (file->mode & S_IROTH))
    return bad(path + " holds a secret (" + secret_key +
               ") and every user of this machine may read it; make it unreadable to others (chmod o-r " + path + ")");
  out.file = path;
  return {};
}

}  // namespace

core::result<void> parse_listen(const std::string& text, config& c) {
  const auto colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0) return bad("must be HOST:PORT, got '" + text + "'");
  std::string host = text.substr(0, colon);
  if (host.size() >= 2 && host.front() == '[' && host.back() == ']') host = host.substr(1, host.size() - 2);
  const auto port = core::parse_decimal<unsigned>(std::string_view(text).substr(colon + 1));
  if (!port || *port > 65535) return bad("port must be 0-65535, got '" + text + "'");
  c.listen_host = host;
  c.listen_port = static_cast<std::uint16_t>(*port);
  return {};
}

core::result<void> parse_metrics_listen(const std::string& text, config& c) {
  config parsed;
  if (auto ok = parse_listen(text, parsed); !ok) return std::move(ok).error();
  c.metrics_host = parsed.listen_host;
  c.metrics_port = parsed.listen_port;
  return {};
}

core::result<core::log_format> parse_log_format(std::string_view text) {
  if (text == "text") return core::log_format::text;
  if (text == "json") return core::log_format::json;
  return bad("must be text or json");
}

core::result<void> apply_log_format() {
  const char* v = std::getenv("CARECHAT_LOG_FORMAT");
  if (v == nullptr || *v == '\0') return {};  // unset or empty: as if unset, like every setting
  auto f = parse_log_format(v);
  if (!f) return bad("CARECHAT_LOG_FORMAT " + f.error().message);
  core::set_log_format(*f);
  return {};
}

core::result<loaded_config> load_config_with_origins(const args& a, const config_inputs& in) {
  loaded_config out;
  auto path = config_path(a, in);
  if (!path) return std::move(path).error();
  if (!path->empty())
    if (auto ok = apply_file(*path, out); !ok) return std::move(ok).error();

  for (const setting& s : all_settings()) {
    const std::string name(s.env);
    const char* v = in.getenv(name.c_str());
    if (v == nullptr || *v == '\0') continue;  // unset or empty: as if unset
    if (auto ok = s.codec.parse(v, out.values); !ok) return bad(name + " " + ok.error().message);
    out.origins[s.key()] = {setting_source::environment, name};
  }

  for (const setting& s : all_settings()) {
    if (s.flag.empty()) continue;
    const std::string flag = "--" + std::string(s.flag);
    auto v = a.get(std::string(s.flag));
    if (!v) continue;
    if (v->empty()) return bad(flag + " must not be empty");
    if (auto ok = s.codec.parse(*v, out.values); !ok) return bad(flag + " " + ok.error().message);
    out.origins[s.key()] = {setting_source::flag, flag};
  }

  const config& c = out.values;
  if (c.tls_cert_file.empty() != c.tls_key_file.empty())
    return bad(c.tls_key_file.empty()
                   ? "tls_cert (--tls-cert, CARECHAT_TLS_CERT) is set but tls_key (--tls-key, CARECHAT_TLS_KEY) is "
                     "missing: give both for HTTPS, or neither"
                   : "tls_key (--tls-key, CARECHAT_TLS_KEY) is set but tls_cert (--tls-cert, CARECHAT_TLS_CERT) is "
                     "missing: give both for HTTPS, or neither");
  if (c.webhook_retry_base_ms > c.webhook_retry_max_ms)
    return bad("webhook_retry_base_ms (CARECHAT_WEBHOOK_RETRY_BASE_MS) may not exceed webhook_retry_max_ms "
               "(CARECHAT_WEBHOOK_RETRY_MAX_MS)");
  return out;
}

core::result<config> load_config(const args& a) {
  auto loaded = load_config_with_origins(a);
  if (!loaded) return std::move(loaded).error();
  core::set_log_format(loaded->values.log_format);
  return std::move(loaded->values);
}

}  // namespace carechat::app
