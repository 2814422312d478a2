#include "net/static_assets.hpp"

#include <fstream>
#include <iterator>

#include "core/crypto.hpp"
#include "core/log.hpp"

namespace carechat::net {
namespace {

constexpr std::uintmax_t max_total_bytes = 64u << 20;

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

}  // namespace

bool is_web_file(std::string_view f) {
  for (std::string_view ext : {".html", ".js", ".mjs", ".css", ".svg", ".png", ".ico", ".woff2", ".txt"})
    if (ends_with(f, ext)) return true;
  return false;
}

std::string_view content_type_for(std::string_view f) {
  if (ends_with(f, ".html")) return "text/html; charset=utf-8";
  if (ends_with(f, ".js") || ends_with(f, ".mjs")) return "text/javascript; charset=utf-8";
  if (ends_with(f, ".css")) return "text/css; charset=utf-8";
  if (ends_with(f, ".json") || ends_with(f, ".map")) return "application/json";
  if (ends_with(f, ".svg")) return "image/svg+xml";
  if (ends_with(f, ".png")) return "image/png";
  if (ends_with(f, ".ico")) return "image/x-icon";
  if (ends_with(f, ".woff2")) return "font/woff2";
  if (ends_with(f, ".txt")) return "text/plain; charset=utf-8";
  return "application/octet-stream";
}

static_assets static_assets::load(const std::filesystem::path& root) {
  static_assets out;
  std::error_code ec;
  if (!std::filesystem::is_directory(root, ec)) {
    core::log_warn("web", "no web app at " + root.string() + " (build it with `make web`); /app and /portal answer 404");
    return out;
  }
  std::uintmax_t total = 0;
  for (auto it = std::filesystem::recursive_directory_iterator(root, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (!it->is_regular_file(ec)) continue;
    // Only web files are ever opened: anything else (a database, its -wal, a key) is neither served
    // nor touched; opening and closing a SQLite file here would drop the process's POSIX locks on it.
    if (!is_web_file(it->path().filename().string())) continue;
    total += it->file_size(ec);
    if (total > max_total_bytes) {
      core::log_error("web", "web app larger than 64 MiB; not serving it");
      return static_assets{};
    }
    std::ifstream in(it->path(), std::ios::binary);
    std::string body(std::istreambuf_iterator<char>(in), {});
    if (!in.is_open() || in.bad()) {
      // Served empty with a valid ETag, an unreadable file would look fine and break the app.
      core::log_error("web", "cannot read " + it->path().string() + "; not serving it");
      continue;
    }
    static_asset a;
    a.body = std::move(body);
    const std::string rel = std::filesystem::relative(it->path(), root, ec).generic_string();
    a.content_type = std::string(content_type_for(rel));
    const auto digest = core::sha256(a.body);
    a.etag = "\"" + core::to_hex(std::span(digest.data(), 16)) + "\"";
    out.files_.emplace(rel, std::move(a));
  }
  core::log_info("web", "serving " + std::to_string(out.files_.size()) + " web app files from " + root.string());
  return out;
}

const static_asset* static_assets::find(std::string_view relative) const {
  auto it = files_.find(std::string(relative));
  return it == files_.end() ? nullptr : &it->second;
}

}  // namespace carechat::net
